package dev.cairn.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What is chained to an ask's answer runs on the actor system's dispatcher, not the common pool.
 */
class RepliesTest {

  private static ActorTestKit kit;

  /** Asked with a text and answered only when released, so callbacks are chained before. */
  sealed interface Message {}

  record Ask(String text, ActorRef<String> replyTo) implements Message {}

  enum Release implements Message {
    INSTANCE
  }

  @BeforeAll
  static void start() {
    kit = ActorTestKit.create(ConfigFactory.parseString("pekko.actor.provider = local"));
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  @Test
  void chainedStagesRunOnTheDispatcher() throws Exception {
    String dispatcher = kit.system().name() + "-pekko.actor.default-dispatcher";
    ActorRef<Message> plain = holder();
    ActorRef<Message> wrapped = holder();

    var plainAsk = threadAfter(ask(plain, "hi"));
    var throughReplies = threadAfter(Replies.onDispatcher(kit.system(), ask(wrapped, "hi")));
    plain.tell(Release.INSTANCE);
    wrapped.tell(Release.INSTANCE);

    // The reason Replies exists: without it the callback leaves for the common pool.
    assertThat(plainAsk.get(10, TimeUnit.SECONDS)).contains("ForkJoinPool.commonPool");
    assertThat(throughReplies.get(10, TimeUnit.SECONDS)).startsWith(dispatcher);
  }

  @Test
  void aFailedAskFailsTheSameWay() {
    CompletionStage<String> answer = Replies.onDispatcher(kit.system(), ask(holder(), "never"));

    assertThatThrownBy(() -> answer.toCompletableFuture().get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(java.util.concurrent.TimeoutException.class);
  }

  /** An actor that answers each ask with its text once it is released. */
  private static ActorRef<Message> holder() {
    java.util.List<Ask> held = new java.util.ArrayList<>();
    return kit.spawn(
        Behaviors.receiveMessage(
            message -> {
              if (message instanceof Ask ask) {
                held.add(ask);
              } else {
                held.forEach(ask -> ask.replyTo().tell(ask.text()));
                held.clear();
              }
              return Behaviors.same();
            }));
  }

  private static CompletionStage<String> ask(ActorRef<Message> holder, String text) {
    return AskPattern.ask(
        holder, replyTo -> new Ask(text, replyTo), Duration.ofMillis(300), kit.scheduler());
  }

  private static java.util.concurrent.CompletableFuture<String> threadAfter(
      CompletionStage<String> stage) {
    return stage.thenApply(ignored -> Thread.currentThread().getName()).toCompletableFuture();
  }
}

package dev.cairn.persistence;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Where an ask's answer is handled. Pekko's Java asks return Scala's {@code CompletionStage}
 * adapter, which runs every callback chained to it ({@code thenApply}, {@code thenCompose}, ...)
 * asynchronously on {@code ForkJoinPool.commonPool()}: each answer was rendered there, and there
 * (by an allocation profile of writes) Jackson's output buffers were allocated afresh for every
 * response. The stages returned here complete on the actor system's own dispatcher instead, and
 * what is chained to them runs there without a further hop.
 */
final class Replies {

  private Replies() {}

  /** {@code stage}, completing on {@code system}'s dispatcher. */
  static <T> CompletionStage<T> onDispatcher(ActorSystem<?> system, CompletionStage<T> stage) {
    CompletableFuture<T> plain = new CompletableFuture<>();
    stage.whenCompleteAsync(
        (value, failure) -> {
          if (failure == null) {
            plain.complete(value);
          } else {
            plain.completeExceptionally(failure);
          }
        },
        system.executionContext());
    return plain;
  }
}

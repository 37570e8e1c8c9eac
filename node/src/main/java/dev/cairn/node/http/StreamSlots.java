package dev.cairn.node.http;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Source;

/**
 * How many long-lived streams (the change feed) a node holds open, in all and per client address. A
 * heartbeat keeps each open for as long as the client likes, so without a bound one client could
 * hold every connection the node accepts ({@code pekko.http.server.max-connections}) and lock
 * everyone else out; with it, the connections beyond {@code cairn.limits.max-streams} always serve
 * ordinary requests. A client is its address as the TCP connection shows it, never a header it
 * could forge.
 */
public final class StreamSlots {

  /**
   * A slot given to a stream that is never run (its response was dropped with its connection) comes
   * back after this long.
   */
  private static final Duration UNCLAIMED = Duration.ofSeconds(30);

  private final int perNode;
  private final int perClient;
  private final ActorSystem<?> system;
  private final AtomicInteger open = new AtomicInteger();
  private final ConcurrentHashMap<InetAddress, Integer> byClient = new ConcurrentHashMap<>();

  public StreamSlots(int perNode, int perClient, ActorSystem<?> system) {
    this.perNode = perNode;
    this.perClient = perClient;
    this.system = system;
  }

  /** A slot for one stream of {@code client}, or why there is none. */
  Optional<Slot> take(InetAddress client, StringBuilder whyNot) {
    if (byClient.merge(client, 1, Integer::sum) > perClient) {
      release(client, false);
      whyNot.append(
          "this client already has "
              + perClient
              + " change-feed streams open on this node (cairn.limits.max-streams-per-client);"
              + " close one, or share one stream between views");
      return Optional.empty();
    }
    if (open.incrementAndGet() > perNode) {
      release(client, true);
      whyNot.append(
          "this node already serves "
              + perNode
              + " change-feed streams (cairn.limits.max-streams); retry later or on another node");
      return Optional.empty();
    }
    Slot slot = new Slot(client);
    system.scheduler().scheduleOnce(UNCLAIMED, slot::releaseIfUnclaimed, system.executionContext());
    return Optional.of(slot);
  }

  /** Streams open now on this node. */
  public int open() {
    return open.get();
  }

  private void release(InetAddress client, boolean node) {
    if (node) {
      open.decrementAndGet();
    }
    byClient.computeIfPresent(client, (c, streams) -> streams == 1 ? null : streams - 1);
  }

  /** One stream's place, given back when the stream ends however it ends. */
  final class Slot {
    private final InetAddress client;
    private final AtomicBoolean claimed = new AtomicBoolean();
    private final AtomicBoolean released = new AtomicBoolean();

    private Slot(InetAddress client) {
      this.client = client;
    }

    /**
     * {@code source}, holding this slot from when it runs until it completes, fails or is
     * cancelled.
     */
    <T> Source<T, NotUsed> holding(Source<T, NotUsed> source) {
      return source.watchTermination(
          (notUsed, done) -> {
            claimed.set(true);
            done.whenComplete((ignored, failure) -> release());
            return notUsed;
          });
    }

    private void releaseIfUnclaimed() {
      if (!claimed.get()) {
        release();
      }
    }

    private void release() {
      if (released.compareAndSet(false, true)) {
        StreamSlots.this.release(client, true);
      }
    }
  }
}

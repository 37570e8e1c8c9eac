package dev.cairn.persistence;

import dev.cairn.protocol.CairnSerializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.apache.pekko.actor.Props;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.ClusterActorRefProvider;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.pattern.Patterns;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a node that was paused from serving documents it may no longer own (chaos finding 1).
 *
 * <p>A process frozen by a VM pause, a long GC or {@code SIGSTOP} for longer than the failure
 * detector and the Split Brain Resolver allow is downed by the rest of the cluster, and its shards
 * are started elsewhere from the journal. When it runs again it does not know that yet: its
 * entities still hold their documents, and a command that was waiting in a mailbox would be
 * persisted, acknowledged, and then missing from the state the new owner had already recovered.
 * Nothing in Pekko stops that (a lease would); this fence does, for pauses of the whole process.
 *
 * <p>A watcher thread runs every {@value #TICK_MILLIS} ms. A gap longer than {@code
 * cairn.cluster.pause-fence} between two of its runs means the process did not run, and the fence
 * closes. It opens again when this node has asked the other members how they see it, after the
 * pause, and a majority of the cluster (this node counting as one) answer that it is up and
 * reachable, none of them saying otherwise. A node that was downed never gets that answer; it stays
 * closed until it shuts down.
 *
 * <p>While it is closed, the journal does not commit an event ({@link #awaitOpen}, called inside
 * the transaction, after the insert and before the commit, so that an insert sent before the pause
 * is not committed after it either), and entities answer reads with 503. A pause is seen even
 * before the watcher has run again: {@link #isOpen} also looks at how long ago the watcher last
 * ran. The pause that nothing can see is one between that check and the commit reaching the
 * database: a few microseconds, against the seconds a downing takes.
 */
public final class PauseFence implements Extension {

  private static final Logger log = LoggerFactory.getLogger(PauseFence.class);

  /** How often the watcher runs, and so the finest pause it can tell from scheduling noise. */
  static final long TICK_MILLIS = 100;

  /** How long a member has to answer how it sees this node. */
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(1);

  /** Where each node's {@link Witness} is, under {@code /system}. */
  private static final String WITNESS = "cairn-pause-witness";

  private static final Id ID = new Id();

  private final ExtendedActorSystem system;
  private final Cluster cluster;
  private final long thresholdNanos;
  // Added to the clock by simulatePause.
  private volatile long simulatedNanos;
  private volatile long lastRun = System.nanoTime();
  private volatile boolean closed;
  // Counts the pauses seen; a confirmation counts only for the pause it was asked after.
  private volatile long pauses;
  private volatile long pausedNanos;
  private boolean asking;
  private long nextAsk;
  private long lastRefusalLogged = -1;

  private PauseFence(ExtendedActorSystem system) {
    this.system = system;
    this.thresholdNanos = threshold(system).toNanos();
    this.cluster =
        system.provider() instanceof ClusterActorRefProvider ? Cluster.get(system) : null;
    if (cluster != null) {
      system.systemActorOf(Props.create(Witness.class, () -> new Witness(cluster)), WITNESS);
    }
    Thread watcher = new Thread(this::watch, "cairn-pause-fence");
    watcher.setDaemon(true);
    watcher.start();
    system.registerOnTermination(watcher::interrupt);
  }

  public static PauseFence get(ActorSystem system) {
    return ID.get(system);
  }

  public static PauseFence get(org.apache.pekko.actor.typed.ActorSystem<?> system) {
    return ID.get(system.classicSystem());
  }

  /** {@code cairn.cluster.pause-fence}, or 2 s where the configuration has none (a test's). */
  static Duration threshold(ActorSystem system) {
    String path = "cairn.cluster.pause-fence";
    return system.settings().config().hasPath(path)
        ? system.settings().config().getDuration(path)
        : Duration.ofSeconds(2);
  }

  /**
   * For tests: from now on this node's clock is {@code pause} ahead, as if the process had not run
   * for that long. A test cannot freeze the JVM it runs in; the chaos suite freezes real nodes.
   */
  public void simulatePause(Duration pause) {
    simulatedNanos += pause.toNanos();
  }

  /** How many pauses this node has seen since it started. */
  public long pauses() {
    return pauses;
  }

  private long now() {
    return System.nanoTime() + simulatedNanos;
  }

  /** Whether this node may serve and write documents now. */
  public boolean isOpen() {
    return !closed && now() - lastRun <= thresholdNanos;
  }

  /** Why it is closed, for a person reading a 503 or a log line. */
  public String reason() {
    long stalled = Math.max(pausedNanos, now() - lastRun);
    return String.format(
        Locale.ROOT,
        "this node did not run for %.1f s and has not yet confirmed with the cluster that it still"
            + " holds its documents",
        stalled / 1e9);
  }

  /**
   * Waits until the fence is open, at most as long as a pause closes it for: a paused node that is
   * still a member confirms within a round trip; one that was downed never does.
   *
   * @return whether it is open
   */
  public boolean awaitOpen() throws InterruptedException {
    if (isOpen()) {
      return true;
    }
    long deadline = now() + thresholdNanos;
    synchronized (this) {
      while (!isOpen()) {
        long left = deadline - now();
        if (left <= 0) {
          return false;
        }
        wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), TICK_MILLIS)));
      }
    }
    return true;
  }

  private void watch() {
    while (!Thread.currentThread().isInterrupted()) {
      try {
        Thread.sleep(TICK_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
      long now = now();
      long gap = now - lastRun;
      if (gap > thresholdNanos) {
        // Closed before lastRun moves on, so that no reader sees a fresh lastRun and an open fence.
        closed = true;
        pausedNanos = gap;
        pauses++;
        log.warn(
            "this node did not run for {} ms (the pause fence is {} ms): it serves no document until"
                + " the cluster confirms it is still a member",
            TimeUnit.NANOSECONDS.toMillis(gap),
            TimeUnit.NANOSECONDS.toMillis(thresholdNanos));
      }
      lastRun = now;
      if (closed) {
        confirmIfDue(now);
      }
    }
  }

  private synchronized void confirmIfDue(long now) {
    if (asking || now < nextAsk) {
      return;
    }
    asking = true;
    long pause = pauses;
    confirm()
        .whenComplete(
            (confirmed, failure) -> {
              synchronized (this) {
                asking = false;
                nextAsk = now() + TimeUnit.MILLISECONDS.toNanos(5 * TICK_MILLIS);
                if (failure == null && confirmed.isEmpty() && pause == pauses) {
                  closed = false;
                  log.info("the cluster confirms this node is still a member: serving again");
                  notifyAll();
                } else if (lastRefusalLogged != pause) {
                  lastRefusalLogged = pause;
                  log.warn(
                      "not serving documents yet: {}",
                      failure != null ? failure.toString() : confirmed);
                }
              }
            });
  }

  /**
   * Asks every other member how it sees this node. Completes with an empty string when a majority
   * of the cluster confirm it is up and reachable and none says otherwise, else with why not.
   */
  private CompletionStage<String> confirm() {
    if (cluster == null) {
      return CompletableFuture.completedFuture("");
    }
    Member self = cluster.selfMember();
    if (self.status() != MemberStatus.up() && self.status() != MemberStatus.weaklyUp()) {
      return CompletableFuture.completedFuture("this node is " + status(self.status()));
    }
    String address = self.address().toString();
    List<Member> others = new ArrayList<>();
    for (Member member : cluster.state().getMembers()) {
      if (member.equals(self) || member.status() == MemberStatus.down()) {
        continue;
      }
      others.add(member);
    }
    int members = others.size() + 1;
    List<CompletableFuture<Seen>> answers = new ArrayList<>();
    for (Member member : others) {
      answers.add(
          Patterns.ask(
                  system.actorSelection(member.address() + "/system/" + WITNESS),
                  new HowDoYouSeeMe(address),
                  ASK_TIMEOUT)
              .toCompletableFuture()
              .thenApply(answer -> (Seen) answer)
              .exceptionally(noAnswer -> null));
    }
    return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              int confirmed = 1;
              List<String> doubts = new ArrayList<>();
              for (int i = 0; i < answers.size(); i++) {
                Seen seen = answers.get(i).join();
                String who = others.get(i).address().toString();
                if (seen == null) {
                  continue;
                } else if (seen.confirms()) {
                  confirmed++;
                } else {
                  doubts.add(
                      who
                          + " sees it "
                          + seen.status()
                          + (seen.reachable() ? "" : ", unreachable"));
                }
              }
              if (!doubts.isEmpty()) {
                return String.join("; ", doubts);
              }
              return 2 * confirmed > members
                  ? ""
                  : confirmed + " of " + members + " members confirm it, fewer than a majority";
            });
  }

  private static String status(MemberStatus status) {
    return status.toString().toLowerCase(Locale.ROOT);
  }

  /** Asked of another member after a pause: how it sees the node at {@code address}. */
  public record HowDoYouSeeMe(String address) implements CairnSerializable {}

  /** The answer: the member's status in the asked member's view, and whether it reaches it. */
  public record Seen(String status, boolean reachable) implements CairnSerializable {
    boolean confirms() {
      return reachable && ("up".equals(status) || "weaklyup".equals(status));
    }
  }

  /** Answers {@link HowDoYouSeeMe} from this node's current view of the cluster. */
  static final class Witness extends AbstractActor {
    private final Cluster cluster;

    Witness(Cluster cluster) {
      this.cluster = cluster;
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(
              HowDoYouSeeMe.class,
              asked -> getSender().tell(seen(cluster.state(), asked.address()), getSelf()))
          .build();
    }

    private static Seen seen(ClusterEvent.CurrentClusterState state, String address) {
      for (Member member : state.getMembers()) {
        if (member.address().toString().equals(address)) {
          return new Seen(status(member.status()), !state.getUnreachable().contains(member));
        }
      }
      return new Seen("absent", false);
    }
  }

  private static final class Id extends AbstractExtensionId<PauseFence>
      implements ExtensionIdProvider {
    @Override
    public PauseFence createExtension(ExtendedActorSystem system) {
      return new PauseFence(system);
    }

    @Override
    public Id lookup() {
      return this;
    }
  }
}

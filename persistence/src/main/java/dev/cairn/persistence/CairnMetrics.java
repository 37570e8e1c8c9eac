package dev.cairn.persistence;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;

/**
 * The meters of one node, one registry per actor system: what the entities, the journal and the
 * read side count and time is recorded here, and whoever exposes it (the node's {@code GET
 * /metrics}) adds its registry. Until one is added, recording costs next to nothing and is
 * forgotten.
 *
 * <p>A registry per actor system, not Micrometer's global one, so that several nodes in one JVM (as
 * in the tests) each count their own.
 */
public final class CairnMetrics implements Extension {

  /** The prefix of every meter Cairn defines; Prometheus names then start with {@code cairn_}. */
  public static final String PREFIX = "cairn.";

  private static final Id ID = new Id();

  private final CompositeMeterRegistry registry = new CompositeMeterRegistry();
  private final Map<Class<?>, Object> meters = new ConcurrentHashMap<>();

  private CairnMetrics() {}

  public static CairnMetrics get(ActorSystem system) {
    return ID.get(system);
  }

  public static CairnMetrics get(org.apache.pekko.actor.typed.ActorSystem<?> system) {
    return ID.get(system.classicSystem());
  }

  /** Where to register and record meters. */
  public MeterRegistry registry() {
    return registry;
  }

  /**
   * The one set of meters of a kind on this node (the entities', the journal's...), made with
   * {@code create} the first time it is asked for: each kind registers its meters once.
   */
  public <T> T meters(Class<T> kind, Function<MeterRegistry, T> create) {
    return kind.cast(meters.computeIfAbsent(kind, k -> create.apply(registry)));
  }

  /** Sends everything recorded, before and after, to {@code exposition} too. */
  public void publishTo(MeterRegistry exposition) {
    registry.add(exposition);
  }

  private static final class Id extends AbstractExtensionId<CairnMetrics>
      implements ExtensionIdProvider {
    @Override
    public CairnMetrics createExtension(ExtendedActorSystem system) {
      return new CairnMetrics();
    }

    @Override
    public Id lookup() {
      return this;
    }
  }
}

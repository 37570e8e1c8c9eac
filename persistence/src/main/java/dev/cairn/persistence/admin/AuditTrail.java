package dev.cairn.persistence.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.persistence.readmodel.DeadLetters;
import dev.cairn.protocol.Json;
import dev.cairn.protocol.api.AuditEntry;
import dev.cairn.protocol.api.AuditPage;
import dev.cairn.protocol.event.AuditEvent;
import dev.cairn.protocol.event.EventMetadata;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who did which administrative operation, when, with what and how it ended, kept in the journal
 * like every change: one event-sourced log per day ({@code _audit|2026-12-02}), sharded so that
 * each day's log has one writer in the cluster. It is not part of an export: the trail stays with
 * the cluster whose operators it records.
 */
public final class AuditTrail {

  private static final String PREFIX = "_audit|";

  /** The principal of what the read model does on its own. */
  static final String READ_MODEL = "cairn:read-model";

  private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);

  private static final EntityTypeKey<Record> TYPE_KEY = EntityTypeKey.create(Record.class, "Audit");

  /** Records an event and answers once it is in the journal. */
  public record Record(AuditEvent event, ActorRef<Done> replyTo)
      implements dev.cairn.protocol.CairnSerializable {}

  private final ClusterSharding sharding;
  private final JournalReader journal;
  private final Clock clock;
  private final Duration askTimeout;

  public AuditTrail(
      ActorSystem<?> system, JournalReader journal, Clock clock, Duration askTimeout) {
    this.sharding = ClusterSharding.get(system);
    this.journal = journal;
    this.clock = clock;
    this.askTimeout = askTimeout;
  }

  /** Registers the day logs with Cluster Sharding on this node. */
  public static void init(ActorSystem<?> system) {
    ClusterSharding.get(system).init(Entity.of(TYPE_KEY, entity -> log(entity.getEntityId())));
  }

  /** Records that {@code principal} did {@code entry}; completes when it is in the journal. */
  public CompletionStage<Done> record(AuditEntry entry) {
    AuditEvent event =
        new AuditEvent(
            entry.operation(),
            entry.parameters(),
            entry.status(),
            entry.outcome(),
            new EventMetadata(
                clock.instant(),
                entry.requestId(),
                entry.principal(),
                null,
                null,
                null,
                null,
                null));
    String day = clock.instant().atZone(ZoneOffset.UTC).toLocalDate().toString();
    return sharding
        .entityRefFor(TYPE_KEY, day)
        .ask(replyTo -> new Record(event, replyTo), askTimeout);
  }

  /**
   * Records that a projection parked an event it could not handle: skipping an event is an
   * administrative act, though the projection does it (principal {@value #READ_MODEL}, status 200).
   * A failure to record is logged, not thrown: the projection goes on.
   */
  public void parked(DeadLetters.Letter letter) {
    ObjectNode parameters =
        Json.mapper()
            .createObjectNode()
            .put("projection", letter.projection())
            .put("offset", letter.offset())
            .put("slice", letter.slice())
            .put("persistenceId", letter.persistenceId())
            .put("version", letter.version());
    ObjectNode outcome =
        Json.mapper()
            .createObjectNode()
            .put("attempts", letter.attempts())
            .put("error", letter.message());
    record(
            new AuditEntry(
                Instant.ofEpochMilli(letter.parkedAt()),
                READ_MODEL,
                null,
                "park",
                parameters,
                200,
                outcome))
        .whenComplete(
            (done, failure) -> {
              if (failure != null) {
                log.warn(
                    "parking event {} of {} is not in the audit trail: {}",
                    letter.offset(),
                    letter.persistenceId(),
                    failure.toString());
              }
            });
  }

  /** Up to {@code limit} operations before offset {@code before}, newest first. */
  public CompletionStage<AuditPage> page(long before, int limit) {
    return journal
        .newestFirst(PREFIX, before, limit)
        .thenApply(
            events -> {
              List<AuditEntry> items =
                  events.stream()
                      .filter(raw -> raw.event() instanceof AuditEvent)
                      .map(raw -> entry((AuditEvent) raw.event()))
                      .toList();
              Long next = events.size() == limit ? events.get(events.size() - 1).offset() : null;
              return new AuditPage(items, next);
            });
  }

  private static AuditEntry entry(AuditEvent event) {
    return new AuditEntry(
        event.meta().timestamp(),
        event.meta().principal(),
        event.meta().requestId(),
        event.operation(),
        event.parameters() == null ? Json.mapper().nullNode() : event.parameters(),
        event.status(),
        event.outcome() == null ? Json.mapper().nullNode() : event.outcome());
  }

  /** A day's log: it only appends, so its state is how many entries it holds. */
  private static Behavior<Record> log(String day) {
    return new EventSourcedBehavior<Record, AuditEvent, Long>(
        PersistenceId.ofUniqueId(PREFIX + day)) {
      @Override
      public Long emptyState() {
        return 0L;
      }

      @Override
      public CommandHandler<Record, AuditEvent, Long> commandHandler() {
        return (state, record) ->
            Effect().persist(record.event()).thenRun(next -> record.replyTo().tell(Done.done()));
      }

      @Override
      public EventHandler<Long, AuditEvent> eventHandler() {
        return (state, event) -> state + 1;
      }
    };
  }
}

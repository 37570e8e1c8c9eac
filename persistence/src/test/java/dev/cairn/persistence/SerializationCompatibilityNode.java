package dev.cairn.persistence;

import static dev.cairn.persistence.SerializationCompatibilityFixtures.TIMEOUT;
import static dev.cairn.persistence.SerializationCompatibilityFixtures.await;
import static dev.cairn.persistence.SerializationCompatibilityFixtures.show;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.persistence.admin.AuditTrail;
import dev.cairn.protocol.Document;
import dev.cairn.protocol.DocumentKey;
import dev.cairn.protocol.command.DocumentCommand;
import dev.cairn.protocol.reply.DocumentReply;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * What a Cairn node runs for documents, definitions and the audit trail, on an actor system of
 * {@link SerializationCompatibilityFixtures#nodeConfig}: what the journal fixtures are written with
 * by one release and read with by the later ones, in the same way.
 */
record SerializationCompatibilityNode(
    ActorSystem<?> system,
    CollectionRegistry registry,
    DocumentHistory history,
    Documents documents,
    CollectionDefinitions collections,
    Database database) {

  /**
   * Joins the system's cluster of one and starts what {@code CairnNode} starts for documents,
   * definitions and the audit trail, once the definitions in the journal are known.
   */
  static SerializationCompatibilityNode start(ActorSystem<?> system) throws Exception {
    CompletableFuture<Void> up = new CompletableFuture<>();
    org.apache.pekko.cluster.Cluster.get(system.classicSystem())
        .registerOnMemberUp(() -> up.complete(null));
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    up.get(30, TimeUnit.SECONDS);
    CollectionRegistry registry = new CollectionRegistry();
    registry.follow(system).toCompletableFuture().get(30, TimeUnit.SECONDS);
    CollectionEntity.init(system);
    AuditTrail.init(system);
    DocumentHistory history = DocumentHistory.of(system);
    DocumentEntity.init(
        system,
        new DocumentEntity.Setup(
            registry, history, TestLimits.defaults(), false, 100, Clock.systemUTC()));
    return new SerializationCompatibilityNode(
        system,
        registry,
        history,
        new Documents(system, history, new AccessControl(registry), TIMEOUT),
        new CollectionDefinitions(system, registry, TIMEOUT),
        new Database(system));
  }

  /** Sends a command to the document's entity, as the front door does. */
  DocumentReply ask(DocumentKey key, DocumentCommand command) throws Exception {
    return await(
        ClusterSharding.get(system)
            .entityRefFor(DocumentEntity.TYPE_KEY, key.entityId())
            .ask(r -> new DocumentEntity.Command(command, r), TIMEOUT));
  }

  /** What the document's entity answers now (deleted or not). */
  Document current(DocumentKey key) throws Exception {
    return inspect(key, false);
  }

  /** Lets the document's entity leave memory: the next message recovers it from the journal. */
  void passivate(DocumentKey key) throws Exception {
    inspect(key, true);
  }

  private Document inspect(DocumentKey key, boolean passivate) throws Exception {
    DocumentReply reply =
        await(
            ClusterSharding.get(system)
                .entityRefFor(DocumentEntity.TYPE_KEY, key.entityId())
                .ask(r -> new DocumentEntity.Inspect(passivate, r), TIMEOUT));
    return ((DocumentReply.Found) reply).document();
  }

  /** A document as this node reads it: now, at every version, and its history. */
  ObjectNode read(DocumentKey key) throws Exception {
    ObjectNode document = JsonNodeFactory.instance.objectNode();
    document.put("collection", key.collection()).put("id", key.id());
    Document now = current(key);
    document.set("current", show(system, now));
    ArrayNode versions = document.putArray("versions");
    for (long version = 1; version <= now.version(); version++) {
      versions.add(show(system, await(history.stateAt(key, version)).orElseThrow()));
    }
    document.set("history", show(system, await(history.entries(key, 0, 10_000))));
    return document;
  }

  /** A collection's definition as this node reads it. */
  ObjectNode readCollection(String name) throws Exception {
    ObjectNode collection = JsonNodeFactory.instance.objectNode().put("name", name);
    collection.set("current", show(system, await(collections.get(name))));
    return collection;
  }

  /** Every event in the journal as this node reads it, by persistence id. */
  ArrayNode events() throws Exception {
    JdbcReadJournal journal =
        PersistenceQuery.get(system)
            .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    List<String> ids =
        await(journal.currentPersistenceIds().runWith(Sink.seq(), system)).stream()
            .sorted()
            .toList();
    ArrayNode events = JsonNodeFactory.instance.arrayNode();
    for (String id : ids) {
      for (EventEnvelope envelope :
          await(
              journal
                  .currentEventsByPersistenceId(id, 0, Long.MAX_VALUE)
                  .runWith(Sink.seq(), system))) {
        ObjectNode event = events.addObject();
        event.put("persistenceId", id).put("sequenceNr", envelope.sequenceNr());
        event.put("class", envelope.event().getClass().getName());
        event.set("event", show(system, envelope.event()));
      }
    }
    return events;
  }
}

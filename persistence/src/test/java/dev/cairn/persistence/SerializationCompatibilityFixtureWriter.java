package dev.cairn.persistence;

import static dev.cairn.persistence.SerializationCompatibilityFixtures.EXPECTED;
import static dev.cairn.persistence.SerializationCompatibilityFixtures.JOURNAL;
import static dev.cairn.persistence.SerializationCompatibilityFixtures.JOURNAL_TABLES;
import static dev.cairn.persistence.SerializationCompatibilityFixtures.MESSAGES;
import static dev.cairn.persistence.SerializationCompatibilityFixtures.SCHEMA_VERSION;
import static dev.cairn.persistence.SerializationCompatibilityFixtures.TIMEOUT;
import static dev.cairn.persistence.SerializationCompatibilityFixtures.await;
import static dev.cairn.persistence.SerializationCompatibilityFixtures.show;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import dev.cairn.config.CairnSettings;
import dev.cairn.persistence.SerializationCompatibilityFixtures.Message;
import dev.cairn.persistence.SerializationCompatibilitySamples.Sample;
import dev.cairn.persistence.admin.AuditTrail;
import dev.cairn.persistence.admin.JournalReader;
import dev.cairn.protocol.DocumentKey;
import dev.cairn.protocol.Json;
import dev.cairn.protocol.PatchFormat;
import dev.cairn.protocol.access.AccessRules;
import dev.cairn.protocol.access.Principal;
import dev.cairn.protocol.api.AuditEntry;
import dev.cairn.protocol.collection.CollectionDefinition;
import dev.cairn.protocol.collection.CollectionReply;
import dev.cairn.protocol.collection.IndexField;
import dev.cairn.protocol.collection.IndexType;
import dev.cairn.protocol.command.DocumentCommand;
import dev.cairn.protocol.command.Preconditions;
import dev.cairn.protocol.command.WriteContext;
import dev.cairn.protocol.reply.DocumentReply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Writes this release's serialization fixtures ({@link SerializationCompatibilityFixtures}), for
 * every later release's {@link SerializationCompatibilityTest} to read. It runs only when asked,
 * with {@code -Dcairn.compat.write=<directory>} (docs/upgrades.md, "Fixtures"), on a node-like
 * actor system: Cairn's configuration, a cluster of one, the JDBC journal on H2.
 *
 * <p>Messages: every sample of {@link SerializationCompatibilitySamples}, through the serializer
 * Pekko picks for it; the writer fails if a class bound to Jackson CBOR has no sample. Journal: a
 * collection defined twice (with a schema, indexes, access rules and an owner), documents created,
 * patched both ways, replaced, reverted, deleted and recreated (with idempotency keys, and enough
 * events for snapshots), a document in an undefined collection, and an audit entry; then the rows
 * as they are in the tables, and what this release reads back from them.
 */
@EnabledIfSystemProperty(named = "cairn.compat.write", matches = ".+")
class SerializationCompatibilityFixtureWriter {

  private static final Principal EDITOR = new Principal("alice", Set.of("editor"), true);
  private static final Principal ADMIN = Principal.UNCHECKED_ADMINISTRATOR;

  private static final DocumentKey N1 = new DocumentKey("notes", "n1");
  private static final DocumentKey N2 = new DocumentKey("notes", "n2");
  private static final DocumentKey P1 = new DocumentKey("plain", "p1");

  @Test
  void writesWhatThisReleaseSerializes() throws Exception {
    Path release = Path.of(System.getProperty("cairn.compat.write")).toAbsolutePath();
    if (Files.isDirectory(release)) {
      try (Stream<Path> existing = Files.list(release)) {
        assertThat(existing.toList())
            .as("a release's fixtures are kept as they are: %s must be new or empty", release)
            .isEmpty();
      }
    }
    Path data = Files.createTempDirectory("cairn-compat-write");
    Config config = SerializationCompatibilityFixtures.nodeConfig(data);
    JournalSchema.migrate(CairnSettings.from(config).database());
    ActorTestKit node = ActorTestKit.create(CairnSettings.SYSTEM_NAME, config);
    try {
      SerializationCompatibilityNode started = SerializationCompatibilityNode.start(node.system());
      writeMessages(node, release.resolve(MESSAGES));
      writeJournal(started, release.resolve(JOURNAL));
    } finally {
      node.shutdownTestKit();
    }
  }

  // --- messages -------------------------------------------------------------------------------

  private void writeMessages(ActorTestKit node, Path messages) throws Exception {
    List<Sample> samples =
        SerializationCompatibilitySamples.all(
            node.<DocumentReply>createTestProbe().ref(),
            node.<CollectionReply>createTestProbe().ref(),
            node.<Done>createTestProbe().ref());
    Set<Class<?>> sampled =
        samples.stream().map(s -> s.value().getClass()).collect(Collectors.toSet());
    assertThat(
            SerializationCompatibilityFixtures.boundClasses().stream()
                .filter(type -> !sampled.contains(type))
                .map(Class::getName))
        .as("classes bound to Jackson CBOR without a sample in SerializationCompatibilitySamples")
        .isEmpty();

    Serialization serialization = SerializationExtension.get(node.system().classicSystem());
    Set<String> names = new HashSet<>();
    for (Sample sample : samples) {
      assertThat(names.add(sample.name())).as("one sample named %s", sample.name()).isTrue();
      Object value = sample.value();
      Serializer serializer = serialization.findSerializerFor(value);
      assertThat(serializer.identifier())
          .as("%s is serialized by jackson-cbor", value.getClass().getName())
          .isEqualTo(33);
      String manifest = Serializers.manifestFor(serializer, value);
      byte[] bytes = serialization.serialize(value).get();
      JsonNode shown = show(node.system(), value);
      Object read = serialization.deserialize(bytes, serializer.identifier(), manifest).get();
      assertThat(show(node.system(), read))
          .as("%s reads back as it was written", sample.name())
          .isEqualTo(shown);
      SerializationCompatibilityFixtures.write(
          messages,
          new Message(
              sample.name(),
              value.getClass().getName(),
              serializer.identifier(),
              manifest,
              bytes,
              shown));
    }
  }

  // --- journal --------------------------------------------------------------------------------

  private void writeJournal(SerializationCompatibilityNode node, Path journal) throws Exception {
    defineNotes(node.collections());
    writeDocuments(node.documents());
    await(
        new AuditTrail(
                node.system(),
                new JournalReader(node.system(), node.database()),
                Clock.systemUTC(),
                TIMEOUT)
            .record(
                new AuditEntry(
                    Instant.now(),
                    "anonymous",
                    "req-audit",
                    "rebuild",
                    json("{\"collection\":\"notes\"}"),
                    200,
                    json("{\"documents\":2}"))));
    // notes|n1 snapshots at 3 and 6 (the definition's snapshotEvery); a snapshot is saved after
    // the write it follows is answered.
    awaitSnapshots(node.database(), 2);

    ObjectNode expected = JsonNodeFactory.instance.objectNode();
    ArrayNode documents = expected.putArray("documents");
    for (DocumentKey key : List.of(N1, N2, P1)) {
      documents.add(node.read(key));
    }
    expected.putArray("collections").add(node.readCollection("notes"));
    expected.set("events", node.events());

    try (Connection c = node.database().connection()) {
      for (SerializationCompatibilityFixtures.Table table : JOURNAL_TABLES) {
        SerializationCompatibilityFixtures.writeRows(
            journal.resolve(table.name() + ".ndjson"),
            SerializationCompatibilityFixtures.rows(c, table.name(), table.orderBy()));
      }
      Files.writeString(
          journal.resolve(SCHEMA_VERSION),
          SerializationCompatibilityFixtures.schemaVersion(c) + "\n");
    }
    SerializationCompatibilityFixtures.writeJson(journal.resolve(EXPECTED), expected);
  }

  private void defineNotes(CollectionDefinitions collections) throws Exception {
    JsonNode schema =
        json(
            "{\"type\":\"object\",\"required\":[\"title\"],\"properties\":"
                + "{\"title\":{\"type\":\"string\"},\"author\":{\"type\":\"string\"}}}");
    AccessRules rules =
        new AccessRules(
            List.of(AccessRules.AUTHENTICATED),
            List.of("role:editor"),
            List.of("role:editor", AccessRules.OWNER),
            List.of(AccessRules.OWNER));
    Map<String, IndexField> title = Map.of("title", new IndexField("/title", IndexType.STRING));
    defined(
        collections.define(
            "notes",
            new CollectionDefinition(schema, title, 3, rules, "/author"),
            Preconditions.createOnly(),
            WriteContext.of("req-define-1")));
    Map<String, IndexField> more = new java.util.TreeMap<>(title);
    more.put("rank", new IndexField("/rank", IndexType.NUMBER));
    defined(
        collections.define(
            "notes",
            new CollectionDefinition(schema, more, 3, rules, "/author"),
            Preconditions.atVersion(1),
            WriteContext.of("req-define-2")));
  }

  private void writeDocuments(Documents documents) throws Exception {
    WriteContext byEditor = WriteContext.by("req-n1-1", EDITOR);
    written(
        documents,
        N1,
        new DocumentCommand.Put(
            object("{\"title\":\"First\",\"author\":\"alice\",\"rank\":1}"),
            Preconditions.createOnly(),
            byEditor
                .withIdempotencyKey("key-1", "sha256:n1-first")
                .withTraceId("0af7651916cd43dd8448eb211c80319c")));
    written(
        documents,
        N1,
        new DocumentCommand.Patch(
            PatchFormat.MERGE_PATCH,
            json("{\"rank\":2.5,\"tags\":[\"a\",\"b\"]}"),
            Preconditions.NONE,
            WriteContext.by("req-n1-2", EDITOR)));
    written(
        documents,
        N1,
        new DocumentCommand.Patch(
            PatchFormat.JSON_PATCH,
            json(
                "[{\"op\":\"replace\",\"path\":\"/title\",\"value\":\"First, again\"},"
                    + "{\"op\":\"add\",\"path\":\"/tags/-\",\"value\":\"c\"}]"),
            Preconditions.atVersion(2),
            WriteContext.by("req-n1-3", EDITOR)));
    written(
        documents,
        N1,
        new DocumentCommand.Put(
            object(
                "{\"title\":\"Replaced\",\"author\":\"alice\","
                    + "\"nested\":{\"deep\":[1,{\"x\":null}],\"big\":12345678901234567890}}"),
            new Preconditions(List.of(3L), true, false),
            WriteContext.by("req-n1-4", EDITOR).withIdempotencyKey("key-2", "sha256:n1-replace")));
    written(
        documents,
        N1,
        new DocumentCommand.Revert(1, Preconditions.NONE, WriteContext.by("req-n1-5", ADMIN)));
    written(
        documents,
        N1,
        new DocumentCommand.Delete(Preconditions.NONE, WriteContext.by("req-n1-6", EDITOR)));
    written(
        documents,
        N1,
        new DocumentCommand.Put(
            object("{\"title\":\"Again\",\"author\":\"alice\"}"),
            Preconditions.NONE,
            WriteContext.by("req-n1-7", ADMIN)));

    written(
        documents,
        N2,
        new DocumentCommand.Put(
            object("{\"title\":\"Second\",\"author\":\"bob\"}"),
            Preconditions.NONE,
            WriteContext.by("req-n2-1", ADMIN)));
    written(
        documents,
        N2,
        new DocumentCommand.Delete(Preconditions.NONE, WriteContext.by("req-n2-2", ADMIN)));

    written(
        documents,
        P1,
        new DocumentCommand.Put(
            object("{\"any\":\"thing\",\"unicode\":\"žluťoučký kůň 🐎\",\"n\":1.5}"),
            Preconditions.NONE,
            WriteContext.by("req-p1-1", ADMIN).withIdempotencyKey("key-p1", "sha256:p1")));
    written(
        documents,
        P1,
        new DocumentCommand.Patch(
            PatchFormat.MERGE_PATCH,
            json("{\"n\":null,\"more\":[true,false,null]}"),
            Preconditions.NONE,
            WriteContext.by("req-p1-2", ADMIN)));
  }

  private static void awaitSnapshots(Database database, int count) throws Exception {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      try (Connection c = database.connection();
          Statement select = c.createStatement();
          ResultSet result = select.executeQuery("SELECT COUNT(*) FROM \"snapshot\"")) {
        result.next();
        if (result.getInt(1) >= count) {
          return;
        }
      }
      assertThat(System.nanoTime()).as("%d snapshots saved in time", count).isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private static void written(Documents documents, DocumentKey key, DocumentCommand.Write write)
      throws Exception {
    DocumentReply reply = await(documents.write(key, write));
    assertThat(reply).as("%s: %s", key, write).isInstanceOf(DocumentReply.Written.class);
  }

  private static void defined(CompletionStage<CollectionReply> define) throws Exception {
    assertThat(await(define)).isInstanceOf(CollectionReply.Defined.class);
  }

  private static JsonNode json(String text) throws Exception {
    return Json.mapper().readTree(text);
  }

  private static ObjectNode object(String text) throws Exception {
    return (ObjectNode) json(text);
  }
}

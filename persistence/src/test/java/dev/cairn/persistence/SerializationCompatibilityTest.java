package dev.cairn.persistence;

import static dev.cairn.persistence.SerializationCompatibilityFixtures.EXPECTED;
import static dev.cairn.persistence.SerializationCompatibilityFixtures.HOW_TO_WRITE;
import static dev.cairn.persistence.SerializationCompatibilityFixtures.JOURNAL;
import static dev.cairn.persistence.SerializationCompatibilityFixtures.JOURNAL_TABLES;
import static dev.cairn.persistence.SerializationCompatibilityFixtures.SCHEMA_VERSION;
import static dev.cairn.persistence.SerializationCompatibilityFixtures.await;
import static dev.cairn.persistence.SerializationCompatibilityFixtures.release;
import static dev.cairn.persistence.SerializationCompatibilityFixtures.releases;
import static dev.cairn.persistence.SerializationCompatibilityFixtures.show;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.typesafe.config.Config;
import dev.cairn.config.CairnSettings;
import dev.cairn.persistence.SerializationCompatibilityFixtures.Message;
import dev.cairn.protocol.Document;
import dev.cairn.protocol.DocumentKey;
import dev.cairn.protocol.access.Principal;
import dev.cairn.protocol.command.DocumentCommand;
import dev.cairn.protocol.command.Preconditions;
import dev.cairn.protocol.command.WriteContext;
import dev.cairn.protocol.reply.DocumentReply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * This release reads what earlier releases wrote, so that nodes of the previous release and of this
 * one serve together in one cluster during a rolling upgrade (docs/upgrades.md). Every message,
 * event and snapshot an earlier release left under {@code compat/} ({@link
 * SerializationCompatibilityFixtures}) reads back with the values it was written with, and that
 * release's journal, migrated as a node migrates it at start, recovers through this release's
 * entities with the same documents, versions and history, and takes new writes.
 *
 * <p>A value reads back as written when every member the earlier release wrote has the value it
 * wrote. Members only this release has may hold anything: they are what a later release adds, and
 * an earlier node ignores them in turn, as Pekko's Jackson leaves {@code
 * FAIL_ON_UNKNOWN_PROPERTIES} off.
 */
class SerializationCompatibilityTest {

  @TempDir static Path data;

  private static ActorTestKit testKit;
  private static Serialization serialization;

  @BeforeAll
  static void startNode() {
    testKit =
        ActorTestKit.create(
            CairnSettings.SYSTEM_NAME,
            SerializationCompatibilityFixtures.nodeConfig(data.resolve("messages")));
    serialization = SerializationExtension.get(testKit.system().classicSystem());
  }

  @AfterAll
  static void stopNode() {
    testKit.shutdownTestKit();
  }

  // --- messages -------------------------------------------------------------------------------

  @TestFactory
  Stream<DynamicTest> everyMessageAnEarlierReleaseWroteReadsAsItWasWritten() throws Exception {
    List<DynamicTest> tests = new ArrayList<>();
    for (Path release : releases()) {
      for (Message message : SerializationCompatibilityFixtures.messages(release)) {
        tests.add(
            dynamicTest(
                release(release) + " " + message.name(),
                () -> readsAsWritten(release(release), message)));
      }
    }
    assertThat(tests).as("message fixtures under compat/").isNotEmpty();
    return tests.stream();
  }

  private static void readsAsWritten(String release, Message message) {
    Object read;
    try {
      read =
          serialization
              .deserialize(message.bytes(), message.serializerId(), message.manifest())
              .get();
    } catch (Exception | LinkageError e) {
      throw new AssertionError(
          message.describe(release)
              + " can no longer be read: a node of this release could not read it from "
              + release
              + "'s journal or from a node of "
              + release
              + " during a rolling upgrade (keep the class's name and members, or migrate them:"
              + " docs/upgrades.md): "
              + e,
          e);
    }
    assertReadsAsWritten(message.describe(release), message.value(), show(testKit.system(), read));
  }

  @Test
  void everyClassBoundToJacksonCborHasAFixture() throws Exception {
    Set<String> withFixture = new HashSet<>();
    for (Path release : releases()) {
      for (Message message : SerializationCompatibilityFixtures.messages(release)) {
        withFixture.add(message.className());
      }
    }
    assertThat(
            SerializationCompatibilityFixtures.boundClasses().stream()
                .map(Class::getName)
                .filter(name -> !withFixture.contains(name)))
        .as(
            "classes bound to Jackson CBOR that no release has a fixture of: give each a sample in"
                + " SerializationCompatibilitySamples and write this release's fixtures with %s",
            HOW_TO_WRITE)
        .isEmpty();
  }

  /** The node module's classes are not on this module's classpath, so none could have a fixture. */
  @Test
  void theNodeModuleBindsNoClassOfItsOwnToJacksonCbor() throws Exception {
    Path nodeSources = Path.of("..", "node", "src", "main", "java");
    if (!Files.isDirectory(nodeSources)) {
      return;
    }
    try (Stream<Path> sources = Files.walk(nodeSources)) {
      assertThat(
              sources
                  .filter(p -> p.toString().endsWith(".java"))
                  .filter(p -> read(p).contains("CairnSerializable")))
          .as(
              "node classes marked CairnSerializable: move them to protocol or persistence, where"
                  + " this test and the fixture writer see them")
          .isEmpty();
    }
  }

  private static String read(Path source) {
    try {
      return Files.readString(source);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * What makes an added member safe: an earlier node reads a payload that has members its classes
   * do not know, and drops them. Pekko's Jackson leaves FAIL_ON_UNKNOWN_PROPERTIES off and Cairn
   * keeps it so; snapshots rely on it already, as they hold {@code DocumentState.isLive()}, which
   * is written and never read.
   */
  @Test
  void aPayloadWithMembersOfALaterReleaseReadsAsWithoutThem() throws Exception {
    ObjectMapper cbor =
        JacksonObjectMapperProvider.get(testKit.system().classicSystem())
            .getOrCreate("jackson-cbor", Optional.of(new CBORFactory()));
    assertThat(cbor.isEnabled(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES))
        .as("FAIL_ON_UNKNOWN_PROPERTIES of the jackson-cbor serializer")
        .isFalse();
    Message created = oldest("DocumentEvent.Created");
    ObjectNode later = (ObjectNode) cbor.readTree(created.bytes());
    later.put("memberOfALaterRelease", "ignored");
    ((ObjectNode) later.get("meta"))
        .put("traceOfALaterRelease", "4bf92f3577b34da6a3ce929d0e0e4736");

    Object read =
        serialization
            .deserialize(cbor.writeValueAsBytes(later), created.serializerId(), created.manifest())
            .get();

    assertThat(read)
        .isEqualTo(
            serialization
                .deserialize(created.bytes(), created.serializerId(), created.manifest())
                .get());
  }

  /**
   * An enum constant is not an optional member: a node that does not know it cannot read the
   * message at all (Jackson refuses an unknown enum value), so a new problem type, patch format or
   * index type waits for the two-step rollout of docs/upgrades.md.
   */
  @Test
  void aProblemTypeALaterReleaseAddsCannotBeReadByThisOne() throws Exception {
    ObjectMapper cbor =
        JacksonObjectMapperProvider.get(testKit.system().classicSystem())
            .getOrCreate("jackson-cbor", Optional.of(new CBORFactory()));
    Message rejected = oldest("DocumentReply.Rejected");
    ObjectNode later = (ObjectNode) cbor.readTree(rejected.bytes());
    later.put("problem", "PROBLEM_OF_A_LATER_RELEASE");

    assertThat(
            serialization
                .deserialize(
                    cbor.writeValueAsBytes(later), rejected.serializerId(), rejected.manifest())
                .isFailure())
        .isTrue();
  }

  private static Message oldest(String name) throws Exception {
    for (Path release : releases()) {
      for (Message message : SerializationCompatibilityFixtures.messages(release)) {
        if (message.name().equals(name)) {
          return message;
        }
      }
    }
    throw new AssertionError("no release has a fixture " + name);
  }

  // --- journal --------------------------------------------------------------------------------

  @TestFactory
  Stream<DynamicTest> theJournalOfAnEarlierReleaseRecoversThroughThisReleasesEntities()
      throws Exception {
    List<DynamicTest> tests = new ArrayList<>();
    for (Path release : releases()) {
      if (Files.isDirectory(release.resolve(JOURNAL))) {
        tests.add(dynamicTest(release(release) + " journal", () -> recovers(release)));
      }
    }
    assertThat(tests).as("journal fixtures under compat/").isNotEmpty();
    return tests.stream();
  }

  private static void recovers(Path release) throws Exception {
    String from = release(release);
    Path journal = release.resolve(JOURNAL);
    Config config = SerializationCompatibilityFixtures.nodeConfig(data.resolve("journal-" + from));
    CairnSettings.Database database = CairnSettings.from(config).database();
    loadAsWritten(database, journal);
    JournalSchema.migrate(database);

    ActorTestKit upgraded = ActorTestKit.create(CairnSettings.SYSTEM_NAME, config);
    try {
      SerializationCompatibilityNode node = SerializationCompatibilityNode.start(upgraded.system());
      JsonNode expected = SerializationCompatibilityFixtures.readJson(journal.resolve(EXPECTED));

      assertReadsAsWritten(from + "'s journal events", expected.get("events"), node.events());
      for (JsonNode collection : expected.get("collections")) {
        String name = collection.get("name").asText();
        assertReadsAsWritten(from + "'s collection " + name, collection, node.readCollection(name));
      }
      for (JsonNode document : expected.get("documents")) {
        DocumentKey key = key(document);
        assertReadsAsWritten(from + "'s document " + key, document, node.read(key));
        retriedKeysWriteNothing(node, key, document);
      }
      for (JsonNode document : expected.get("documents")) {
        if (!document.get("current").get("deleted").asBoolean()) {
          aWriteFollowsTheEarlierReleasesEvents(node, key(document), document);
        }
      }
    } finally {
      upgraded.shutdownTestKit();
    }
  }

  /**
   * Creates the schema as the earlier release had it, fills it with that release's rows as they
   * were (their orderings too), and lets the next ordering follow them.
   */
  private static void loadAsWritten(CairnSettings.Database database, Path journal)
      throws Exception {
    Flyway.configure()
        .dataSource(database.url(), database.user(), database.password())
        .locations("classpath:db/migration/h2")
        .target(Files.readString(journal.resolve(SCHEMA_VERSION)).trim())
        .load()
        .migrate();
    try (Connection c =
        DriverManager.getConnection(database.url(), database.user(), database.password())) {
      for (SerializationCompatibilityFixtures.Table table : JOURNAL_TABLES) {
        SerializationCompatibilityFixtures.insert(
            c,
            table.name(),
            SerializationCompatibilityFixtures.readRows(journal.resolve(table.name() + ".ndjson")));
      }
      try (Statement statement = c.createStatement();
          ResultSet next =
              statement.executeQuery(
                  "SELECT COALESCE(MAX(\"ordering\"), 0) + 1 FROM \"event_journal\"")) {
        next.next();
        statement.execute(
            "ALTER TABLE \"event_journal\" ALTER COLUMN \"ordering\" RESTART WITH "
                + next.getLong(1));
      }
    }
  }

  /**
   * The idempotency keys the earlier release remembered (in its snapshot and its events) are still
   * remembered: a retry is answered with its first result and writes nothing.
   */
  private static void retriedKeysWriteNothing(
      SerializationCompatibilityNode node, DocumentKey key, JsonNode document) throws Exception {
    JsonNode versions = document.get("versions");
    long version = document.get("current").get("version").asLong();
    for (JsonNode remembered : versions.get(versions.size() - 1).path("rememberedWrites")) {
      String principal =
          remembered.path("principal").isTextual()
              ? remembered.get("principal").asText()
              : Principal.ANONYMOUS_SUBJECT;
      WriteContext retry =
          WriteContext.by("req-retry", new Principal(principal, Set.of(Principal.ADMIN), true))
              .withIdempotencyKey(
                  remembered.get("key").asText(), remembered.get("requestHash").asText());
      long first = remembered.get("version").asLong();

      DocumentReply reply =
          node.ask(
              key,
              new DocumentCommand.Put(
                  JsonNodeFactory.instance.objectNode(), Preconditions.NONE, retry));

      String what = key + " retried with key " + remembered.get("key").asText();
      if (first == version) {
        assertThat(reply).as(what).isInstanceOf(DocumentReply.Written.class);
        assertThat(((DocumentReply.Written) reply).document().version()).as(what).isEqualTo(first);
      } else {
        assertThat(reply)
            .as(what)
            .isEqualTo(
                new DocumentReply.AlreadyWritten(first, remembered.get("created").asBoolean()));
      }
      assertThat(node.current(key).version()).as(what + ": its version").isEqualTo(version);
    }
  }

  /**
   * A document the earlier release wrote takes a write of this one; the entity, passivated, then
   * recovers from both releases' events (and the earlier release's snapshot), and its history up to
   * then is as it was.
   */
  private static void aWriteFollowsTheEarlierReleasesEvents(
      SerializationCompatibilityNode node, DocumentKey key, JsonNode document) throws Exception {
    long version = document.get("current").get("version").asLong();

    DocumentReply reply =
        await(
            node.documents()
                .write(
                    key,
                    new DocumentCommand.Delete(
                        Preconditions.atVersion(version), WriteContext.of("req-upgraded"))));
    assertThat(reply)
        .as(key + " deleted by this release")
        .isInstanceOf(DocumentReply.Written.class);
    node.passivate(key);

    Document recovered = node.current(key);
    assertThat(recovered.version()).as(key + " recovered").isEqualTo(version + 1);
    assertThat(recovered.deleted()).as(key + " recovered").isTrue();
    ObjectNode read = node.read(key);
    assertReadsAsWritten(
        key + "'s versions before this release's write",
        document.get("versions"),
        first(read.get("versions"), version));
    assertReadsAsWritten(
        key + "'s history before this release's write",
        document.get("history"),
        first(read.get("history"), version));
  }

  private static ArrayNode first(JsonNode array, long count) {
    ArrayNode first = JsonNodeFactory.instance.arrayNode();
    for (int i = 0; i < Math.min(count, array.size()); i++) {
      first.add(array.get(i));
    }
    return first;
  }

  private static DocumentKey key(JsonNode document) {
    return new DocumentKey(document.get("collection").asText(), document.get("id").asText());
  }

  // --- comparing ------------------------------------------------------------------------------

  private static void assertReadsAsWritten(String what, JsonNode written, JsonNode read) {
    assertThat(differences(written, read, ""))
        .as("%s reads as it was written; where it does not", what)
        .isEmpty();
  }

  /**
   * Where {@code read} differs from {@code written} in what {@code written} holds, each as a JSON
   * Pointer and the two values. Members only {@code read} has are a later release's and differ in
   * nothing; a member written as null may be absent; numbers compare by value.
   */
  static List<String> differences(JsonNode written, JsonNode read, String at) {
    List<String> differences = new ArrayList<>();
    if (written.isObject() && read.isObject()) {
      written
          .fields()
          .forEachRemaining(
              member -> {
                String path = at + "/" + member.getKey();
                JsonNode value = read.get(member.getKey());
                if (value == null) {
                  if (!member.getValue().isNull()) {
                    differences.add(
                        path
                            + ": wrote "
                            + member.getValue()
                            + ", read nothing (renamed? removed?)");
                  }
                } else {
                  differences.addAll(differences(member.getValue(), value, path));
                }
              });
    } else if (written.isArray() && read.isArray() && written.size() == read.size()) {
      for (int i = 0; i < written.size(); i++) {
        differences.addAll(differences(written.get(i), read.get(i), at + "/" + i));
      }
    } else if (written.isNumber() && read.isNumber()) {
      if (written.decimalValue().compareTo(read.decimalValue()) != 0) {
        differences.add(at + ": wrote " + written + ", read " + read);
      }
    } else if (!written.equals(read)) {
      differences.add(at + ": wrote " + written + ", read " + read);
    }
    return differences;
  }
}

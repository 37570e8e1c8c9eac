package dev.cairn.persistence.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import dev.cairn.persistence.DocumentTags;
import dev.cairn.persistence.TestPostgres;
import dev.cairn.protocol.event.DocumentEvent;
import dev.cairn.protocol.event.EventMetadata;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Whole new histories written into a real PostgreSQL journal, and the key that fences them. */
class NewHistoriesTest {

  private static ActorTestKit testKit;
  private static Serialization serialization;
  private static String url;

  @BeforeAll
  static void start() {
    // The node's serializers, without a cluster or a journal plugin.
    testKit =
        ActorTestKit.create(
            "cairn",
            ConfigFactory.parseResourcesAnySyntax("cairn-serialization")
                .withFallback(ConfigFactory.load())
                .resolve());
    serialization = SerializationExtension.get(testKit.system().classicSystem());
    url = TestPostgres.freshDatabase();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void writesEachHistoryFromVersionOneAsTheJournalPluginWouldAndSaysWhichDocumentsHaveEvents()
      throws SQLException {
    List<DocumentEvent> a = List.of(created(1), replaced(2), replaced(3));
    List<DocumentEvent> b = List.of(created(7));
    try (Connection c = TestPostgres.connect(url)) {
      boolean written =
          new NewHistories(serialization)
              .append(
                  c,
                  List.of(
                      new NewHistories.History("notes|a", a),
                      new NewHistories.History("notes|b", b)),
                  "import-test");

      assertThat(written).isTrue();
      assertThat(NewHistories.withEvents(c, List.of("notes|a", "notes|b", "notes|c")))
          .containsExactlyInAnyOrder("notes|a", "notes|b");
      List<Row> rows = rows(c, "notes|a");
      assertThat(rows).extracting(Row::version).containsExactly(1L, 2L, 3L);
      assertThat(rows)
          .allSatisfy(
              row -> {
                assertThat(row.slice()).isEqualTo(DocumentTags.sliceOf("notes|a"));
                assertThat(row.writer()).isEqualTo("import-test");
              });
      assertThat(rows).extracting(Row::event).containsExactlyElementsOf(a);
      assertThat(rows(c, "notes|b")).extracting(Row::event).containsExactlyElementsOf(b);
    }
  }

  @Test
  void looksTheIdsUpByThePrimaryKeyWhenTheStatisticsSayTheJournalIsSmall() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      ids.add("absent|" + i);
    }
    String literals = String.join(", ", ids.stream().map(id -> "'" + id + "'").toList());
    // Planned while the journal is empty, as at a new database's first import, the plan is kept.
    try (Connection c = TestPostgres.connect(TestPostgres.freshDatabase());
        Statement sql = c.createStatement()) {
      assertThat(nodePlan(c, sql, literals)).isNotEmpty().doesNotContain("Seq Scan");
    }
    try (Connection c = TestPostgres.connect(url);
        Statement sql = c.createStatement()) {
      // As during an import into a new database: analyzed small, then grown a hundredfold.
      sql.execute("ALTER TABLE event_journal SET (autovacuum_enabled = false)");
      String rows =
          "INSERT INTO event_journal (persistence_id, sequence_number, writer, event_ser_id,"
              + " event_ser_manifest, event_payload) SELECT 'bulk|' || g, 1, 'test', 0, '',"
              + " '\\x00' FROM generate_series(%d, %d) g";
      sql.execute(rows.formatted(1, 2000));
      sql.execute("ANALYZE event_journal");
      sql.execute(rows.formatted(2001, 200000));

      try (ResultSet plan =
          sql.executeQuery(
              "EXPLAIN (FORMAT JSON) SELECT DISTINCT persistence_id FROM event_journal"
                  + " WHERE persistence_id IN ("
                  + literals
                  + ")")) {
        plan.next();
        assertThat(scans(new ObjectMapper().readTree(plan.getString(1))))
            .as("the statistics mislead a plan made for the ids")
            .contains("Seq Scan");
      }
      assertThat(nodePlan(c, sql, literals)).isNotEmpty().doesNotContain("Seq Scan");
      assertThat(NewHistories.withEvents(c, List.of("bulk|7", "absent|7", "bulk|199999")))
          .containsExactlyInAnyOrder("bulk|7", "bulk|199999");
      sql.execute("DELETE FROM event_journal WHERE persistence_id LIKE 'bulk|%'");
      sql.execute("ALTER TABLE event_journal RESET (autovacuum_enabled)");
    }
  }

  /**
   * The scans of event_journal in the plan the node's statement gets: prepared, its parameter bound
   * when it runs.
   */
  private static List<String> nodePlan(Connection c, Statement sql, String literals)
      throws Exception {
    c.setAutoCommit(false);
    try {
      NewHistories.planByPrimaryKey(c);
      sql.execute(
          "PREPARE with_events (varchar[]) AS "
              + NewHistories.WITH_EVENTS_POSTGRES.replace("?", "$1"));
      try (ResultSet plan =
          sql.executeQuery("EXPLAIN (FORMAT JSON) EXECUTE with_events (ARRAY[" + literals + "])")) {
        plan.next();
        return scans(new ObjectMapper().readTree(plan.getString(1)));
      }
    } finally {
      c.rollback();
      sql.execute("DEALLOCATE with_events");
      c.setAutoCommit(true);
    }
  }

  /** The node types of a plan that read event_journal. */
  private static List<String> scans(JsonNode node) {
    List<String> found = new ArrayList<>();
    if ("event_journal".equals(node.path("Relation Name").asText())) {
      found.add(node.get("Node Type").asText());
    }
    JsonNode children = node.isArray() ? node : node.path("Plans");
    if (node.has("Plan")) {
      found.addAll(scans(node.get("Plan")));
    }
    for (JsonNode child : children) {
      found.addAll(scans(child));
    }
    return found;
  }

  @Test
  void writesNothingWhenOneOfTheDocumentsGotAnEventFirst() throws SQLException {
    try (Connection c = TestPostgres.connect(url)) {
      NewHistories histories = new NewHistories(serialization);
      assertThat(
              histories.append(
                  c, List.of(new NewHistories.History("notes|x", List.of(created(1)))), "first"))
          .isTrue();

      boolean written =
          histories.append(
              c,
              List.of(
                  new NewHistories.History("notes|y", List.of(created(2), replaced(3))),
                  new NewHistories.History("notes|x", List.of(created(4)))),
              "second");

      assertThat(written).isFalse();
      assertThat(NewHistories.withEvents(c, Set.of("notes|x", "notes|y")))
          .containsExactly("notes|x");
      assertThat(rows(c, "notes|x")).extracting(Row::writer).containsExactly("first");
      assertThat(c.getAutoCommit()).isTrue();
    }
  }

  private record Row(long version, int slice, String writer, Object event) {}

  private static List<Row> rows(Connection c, String persistenceId) throws SQLException {
    List<Row> rows = new ArrayList<>();
    try (PreparedStatement select =
        c.prepareStatement(
            "SELECT sequence_number, slice, writer, event_payload, event_ser_id,"
                + " event_ser_manifest FROM event_journal WHERE persistence_id = ?"
                + " ORDER BY sequence_number")) {
      select.setString(1, persistenceId);
      try (ResultSet r = select.executeQuery()) {
        while (r.next()) {
          Object event =
              serialization.deserialize(r.getBytes(4), r.getInt(5), r.getString(6)).get();
          rows.add(new Row(r.getLong(1), r.getInt(2), r.getString(3), event));
        }
      }
    }
    return rows;
  }

  private static DocumentEvent created(int n) {
    return new DocumentEvent.Created(data(n), meta());
  }

  private static DocumentEvent replaced(int n) {
    return new DocumentEvent.Replaced(data(n), meta());
  }

  private static ObjectNode data(int n) {
    return JsonNodeFactory.instance.objectNode().put("n", n);
  }

  private static EventMetadata meta() {
    return new EventMetadata(
        Instant.parse("2026-12-03T08:00:00Z"), "req", "alice", null, null, null, null, null);
  }
}

package dev.cairn.persistence.journal;

import static org.assertj.core.api.Assertions.assertThat;

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

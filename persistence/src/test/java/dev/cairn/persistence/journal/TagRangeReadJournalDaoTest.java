package dev.cairn.persistence.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.cairn.persistence.DocumentTags;
import dev.cairn.persistence.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.persistence.jdbc.config.ReadJournalConfig;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import scala.Option;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcBackend$;
import slick.jdbc.PostgresProfile$;
import slick.util.AsyncExecutor$;

/** The read journal's tag query on a real PostgreSQL with a long journal. */
class TagRangeReadJournalDaoTest {

  private static String url;

  @BeforeAll
  static void journal() throws SQLException {
    url = TestPostgres.freshDatabase();
    try (Connection c = TestPostgres.connect(url);
        Statement s = c.createStatement()) {
      // 20,000 events: even orderings tagged "even", all tagged "all"; ordering 19,990 deleted.
      s.execute(
          "INSERT INTO event_journal (ordering, persistence_id, sequence_number, writer,"
              + " event_ser_id, event_ser_manifest, event_payload, deleted)"
              + " SELECT g, 'p' || g, 1, 'w', 1, 'm', '\\x00', g = 19990"
              + " FROM generate_series(1, 20000) g");
      s.execute(
          "INSERT INTO event_tag (event_id, tag) SELECT g, 'all' FROM generate_series(1, 20000) g"
              + " UNION ALL SELECT g, 'even' FROM generate_series(2, 20000, 2) g");
      // 40,000 document events after them, in eight slices by ordering; 40,003 deleted.
      s.execute(
          "INSERT INTO event_journal (ordering, persistence_id, sequence_number, writer,"
              + " event_ser_id, event_ser_manifest, event_payload, deleted, slice)"
              + " SELECT g, 'd' || g, 1, 'w', 1, 'm', '\\x00', g = 40003, g % 8"
              + " FROM generate_series(20001, 60000) g");
      s.execute("ANALYZE");
    }
  }

  @Test
  void answersASlicesEventsAfterTheOffsetUpToTheMaximumInOrderWithoutDeletedOnes()
      throws SQLException {
    assertThat(sliceOrderings(3, 39980, 40030, 100))
        .containsExactly(39987L, 39995L, 40011L, 40019L, 40027L);
    assertThat(sliceOrderings(0, 0, 60000, 2)).containsExactly(20008L, 20016L);
    assertThat(sliceOrderings(5, 60000, 70000, 10)).isEmpty();
  }

  @Test
  void readsOnlyTheSlicesRowsNotTheOtherSlicesInTheRange() throws Exception {
    try (Connection c = TestPostgres.connect(url);
        PreparedStatement explain =
            c.prepareStatement(
                "EXPLAIN (ANALYZE, FORMAT JSON) "
                    + TagRangeReadJournalDao.EVENTS_OF_SLICE_POSTGRES)) {
      bindSlice(explain, 3, 30000, 60000, 500);
      try (ResultSet plan = explain.executeQuery()) {
        plan.next();
        JsonNode root = new ObjectMapper().readTree(plan.getString(1)).get(0).get("Plan");
        // 500 events of one slice out of eight: read without the 3,500 of the others between them.
        assertThat(journalRowsRead(root)).isBetween(500L, 510L);
      }
    }
  }

  @Test
  void aPollThatHasCaughtUpAsksTheDatabaseNothing() throws Exception {
    AtomicInteger connections = new AtomicInteger();
    PGSimpleDataSource counted =
        new PGSimpleDataSource() {
          @Override
          public Connection getConnection() throws SQLException {
            connections.incrementAndGet();
            return super.getConnection();
          }
        };
    counted.setURL(url);
    counted.setUser("postgres");
    ActorSystem system = ActorSystem.create("caught-up", ConfigFactory.load());
    JdbcBackend.JdbcDatabaseDef db =
        JdbcBackend$.MODULE$
            .Database()
            .forDataSource(
                counted, Option.apply(1), AsyncExecutor$.MODULE$.apply("dao", 1, 1, 10, 1), false);
    try {
      TagRangeReadJournalDao dao =
          new TagRangeReadJournalDao(
              db,
              PostgresProfile$.MODULE$,
              new ReadJournalConfig(system.settings().config().getConfig("jdbc-read-journal")),
              SerializationExtension.get(system),
              system.dispatcher(),
              Materializer.matFromSystem(system));
      String slice = DocumentTags.sliceTag(3);

      // The journal's newest ordering is 60,000: at it there is nothing to read, nor to ask.
      assertThat(events(dao, system, slice, 60000, 60000)).isZero();
      assertThat(connections).hasValue(0);
      // Ten orderings behind it, the slice's one event among them (59,995) is read from the
      // database.
      assertThat(events(dao, system, slice, 59990, 60000)).isEqualTo(1);
      assertThat(connections).hasValue(1);
    } finally {
      db.close();
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static int events(
      TagRangeReadJournalDao dao, ActorSystem system, String tag, long offset, long maxOffset)
      throws Exception {
    return dao.eventsByTag(tag, offset, maxOffset, 100)
        .asJava()
        .runWith(Sink.seq(), system)
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS)
        .size();
  }

  /** Rows every plan node over event_journal read: those it produced and those it filtered out. */
  private static long journalRowsRead(JsonNode node) {
    long rows = 0;
    if ("event_journal".equals(node.path("Relation Name").asText())) {
      rows +=
          (node.get("Actual Rows").asLong() + node.path("Rows Removed by Filter").asLong())
              * node.get("Actual Loops").asLong();
    }
    for (JsonNode child : node.path("Plans")) {
      rows += journalRowsRead(child);
    }
    return rows;
  }

  private static List<Long> sliceOrderings(int slice, long offset, long maxOffset, long max)
      throws SQLException {
    List<Long> orderings = new ArrayList<>();
    try (Connection c = TestPostgres.connect(url);
        PreparedStatement select =
            c.prepareStatement(TagRangeReadJournalDao.EVENTS_OF_SLICE_POSTGRES)) {
      bindSlice(select, slice, offset, maxOffset, max);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          orderings.add(rows.getLong(1));
        }
      }
    }
    return orderings;
  }

  private static void bindSlice(
      PreparedStatement statement, int slice, long offset, long maxOffset, long max)
      throws SQLException {
    statement.setShort(1, (short) slice);
    statement.setLong(2, offset);
    statement.setShort(3, (short) slice);
    statement.setLong(4, maxOffset);
    statement.setLong(5, max);
  }

  @Test
  void answersTheTagsEventsAfterTheOffsetUpToTheMaximumInOrderWithoutDeletedOnes()
      throws SQLException {
    assertThat(orderings("even", 19980, 19996, 100))
        .containsExactly(19982L, 19984L, 19986L, 19988L, 19992L, 19994L, 19996L);
    assertThat(orderings("all", 100, 20000, 3)).containsExactly(101L, 102L, 103L);
    assertThat(orderings("none", 0, 20000, 10)).isEmpty();
  }

  @Test
  void readsTheTagIndexFromTheOffsetOnNotFromTheTagsFirstEvent() throws Exception {
    try (Connection c = TestPostgres.connect(url);
        PreparedStatement explain =
            c.prepareStatement(
                "EXPLAIN (ANALYZE, FORMAT JSON) " + TagRangeReadJournalDao.EVENTS_BY_TAG)) {
      bind(explain, "even", 18000, 20000, 500);
      try (ResultSet plan = explain.executeQuery()) {
        plan.next();
        JsonNode root = new ObjectMapper().readTree(plan.getString(1)).get(0).get("Plan");
        // A catch-up read of 500 events near the end of a 10,000-event tag.
        assertThat(tagRowsRead(root)).isBetween(1L, 600L);
      }
    }
  }

  /** Rows every plan node over event_tag produced, over all its loops. */
  private static long tagRowsRead(JsonNode node) {
    long rows = 0;
    if ("event_tag".equals(node.path("Relation Name").asText())) {
      rows += node.get("Actual Rows").asLong() * node.get("Actual Loops").asLong();
    }
    for (JsonNode child : node.path("Plans")) {
      rows += tagRowsRead(child);
    }
    return rows;
  }

  private static List<Long> orderings(String tag, long offset, long maxOffset, long max)
      throws SQLException {
    List<Long> orderings = new ArrayList<>();
    try (Connection c = TestPostgres.connect(url);
        PreparedStatement select = c.prepareStatement(TagRangeReadJournalDao.EVENTS_BY_TAG)) {
      bind(select, tag, offset, maxOffset, max);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          orderings.add(rows.getLong(1));
        }
      }
    }
    return orderings;
  }

  private static void bind(
      PreparedStatement statement, String tag, long offset, long maxOffset, long max)
      throws SQLException {
    statement.setString(1, tag);
    statement.setLong(2, offset);
    statement.setLong(3, maxOffset);
    statement.setLong(4, max);
  }
}

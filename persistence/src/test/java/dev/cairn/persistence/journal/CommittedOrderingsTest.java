package dev.cairn.persistence.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.persistence.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The read side does not pass over an event whose transaction is still open on a real PostgreSQL
 * (chaos finding 2), and does pass a gap that no open transaction can fill.
 */
class CommittedOrderingsTest {

  private String url;
  private final CommittedOrderings committed = new CommittedOrderings();

  @BeforeEach
  void journal() {
    url = TestPostgres.freshDatabase();
  }

  @Test
  void anEventStillBeingCommittedHoldsBackTheOrderingsAfterItUntilItCommits() throws Exception {
    try (Connection reader = TestPostgres.connect(url);
        Connection slow = TestPostgres.connect(url);
        Connection fast = TestPostgres.connect(url)) {
      long first = insert(fast, "a");
      slow.setAutoCommit(false);
      long late = insert(slow, "late");
      long after = insert(fast, "b");
      assertThat(after).isGreaterThan(late);

      assertThat(committed.after(reader, 0, 100)).containsExactly(first);
      assertThat(committed.after(reader, first, 100))
          .as("asked again, with the gap's transaction still open")
          .isEmpty();

      slow.commit();
      assertThat(committed.after(reader, first, 100)).containsExactly(late, after);
    }
  }

  @Test
  void aGapWhoseTransactionRolledBackIsPassed() throws Exception {
    try (Connection reader = TestPostgres.connect(url);
        Connection slow = TestPostgres.connect(url);
        Connection fast = TestPostgres.connect(url)) {
      slow.setAutoCommit(false);
      insert(slow, "never");
      long after = insert(fast, "b");
      assertThat(committed.after(reader, 0, 100)).isEmpty();

      slow.rollback();
      assertThat(committed.after(reader, 0, 100)).containsExactly(after);
    }
  }

  @Test
  void aLongReadingTransactionDoesNotHoldAGapBack() throws Exception {
    try (Connection reader = TestPostgres.connect(url);
        Connection export = TestPostgres.connect(url);
        Connection slow = TestPostgres.connect(url);
        Connection fast = TestPostgres.connect(url)) {
      export.setAutoCommit(false);
      try (Statement s = export.createStatement();
          ResultSet rows = s.executeQuery("SELECT count(*) FROM event_journal")) {
        rows.next();
      }
      slow.setAutoCommit(false);
      insert(slow, "never");
      slow.rollback();
      long after = insert(fast, "b");

      assertThat(committed.after(reader, 0, 100)).containsExactly(after);
      export.rollback();
    }
  }

  /** Inserts an event as the journal does, its ordering taken from the sequence; returns it. */
  private static long insert(Connection connection, String persistenceId) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO event_journal (persistence_id, sequence_number, writer, event_ser_id,"
                + " event_ser_manifest, event_payload, deleted, write_timestamp)"
                + " VALUES (?, 1, 'w', 1, 'm', '\\x00', false, 0) RETURNING ordering")) {
      insert.setString(1, persistenceId);
      try (ResultSet row = insert.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    }
  }
}

package dev.cairn.persistence.readmodel;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Events the document projection could not handle, parked so that their slice goes on. An event
 * whose fold throws fails its batch, and the projection retries it after its restart backoff; on
 * the {@value #MAX_ATTEMPTS}th failure on this node it is parked here with the error, and its
 * document stays in the read model as it was before the event (its later events wait with it) until
 * an administrator re-drives it.
 */
public final class DeadLetters {

  /** Failures of one event before it is parked. */
  public static final int MAX_ATTEMPTS = 3;

  /** A parked event. */
  public record Letter(
      String projection,
      long offset,
      String slice,
      String persistenceId,
      long version,
      String message,
      int attempts,
      long parkedAt) {}

  private final Map<Long, Integer> attempts = new ConcurrentHashMap<>();
  private final Consumer<Letter> onParked;

  /**
   * @param onParked told of each event parked, when its batch has written the letter and before
   *     that batch commits (a batch that then fails parks the event again, and tells again)
   */
  public DeadLetters(Consumer<Letter> onParked) {
    this.onParked = onParked;
  }

  /** Tells whoever keeps the record that {@code letter} was parked. */
  void parked(Letter letter) {
    onParked.accept(letter);
  }

  /** Counts a failure of the event at {@code offset}; true once it should be parked. */
  boolean failedAgain(long offset) {
    int failures = attempts.merge(offset, 1, Integer::sum);
    if (failures >= MAX_ATTEMPTS) {
      attempts.remove(offset);
      return true;
    }
    return false;
  }

  static void park(Connection c, Letter letter) throws SQLException {
    Sql.upsert(
        c,
        "read_model_dead_letter",
        Sql.columns("projection", letter.projection(), "event_ordering", letter.offset()),
        Sql.columns(
            "slice",
            letter.slice(),
            "persistence_id",
            letter.persistenceId(),
            "sequence_nr",
            letter.version(),
            "message",
            letter.message().length() <= 2000
                ? letter.message()
                : letter.message().substring(0, 2000),
            "attempts",
            letter.attempts(),
            "parked_at",
            letter.parkedAt()));
  }

  static List<Letter> list(Connection c, String projection) throws SQLException {
    List<Letter> letters = new ArrayList<>();
    try (PreparedStatement select =
        c.prepareStatement(
            "SELECT projection, event_ordering, slice, persistence_id, sequence_nr, message,"
                + " attempts, parked_at FROM read_model_dead_letter WHERE projection = ?"
                + " ORDER BY event_ordering")) {
      select.setString(1, projection);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          letters.add(
              new Letter(
                  rows.getString(1),
                  rows.getLong(2),
                  rows.getString(3),
                  rows.getString(4),
                  rows.getLong(5),
                  rows.getString(6),
                  rows.getInt(7),
                  rows.getLong(8)));
        }
      }
    }
    return letters;
  }

  static Optional<Letter> find(Connection c, String projection, long offset) throws SQLException {
    return list(c, projection).stream().filter(l -> l.offset() == offset).findFirst();
  }

  static void remove(Connection c, String projection, long offset) throws SQLException {
    Sql.execute(
        c,
        "DELETE FROM read_model_dead_letter WHERE projection = ? AND event_ordering = ?",
        List.of(projection, offset));
  }
}

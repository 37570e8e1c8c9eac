package dev.cairn.persistence.journal;

import dev.cairn.persistence.DocumentTags;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Where the journal keeps a document event's tags: in its own row, as the number of its read-model
 * slice ({@code event_journal.slice}), not as two {@code event_tag} rows.
 *
 * <p>Every document event has the same two tags, its slice's and the change feed's ({@link
 * DocumentTags}). As tag rows they were two more inserts per event, each with its primary key, its
 * tag index and a foreign-key check, and every read of a slice joined them back to the journal.
 * Here the slice is a column with an index on (slice, ordering): a slice's events are one index
 * range, and the change feed (every document event) is the journal in order of {@code ordering}.
 * Events with other tags (collection definitions) keep their tag rows.
 *
 * <p>The journal's own reads ({@code eventsByTag}, see {@link TagRangeReadJournalDao}) and Cairn's
 * SQL over the journal select a tag's rows with {@link #condition}.
 */
public final class JournalSlices {

  private JournalSlices() {}

  /** The slice an event's tags put it in, or null if they are not those of a document event. */
  static Short slice(Set<String> tags) {
    if (tags.size() != 2 || !tags.contains(DocumentTags.ALL)) {
      return null;
    }
    for (String tag : tags) {
      OptionalInt slice = DocumentTags.slice(tag);
      if (slice.isPresent()) {
        return (short) slice.getAsInt();
      }
    }
    return null;
  }

  /** Whether a tag's events are found by the slice column rather than by tag rows. */
  static boolean inColumn(String tag) {
    return tag.equals(DocumentTags.ALL) || DocumentTags.slice(tag).isPresent();
  }

  /**
   * An SQL condition on the journal row {@code j} that holds for the events of {@code tag}, with
   * one parameter, which {@link #bind} sets.
   */
  public static String condition(String tag) {
    if (tag.equals(DocumentTags.ALL)) {
      return "j.\"slice\" >= ?";
    }
    if (DocumentTags.slice(tag).isPresent()) {
      return "j.\"slice\" = ?";
    }
    return "EXISTS (SELECT 1 FROM \"event_tag\" t WHERE t.\"event_id\" = j.\"ordering\""
        + " AND t.\"tag\" = ?)";
  }

  /** Sets the parameter of {@link #condition} for {@code tag}. */
  public static void bind(PreparedStatement statement, int parameter, String tag)
      throws SQLException {
    if (tag.equals(DocumentTags.ALL)) {
      statement.setShort(parameter, (short) 0);
      return;
    }
    OptionalInt slice = DocumentTags.slice(tag);
    if (slice.isPresent()) {
      statement.setShort(parameter, (short) slice.getAsInt());
    } else {
      statement.setString(parameter, tag);
    }
  }
}

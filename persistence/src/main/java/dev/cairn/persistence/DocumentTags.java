package dev.cairn.persistence;

import java.util.OptionalInt;
import java.util.Set;

/**
 * Tags every document event with one of a fixed number of slices, so that projections can read the
 * journal in parallel. The slice count is part of the journal: events keep the slice they were
 * written with, so changing it needs a migration.
 *
 * <p>These tags are not stored as tag rows: the journal keeps a document event's slice in its own
 * row ({@code event_journal.slice}, see {@link dev.cairn.persistence.journal.JournalSlices}).
 */
public final class DocumentTags {

  public static final int SLICES = 8;

  /** The tag of every document event, in journal order: the change feed's source. */
  public static final String ALL = "documents";

  private DocumentTags() {}

  private static final String PREFIX = ALL + "-";

  public static String sliceTag(int slice) {
    return PREFIX + slice;
  }

  /** The slice a slice tag names, or empty for any other tag (including {@link #ALL}). */
  public static OptionalInt slice(String tag) {
    if (tag.length() > PREFIX.length() && tag.startsWith(PREFIX)) {
      try {
        int slice = Integer.parseInt(tag.substring(PREFIX.length()));
        if (slice >= 0 && slice < SLICES && tag.equals(sliceTag(slice))) {
          return OptionalInt.of(slice);
        }
      } catch (NumberFormatException e) {
        return OptionalInt.empty();
      }
    }
    return OptionalInt.empty();
  }

  /** The slice of a document's events, by its persistence id. */
  public static int sliceOf(String persistenceId) {
    return Math.floorMod(persistenceId.hashCode(), SLICES);
  }

  static Set<String> forPersistenceId(String persistenceId) {
    return Set.of(sliceTag(sliceOf(persistenceId)), ALL);
  }
}

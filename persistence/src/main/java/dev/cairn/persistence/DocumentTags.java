package dev.cairn.persistence;

import java.util.Set;

/**
 * Tags every document event with one of a fixed number of slices, so that projections can read the
 * journal in parallel. The slice count is part of the journal: events keep the tag they were
 * written with, so changing it needs a re-tagging migration.
 */
public final class DocumentTags {

  public static final int SLICES = 8;

  /** The tag of every document event, in journal order: the change feed's source. */
  public static final String ALL = "documents";

  private DocumentTags() {}

  public static String sliceTag(int slice) {
    return "documents-" + slice;
  }

  static Set<String> forPersistenceId(String persistenceId) {
    return Set.of(sliceTag(Math.floorMod(persistenceId.hashCode(), SLICES)), ALL);
  }
}

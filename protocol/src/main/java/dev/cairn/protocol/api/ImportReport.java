package dev.cairn.protocol.api;

import java.util.List;

/**
 * What an import did: events written, events already there with the same content, and events of
 * documents whose history in this journal differs from the import's (none of which was written).
 *
 * @param conflicts the first {@link #MAX_LISTED} documents in conflict, with why
 */
public record ImportReport(
    long imported, long skipped, long conflicting, List<Conflict> conflicts) {

  /** Conflicting documents named in a report; the counts cover every one. */
  public static final int MAX_LISTED = 100;

  /** A document whose history here is not the one being imported. */
  public record Conflict(String collection, String id, long version, String reason) {}
}

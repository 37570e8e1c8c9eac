package dev.cairn.protocol.api;

import java.util.List;

/**
 * What folding every document of a collection through today's code found, writing nothing.
 *
 * @param undecodable events that today's serializers cannot read
 * @param unappliable events that do not apply to the state before them
 * @param invalid documents whose state now fails today's schema
 * @param findings the first {@link #MAX_LISTED} of these, with the document and why
 */
public record ReplayCheckReport(
    String collection,
    long documents,
    long events,
    long undecodable,
    long unappliable,
    long invalid,
    long millis,
    List<Finding> findings) {

  /** Findings named in a report; the counts cover every one. */
  public static final int MAX_LISTED = 100;

  /**
   * One document that does not replay cleanly.
   *
   * @param kind {@code undecodable}, {@code unappliable} or {@code invalid}
   * @param version the event at fault, or the document's version when it is invalid
   */
  public record Finding(String id, long version, String kind, String message) {}
}

package dev.cairn.protocol.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * The body of {@code GET /health/read-model}: how far each slice of the document read model has
 * got.
 *
 * @param lagMillis the largest lag of the slices
 */
public record ReadModelStatus(String status, long lagMillis, List<Slice> slices) {

  /**
   * One slice.
   *
   * @param projectedOrdering the newest journal offset it has applied
   * @param newestOrdering the newest journal offset it has events up to
   * @param lagMillis how long its oldest waiting event has waited
   * @param failure its last failure, while events wait for it
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Slice(
      String slice,
      long projectedOrdering,
      long newestOrdering,
      long lagMillis,
      boolean stuck,
      Failure failure) {}

  /**
   * Why a slice stopped.
   *
   * @param eventOrdering the journal offset of the event it fails on; absent when reading the
   *     journal failed
   * @param document that event's document as {@code collection|id}
   * @param version that event's version of its document
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Failure(
      Long eventOrdering, String document, Long version, String message, Instant since) {}
}

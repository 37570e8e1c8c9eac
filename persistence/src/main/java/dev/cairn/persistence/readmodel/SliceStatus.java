package dev.cairn.persistence.readmodel;

/**
 * How one slice of the document read model stands: the newest journal event it has applied, the
 * newest the journal holds for it, how long the oldest event still waiting for it has waited, and
 * why it is stuck, if it is.
 *
 * @param slice the slice's tag, such as {@code documents-3}
 * @param failure its latest failure, kept until it makes progress again; null when it has none
 */
public record SliceStatus(
    String slice, long projectedOrdering, long newestOrdering, long lagMillis, Failure failure) {

  /**
   * Why a slice stopped.
   *
   * @param eventOrdering the journal offset of the event it failed on, or null when reading the
   *     journal failed (an event that cannot be read back, a database that does not answer)
   * @param persistenceId that event's document, as {@code collection|id}, or null
   * @param sequenceNr that event's version of its document, or null
   * @param failedAt when, in milliseconds since the epoch
   */
  public record Failure(
      Long eventOrdering, String persistenceId, Long sequenceNr, String message, long failedAt) {

    /** The longest message kept (the column's size). */
    static final int MAX_MESSAGE = 2000;

    public Failure {
      message = message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE);
    }
  }

  public boolean stuck() {
    return failure != null;
  }
}

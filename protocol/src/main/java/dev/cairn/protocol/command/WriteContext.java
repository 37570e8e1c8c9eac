package dev.cairn.protocol.command;

/**
 * Who asks for a write and how to recognise a retry of it.
 *
 * @param requestId the request's id, kept in the event's metadata
 * @param principal who asked: the subject of the caller's token; {@code anonymous} with {@code
 *     CAIRN_AUTH=none}
 * @param idempotencyKey the client's {@code Idempotency-Key}, or {@code null}
 * @param requestHash a digest of what the request asked for, so that a key reused for a different
 *     request is refused instead of answered with another request's result
 */
public record WriteContext(
    String requestId, String principal, String idempotencyKey, String requestHash) {

  /** The principal of requests made without authentication. */
  public static final String ANONYMOUS = "anonymous";

  public static WriteContext of(String requestId) {
    return new WriteContext(requestId, ANONYMOUS, null, null);
  }

  public WriteContext withIdempotencyKey(String key, String hash) {
    return new WriteContext(requestId, principal, key, hash);
  }
}

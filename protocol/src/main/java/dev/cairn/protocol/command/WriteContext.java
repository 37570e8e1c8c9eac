package dev.cairn.protocol.command;

import dev.cairn.protocol.access.Principal;

/**
 * Who asks for a write and how to recognise a retry of it.
 *
 * @param requestId the request's id, kept in the event's metadata
 * @param caller who asked: the document's entity decides with it what the write may do, and its
 *     subject is kept in the event's metadata
 * @param idempotencyKey the client's {@code Idempotency-Key}, or {@code null}
 * @param requestHash a digest of what the request asked for, so that a key reused for a different
 *     request is refused instead of answered with another request's result
 * @param traceId the W3C trace id of the request's {@code traceparent}, kept in the event's
 *     metadata, or {@code null}
 */
public record WriteContext(
    String requestId, Principal caller, String idempotencyKey, String requestHash, String traceId) {

  /** A write of a node with authentication off, or of Cairn itself. */
  public static WriteContext of(String requestId) {
    return by(requestId, Principal.UNCHECKED_ADMINISTRATOR);
  }

  public static WriteContext by(String requestId, Principal caller) {
    return new WriteContext(requestId, caller, null, null, null);
  }

  public WriteContext withIdempotencyKey(String key, String hash) {
    return new WriteContext(requestId, caller, key, hash, traceId);
  }

  public WriteContext withTraceId(String trace) {
    return new WriteContext(requestId, caller, idempotencyKey, requestHash, trace);
  }

  /** The subject the event records as its author. */
  public String principal() {
    return caller.subject();
  }
}

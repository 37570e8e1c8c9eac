package dev.cairn.protocol.command;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Who asks for a write and how to recognise a retry of it.
 *
 * @param requestId the request's id, kept in the event's metadata
 * @param principal who asked; {@code anonymous} until authentication exists
 * @param idempotencyKey the client's {@code Idempotency-Key}, or {@code null}
 * @param requestHash a digest of what the request asked for, so that a key reused for a different
 *     request is refused instead of answered with another request's result
 * @param schema the collection's JSON Schema as the front door knows it, which the document's new
 *     content must satisfy, or {@code null}
 */
public record WriteContext(
    String requestId,
    String principal,
    String idempotencyKey,
    String requestHash,
    JsonNode schema) {

  public WriteContext {
    // Jackson reads a null JsonNode member back as NullNode; no schema is no schema.
    schema = schema == null || schema.isNull() ? null : schema;
  }

  /** The principal of requests made without authentication. */
  public static final String ANONYMOUS = "anonymous";

  public static WriteContext of(String requestId) {
    return new WriteContext(requestId, ANONYMOUS, null, null, null);
  }

  public WriteContext withIdempotencyKey(String key, String hash) {
    return new WriteContext(requestId, principal, key, hash, schema);
  }

  public WriteContext withSchema(JsonNode collectionSchema) {
    return new WriteContext(requestId, principal, idempotencyKey, requestHash, collectionSchema);
  }
}

package dev.cairn.protocol.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * What every event records besides the change itself.
 *
 * @param timestamp when the entity decided the change
 * @param idempotencyKey the client's key, remembered by the entity so a retry writes nothing
 * @param requestHash the digest of the request the key was first used with
 * @param definitionVersion the version of the collection's definition the change was checked
 *     against; null when the collection was not defined (and in events written before it was
 *     recorded)
 * @param owner the document's owner after the change (before it, for a deletion) when its
 *     collection names one: what the change feed shows each caller by; null otherwise
 * @param traceId the W3C trace id of the request that made the change ({@code traceparent}), or
 *     null when it came without one
 * @param node the cluster address of the node whose entity wrote the event (what a check of one
 *     writer per document holds against the membership's history); null in events written before it
 *     was recorded, and in those of definitions and the audit trail
 */
public record EventMetadata(
    Instant timestamp,
    String requestId,
    String principal,
    String idempotencyKey,
    String requestHash,
    Long definitionVersion,
    // Most collections name no owner: their events need not say so.
    @JsonInclude(JsonInclude.Include.NON_NULL) String owner,
    @JsonInclude(JsonInclude.Include.NON_NULL) String traceId,
    @JsonInclude(JsonInclude.Include.NON_NULL) String node) {

  /** Metadata that names no node. */
  public EventMetadata(
      Instant timestamp,
      String requestId,
      String principal,
      String idempotencyKey,
      String requestHash,
      Long definitionVersion,
      String owner,
      String traceId) {
    this(
        timestamp,
        requestId,
        principal,
        idempotencyKey,
        requestHash,
        definitionVersion,
        owner,
        traceId,
        null);
  }
}

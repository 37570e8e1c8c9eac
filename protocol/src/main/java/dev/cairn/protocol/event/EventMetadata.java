package dev.cairn.protocol.event;

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
 */
public record EventMetadata(
    Instant timestamp,
    String requestId,
    String principal,
    String idempotencyKey,
    String requestHash,
    Long definitionVersion) {}

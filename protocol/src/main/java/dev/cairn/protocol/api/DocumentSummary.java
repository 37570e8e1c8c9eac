package dev.cairn.protocol.api;

import java.time.Instant;

/**
 * A document as the journal knows it, whatever the read model says: its head version, whether that
 * version is a deletion, and when it was written.
 */
public record DocumentSummary(
    String collection, String id, long version, boolean deleted, Instant updatedAt) {}

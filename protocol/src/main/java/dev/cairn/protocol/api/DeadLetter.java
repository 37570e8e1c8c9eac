package dev.cairn.protocol.api;

import java.time.Instant;

/**
 * An event a projection could not handle, parked so that its slice goes on.
 *
 * @param offset the event's journal offset, which names it
 * @param attempts how often it failed
 */
public record DeadLetter(
    String projection,
    long offset,
    String slice,
    String collection,
    String id,
    long version,
    String error,
    int attempts,
    Instant parkedAt) {}

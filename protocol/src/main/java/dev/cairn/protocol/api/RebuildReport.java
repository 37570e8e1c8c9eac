package dev.cairn.protocol.api;

import dev.cairn.protocol.Document;

/**
 * What rebuilding one document from its events did.
 *
 * @param snapshotsDropped snapshots deleted, so that recovery replays every event
 * @param eventsReplayed events the entity recovered from
 * @param millis how long recovery took
 * @param identical the recovered state equals the state before
 */
public record RebuildReport(
    String collection,
    String id,
    int snapshotsDropped,
    long eventsReplayed,
    long millis,
    boolean identical,
    Document before,
    Document after) {}

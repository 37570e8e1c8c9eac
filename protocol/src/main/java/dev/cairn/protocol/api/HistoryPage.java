package dev.cairn.protocol.api;

import java.util.List;

/**
 * A page of history, oldest first.
 *
 * @param next the {@code after} value for the next page, or {@code null} on the last page
 */
public record HistoryPage(List<HistoryEntry> items, Long next) {}

package dev.cairn.protocol.api;

import java.util.List;

/**
 * A page of the journal in its global order.
 *
 * @param next the {@code after} value for the next page, or {@code null} when the journal has no
 *     more events yet
 */
public record JournalPage(List<JournalEntry> items, Long next) {}

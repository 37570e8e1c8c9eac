package dev.cairn.protocol.api;

import java.util.List;

/**
 * A page of documents in the order of their collection and id.
 *
 * @param next the {@code after} value for the next page ({@code collection/id}), or {@code null} on
 *     the last page
 */
public record DocumentSummaryPage(List<DocumentSummary> items, String next) {}

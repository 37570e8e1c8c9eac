package dev.cairn.protocol.api;

import java.util.List;

/**
 * Administrative operations, newest first.
 *
 * @param next the {@code before} value for the next (older) page, or {@code null} on the last
 */
public record AuditPage(List<AuditEntry> items, Long next) {}

package dev.cairn.protocol.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One administrative operation: who did what, when, with which parameters, and how it ended. Kept
 * in the journal like every other change.
 *
 * @param operation what was done, such as {@code import} or {@code rebuild}
 * @param parameters what it was asked with
 * @param outcome how it ended: its answer's status and what it reported
 */
public record AuditEntry(
    Instant timestamp,
    String principal,
    String requestId,
    String operation,
    JsonNode parameters,
    int status,
    JsonNode outcome) {}

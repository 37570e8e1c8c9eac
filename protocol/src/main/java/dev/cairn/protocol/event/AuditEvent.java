package dev.cairn.protocol.event;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.protocol.CairnSerializable;

/**
 * An administrative operation was performed: kept in the journal forever, like every change.
 *
 * @param operation what was done, such as {@code import} or {@code rebuild}
 * @param parameters what it was asked with
 * @param status the HTTP status it was answered with
 * @param outcome what it reported
 */
public record AuditEvent(
    String operation, JsonNode parameters, int status, JsonNode outcome, EventMetadata meta)
    implements CairnSerializable {}

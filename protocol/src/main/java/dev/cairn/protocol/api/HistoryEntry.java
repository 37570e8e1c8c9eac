package dev.cairn.protocol.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One event of a document's history as the API shows it.
 *
 * @param type {@code created}, {@code replaced}, {@code patched}, {@code deleted} or {@code
 *     reverted}
 * @param change what changed: the new content, the patch with its format, or the version reverted
 *     to with its content; {@code null} for a deletion
 * @param definitionVersion the version of the collection's definition the change was checked
 *     against; absent when the collection was not defined (or the event predates the field)
 */
public record HistoryEntry(
    long version,
    String type,
    Instant timestamp,
    String requestId,
    String principal,
    JsonNode change,
    @JsonInclude(JsonInclude.Include.NON_NULL) Long definitionVersion) {}

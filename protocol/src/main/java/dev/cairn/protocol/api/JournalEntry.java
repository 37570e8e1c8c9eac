package dev.cairn.protocol.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One event of the journal as an administrator sees it, and as an export carries it: where it is in
 * the global order, whose it is, and the whole event, so that an import can write it again exactly.
 *
 * @param offset its place in the journal's global order ({@code ordering}); {@code after=} pages
 *     and resumes by it
 * @param collection the document's collection, or {@code _collections} for a collection's
 *     definition
 * @param id the document's id, or the collection's name
 * @param version the document's version this event made (its sequence number)
 * @param type {@code created}, {@code replaced}, {@code patched}, {@code deleted}, {@code
 *     reverted}, or {@code defined} for a definition
 * @param writer the journal writer (one entity incarnation) that wrote it
 * @param node the cluster address of the node that writer ran on; null for events written before
 *     Cairn recorded it, and for definitions
 * @param event the event as Cairn keeps it: the change and its metadata
 */
public record JournalEntry(
    long offset,
    String collection,
    String id,
    long version,
    String type,
    Instant timestamp,
    String principal,
    String requestId,
    String writer,
    @JsonInclude(JsonInclude.Include.NON_NULL) String node,
    JsonNode event) {}

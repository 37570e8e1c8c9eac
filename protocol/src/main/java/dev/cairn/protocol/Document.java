package dev.cairn.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * A document as it is at one version: what a read returns and what a write replies with.
 *
 * @param version the number of events the document has had; {@code 0} means it never existed
 * @param data the JSON object, or {@code null} while the document is deleted
 */
public record Document(
    String collection,
    String id,
    long version,
    boolean deleted,
    Instant createdAt,
    Instant updatedAt,
    ObjectNode data)
    implements CairnSerializable {}

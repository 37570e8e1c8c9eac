package dev.cairn.persistence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.protocol.Json;
import dev.cairn.protocol.api.HistoryEntry;
import dev.cairn.protocol.collection.CollectionEvent;
import dev.cairn.protocol.event.DocumentEvent;
import dev.cairn.protocol.event.EventMetadata;

/**
 * Journal events as the API's history entries ({@code GET .../events}, the change feed), so the
 * journal's shape never leaks out and a changed response never changes the journal.
 */
public final class HistoryEntries {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private HistoryEntries() {}

  /** A document event that produced {@code version}. */
  public static HistoryEntry of(long version, DocumentEvent event) {
    return event.accept(
        new DocumentEvent.Visitor<>() {
          @Override
          public HistoryEntry created(DocumentEvent.Created e) {
            return entry(version, "created", e.meta(), NODES.objectNode().set("data", e.data()));
          }

          @Override
          public HistoryEntry replaced(DocumentEvent.Replaced e) {
            return entry(version, "replaced", e.meta(), NODES.objectNode().set("data", e.data()));
          }

          @Override
          public HistoryEntry patched(DocumentEvent.Patched e) {
            ObjectNode change = NODES.objectNode();
            change.put("contentType", e.format().mediaType());
            change.set("patch", e.patch());
            return entry(version, "patched", e.meta(), change);
          }

          @Override
          public HistoryEntry deleted(DocumentEvent.Deleted e) {
            return entry(version, "deleted", e.meta(), NODES.nullNode());
          }

          @Override
          public HistoryEntry reverted(DocumentEvent.Reverted e) {
            ObjectNode change = NODES.objectNode();
            change.put("toVersion", e.toVersion());
            change.set("data", e.data());
            return entry(version, "reverted", e.meta(), change);
          }
        });
  }

  /** A collection definition's event that produced {@code version}. */
  public static HistoryEntry of(long version, CollectionEvent event) {
    return event.accept(
        defined ->
            entry(
                version,
                "defined",
                defined.meta(),
                Json.mapper().valueToTree(defined.definition())));
  }

  private static HistoryEntry entry(
      long version, String type, EventMetadata meta, JsonNode change) {
    return new HistoryEntry(
        version,
        type,
        meta.timestamp(),
        meta.requestId(),
        meta.principal(),
        change,
        meta.definitionVersion());
  }
}

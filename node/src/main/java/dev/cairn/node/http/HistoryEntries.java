package dev.cairn.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.persistence.DocumentHistory.VersionedEvent;
import dev.cairn.protocol.api.HistoryEntry;
import dev.cairn.protocol.event.DocumentEvent;
import dev.cairn.protocol.event.EventMetadata;

/** Maps journal events to the API's history entries, so the journal's shape never leaks out. */
final class HistoryEntries {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private HistoryEntries() {}

  static HistoryEntry of(VersionedEvent versioned) {
    DocumentEvent event = versioned.event();
    EventMetadata meta = event.meta();
    return new HistoryEntry(
        versioned.version(),
        type(event),
        meta.timestamp(),
        meta.requestId(),
        meta.principal(),
        change(event));
  }

  private static String type(DocumentEvent event) {
    if (event instanceof DocumentEvent.Created) {
      return "created";
    } else if (event instanceof DocumentEvent.Replaced) {
      return "replaced";
    } else if (event instanceof DocumentEvent.Patched) {
      return "patched";
    } else if (event instanceof DocumentEvent.Deleted) {
      return "deleted";
    }
    return "reverted";
  }

  private static JsonNode change(DocumentEvent event) {
    ObjectNode change = NODES.objectNode();
    if (event instanceof DocumentEvent.Created e) {
      change.set("data", e.data());
    } else if (event instanceof DocumentEvent.Replaced e) {
      change.set("data", e.data());
    } else if (event instanceof DocumentEvent.Patched e) {
      change.put("contentType", e.format().mediaType());
      change.set("patch", e.patch());
    } else if (event instanceof DocumentEvent.Reverted e) {
      change.put("toVersion", e.toVersion());
      change.set("data", e.data());
    } else {
      return NODES.nullNode();
    }
    return change;
  }
}

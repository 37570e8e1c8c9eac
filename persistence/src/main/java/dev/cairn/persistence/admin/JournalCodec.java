package dev.cairn.persistence.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.persistence.CollectionEntity;
import dev.cairn.protocol.Json;
import dev.cairn.protocol.api.JournalEntry;
import dev.cairn.protocol.collection.CollectionEvent;
import dev.cairn.protocol.event.DocumentEvent;
import dev.cairn.protocol.event.EventMetadata;
import java.time.Instant;
import java.util.Map;

/**
 * Journal events as {@link JournalEntry} lines and back: the form the journal listing shows and an
 * export carries. The event itself is written as Cairn's JSON of the event record, so an import
 * writes back exactly what was exported.
 */
public final class JournalCodec {

  /** The collection name journal entries of collection definitions carry. */
  public static final String DEFINITIONS = "_collections";

  private static final String DEFINITION_PREFIX = CollectionEntity.persistenceId("");

  private static final Map<String, Class<? extends DocumentEvent>> DOCUMENT_EVENTS =
      Map.of(
          "created", DocumentEvent.Created.class,
          "replaced", DocumentEvent.Replaced.class,
          "patched", DocumentEvent.Patched.class,
          "deleted", DocumentEvent.Deleted.class,
          "reverted", DocumentEvent.Reverted.class);

  private JournalCodec() {}

  /** An exported line that cannot be read back as an event. */
  public static final class Unreadable extends Exception {
    Unreadable(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * A journal event as an export writes it: a {@link JournalEntry} whose event is still the record
   * the journal holds, so that the export writes it as JSON once instead of building a tree of it
   * first. Its JSON is the entry's JSON (same members, same order), which is what an import reads.
   */
  public record Exported(
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
      Object event) {

    /** The entry a listing shows: the same, with the event as a JSON tree. */
    public JournalEntry entry() {
      return new JournalEntry(
          offset,
          collection,
          id,
          version,
          type,
          timestamp,
          principal,
          requestId,
          writer,
          node,
          Json.mapper().valueToTree(event));
    }
  }

  /**
   * The exported form of a journal row, or null for a row that is neither a document's nor a
   * definition's.
   */
  static Exported exported(
      long offset, String persistenceId, long version, String writer, Object event) {
    int bar = persistenceId.indexOf('|');
    String collection = persistenceId.substring(0, bar);
    String id = persistenceId.substring(bar + 1);
    EventMetadata meta;
    String type;
    if (event instanceof DocumentEvent document) {
      meta = document.meta();
      type = type(document);
    } else if (event instanceof CollectionEvent.Defined defined) {
      meta = defined.meta();
      type = "defined";
    } else {
      return null;
    }
    return new Exported(
        offset,
        collection,
        id,
        version,
        type,
        meta.timestamp(),
        meta.principal(),
        meta.requestId(),
        writer,
        meta.node(),
        event);
  }

  /**
   * The entry of a journal row, or null for a row that is neither a document's nor a definition's.
   */
  static JournalEntry entry(
      long offset, String persistenceId, long version, String writer, Object event) {
    Exported exported = exported(offset, persistenceId, version, writer, event);
    return exported == null ? null : exported.entry();
  }

  /** The persistence id an entry belongs to. */
  public static String persistenceId(JournalEntry entry) {
    return persistenceId(entry.collection(), entry.id());
  }

  /** The persistence id of the entries of {@code id} in {@code collection}. */
  static String persistenceId(String collection, String id) {
    return collection.equals(DEFINITIONS)
        ? CollectionEntity.persistenceId(id)
        : collection + "|" + id;
  }

  static boolean isDefinition(String persistenceId) {
    return persistenceId.startsWith(DEFINITION_PREFIX);
  }

  /** The event an entry carries, as the entity of its persistence id persists it. */
  public static Object event(JournalEntry entry) throws Unreadable {
    Class<?> type = eventType(entry.collection(), entry.type());
    if (entry.event() == null || !entry.event().isObject()) {
      throw new Unreadable("it has no event");
    }
    try {
      return checked(Json.mapper().treeToValue(entry.event(), type));
    } catch (JsonProcessingException e) {
      throw notA(entry.type(), e);
    } catch (IllegalArgumentException e) {
      throw new Unreadable("its event is not a " + entry.type() + " event: " + e.getMessage());
    }
  }

  /** The class of the events of {@code type} in {@code collection}. */
  static Class<?> eventType(String collection, String type) throws Unreadable {
    Class<?> found =
        collection.equals(DEFINITIONS)
            ? ("defined".equals(type) ? CollectionEvent.Defined.class : null)
            : DOCUMENT_EVENTS.get(type);
    if (found == null) {
      throw new Unreadable("unknown event type '" + type + "'");
    }
    return found;
  }

  /** The event, if it has the metadata every event has. */
  static Object checked(Object event) throws Unreadable {
    EventMetadata meta =
        event instanceof DocumentEvent d ? d.meta() : ((CollectionEvent) event).meta();
    if (meta == null || meta.timestamp() == null) {
      throw new Unreadable("its event has no metadata with a timestamp");
    }
    return event;
  }

  /** Why an event of {@code type} could not be read. */
  static Unreadable notA(String type, JsonProcessingException e) {
    return new Unreadable("its event is not a " + type + " event: " + e.getOriginalMessage());
  }

  /** The event's JSON in one canonical text, to compare two events for equal content. */
  static String canonical(JsonNode event) {
    try {
      return Json.mapper().writeValueAsString(Json.mapper().readTree(event.toString()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static String type(DocumentEvent event) {
    return event.accept(
        new DocumentEvent.Visitor<>() {
          @Override
          public String created(DocumentEvent.Created e) {
            return "created";
          }

          @Override
          public String replaced(DocumentEvent.Replaced e) {
            return "replaced";
          }

          @Override
          public String patched(DocumentEvent.Patched e) {
            return "patched";
          }

          @Override
          public String deleted(DocumentEvent.Deleted e) {
            return "deleted";
          }

          @Override
          public String reverted(DocumentEvent.Reverted e) {
            return "reverted";
          }
        });
  }
}

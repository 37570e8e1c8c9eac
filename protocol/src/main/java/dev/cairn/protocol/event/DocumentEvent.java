package dev.cairn.protocol.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.protocol.CairnSerializable;
import dev.cairn.protocol.PatchFormat;

/**
 * What happened to a document, as kept in the journal forever. Events are facts in the past tense;
 * renaming or reshaping one is a journal migration, so API shapes never reuse these records. What
 * each event means is defined once, by {@code DocumentState.apply} in the persistence module; every
 * reader goes through a {@link Visitor}, so an event added here is a compile error wherever it is
 * not read yet.
 */
public sealed interface DocumentEvent extends CairnSerializable {

  EventMetadata meta();

  <R> R accept(Visitor<R> visitor);

  /** One method per event. */
  interface Visitor<R> {
    R created(Created created);

    R replaced(Replaced replaced);

    R patched(Patched patched);

    R deleted(Deleted deleted);

    R reverted(Reverted reverted);
  }

  /** The document came into being, for the first time or again after a deletion. */
  record Created(ObjectNode data, EventMetadata meta) implements DocumentEvent {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.created(this);
    }
  }

  /** The whole content was replaced. */
  record Replaced(ObjectNode data, EventMetadata meta) implements DocumentEvent {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.replaced(this);
    }
  }

  /** A patch was applied; the entity checked that it applies before persisting it. */
  record Patched(PatchFormat format, JsonNode patch, EventMetadata meta) implements DocumentEvent {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.patched(this);
    }
  }

  /** The document was deleted; its history stays. */
  record Deleted(EventMetadata meta) implements DocumentEvent {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.deleted(this);
    }
  }

  /** The content was set back to what it was at {@code toVersion}. */
  record Reverted(long toVersion, ObjectNode data, EventMetadata meta) implements DocumentEvent {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.reverted(this);
    }
  }
}

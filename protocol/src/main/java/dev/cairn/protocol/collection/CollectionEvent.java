package dev.cairn.protocol.collection;

import dev.cairn.protocol.CairnSerializable;
import dev.cairn.protocol.event.EventMetadata;

/**
 * What happened to a collection's definition, kept in the journal; read through a {@link Visitor}.
 */
public sealed interface CollectionEvent extends CairnSerializable {

  EventMetadata meta();

  <R> R accept(Visitor<R> visitor);

  /** One method per event. */
  interface Visitor<R> {
    R defined(Defined defined);
  }

  /** The collection got this definition (its first, or a new one replacing the previous). */
  record Defined(CollectionDefinition definition, EventMetadata meta) implements CollectionEvent {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.defined(this);
    }
  }
}

package dev.cairn.protocol.collection;

import dev.cairn.protocol.CairnSerializable;
import dev.cairn.protocol.event.EventMetadata;

/** What happened to a collection's definition, kept in the journal. */
public sealed interface CollectionEvent extends CairnSerializable {

  EventMetadata meta();

  /** The collection got this definition (its first, or a new one replacing the previous). */
  record Defined(CollectionDefinition definition, EventMetadata meta) implements CollectionEvent {}
}

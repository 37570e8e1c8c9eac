package dev.cairn.persistence;

import dev.cairn.protocol.CairnSerializable;
import dev.cairn.protocol.collection.CollectionDefinition;
import dev.cairn.protocol.collection.CollectionEvent;
import dev.cairn.protocol.collection.CollectionView;
import java.time.Instant;

/** A collection's definition as its events leave it; {@link #apply} is what each event means. */
public record CollectionState(
    String name,
    long version,
    CollectionDefinition definition,
    Instant createdAt,
    Instant updatedAt)
    implements CairnSerializable {

  public static CollectionState empty(String name) {
    return new CollectionState(name, 0, null, null, null);
  }

  public boolean isDefined() {
    return definition != null;
  }

  public CollectionState apply(CollectionEvent event) {
    return event.accept(
        defined -> {
          Instant at = defined.meta().timestamp();
          return new CollectionState(
              name, version + 1, defined.definition(), createdAt == null ? at : createdAt, at);
        });
  }

  public CollectionView toView() {
    return new CollectionView(name, version, createdAt, updatedAt, definition);
  }
}

package dev.cairn.protocol.collection;

import dev.cairn.protocol.CairnSerializable;
import java.time.Instant;

/** A collection's current definition with its metadata, as reads return it. */
public record CollectionView(
    String name,
    long version,
    Instant createdAt,
    Instant updatedAt,
    CollectionDefinition definition)
    implements CairnSerializable {}

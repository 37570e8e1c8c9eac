package dev.cairn.protocol.collection;

import dev.cairn.protocol.CairnSerializable;
import dev.cairn.protocol.Problem;

/** How a collection entity answers. */
public sealed interface CollectionReply extends CairnSerializable {

  /** The definition is in the journal. */
  record Defined(CollectionView collection, boolean created) implements CollectionReply {}

  /** The current definition. */
  record Found(CollectionView collection) implements CollectionReply {}

  /** Nothing changed. */
  record Rejected(Problem problem, String detail, long currentVersion) implements CollectionReply {}
}

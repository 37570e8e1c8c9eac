package dev.cairn.protocol.collection;

import dev.cairn.protocol.CairnSerializable;
import dev.cairn.protocol.Problem;

/** How a collection entity answers; read through a {@link Visitor}. */
public sealed interface CollectionReply extends CairnSerializable {

  <R> R accept(Visitor<R> visitor);

  /** One method per reply. */
  interface Visitor<R> {
    R defined(Defined defined);

    R found(Found found);

    R rejected(Rejected rejected);
  }

  /** The definition is in the journal. */
  record Defined(CollectionView collection, boolean created) implements CollectionReply {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.defined(this);
    }
  }

  /** The current definition. */
  record Found(CollectionView collection) implements CollectionReply {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.found(this);
    }
  }

  /** Nothing changed. */
  record Rejected(Problem problem, String detail, long currentVersion) implements CollectionReply {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.rejected(this);
    }
  }
}

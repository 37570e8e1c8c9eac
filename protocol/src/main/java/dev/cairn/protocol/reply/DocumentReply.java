package dev.cairn.protocol.reply;

import dev.cairn.protocol.CairnSerializable;
import dev.cairn.protocol.Document;
import dev.cairn.protocol.Problem;
import dev.cairn.protocol.Violation;
import java.util.List;

/**
 * How a document entity answers a command. Whoever reads replies does so through a {@link Visitor},
 * so a reply added here is a compile error wherever it is not read yet.
 */
public sealed interface DocumentReply extends CairnSerializable {

  <R> R accept(Visitor<R> visitor);

  /** One method per reply. */
  interface Visitor<R> {
    R written(Written written);

    R alreadyWritten(AlreadyWritten alreadyWritten);

    R found(Found found);

    R rejected(Rejected rejected);
  }

  /**
   * A write is in the journal (or was already, for a retried idempotency key whose result is the
   * current version).
   *
   * @param created the write brought the document into being
   */
  record Written(Document document, boolean created) implements DocumentReply {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.written(this);
    }
  }

  /**
   * A retried idempotency key whose first result is no longer the current version: the caller reads
   * that version from history to answer exactly as the first time.
   */
  record AlreadyWritten(long version, boolean created) implements DocumentReply {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.alreadyWritten(this);
    }
  }

  /** The current state of a document that exists. */
  record Found(Document document) implements DocumentReply {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.found(this);
    }
  }

  /**
   * The command changed nothing. The detail states the facts ("notes/n1 is at version 3, not 1");
   * advice in HTTP's terms is the front door's to add.
   *
   * @param currentVersion the document's version when it refused, for the caller's ETag
   */
  record Rejected(Problem problem, String detail, long currentVersion, List<Violation> violations)
      implements DocumentReply {

    public Rejected(Problem problem, String detail, long currentVersion) {
      this(problem, detail, currentVersion, List.of());
    }

    public Rejected {
      violations = violations == null ? List.of() : List.copyOf(violations);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.rejected(this);
    }
  }
}

package dev.cairn.protocol.reply;

import dev.cairn.protocol.CairnSerializable;
import dev.cairn.protocol.Document;
import dev.cairn.protocol.Problem;
import dev.cairn.protocol.Violation;
import java.util.List;

/** How a document entity answers a command. */
public sealed interface DocumentReply extends CairnSerializable {

  /**
   * A write is in the journal (or was already, for a retried idempotency key whose result is the
   * current version).
   *
   * @param created the write brought the document into being
   */
  record Written(Document document, boolean created) implements DocumentReply {}

  /**
   * A retried idempotency key whose first result is no longer the current version: the caller reads
   * that version from history to answer exactly as the first time.
   */
  record AlreadyWritten(long version, boolean created) implements DocumentReply {}

  /** The current state of a document that exists. */
  record Found(Document document) implements DocumentReply {}

  /**
   * The command changed nothing.
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
  }
}

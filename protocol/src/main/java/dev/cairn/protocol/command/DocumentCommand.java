package dev.cairn.protocol.command;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.protocol.CairnSerializable;
import dev.cairn.protocol.PatchFormat;

/**
 * What can be asked of one document. Each command is answered with one {@link
 * dev.cairn.protocol.reply.DocumentReply}; a write is answered only after its event is in the
 * journal.
 *
 * <p>Commands travel inside an envelope with the reply address, so their concrete type is named in
 * the JSON ({@code "command": "put"}).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "command")
@JsonSubTypes({
  @JsonSubTypes.Type(value = DocumentCommand.Put.class, name = "put"),
  @JsonSubTypes.Type(value = DocumentCommand.Patch.class, name = "patch"),
  @JsonSubTypes.Type(value = DocumentCommand.Delete.class, name = "delete"),
  @JsonSubTypes.Type(value = DocumentCommand.Revert.class, name = "revert"),
  @JsonSubTypes.Type(value = DocumentCommand.Get.class, name = "get")
})
public sealed interface DocumentCommand extends CairnSerializable {

  /** A change to the document; answered with {@code Written} or {@code Rejected}. */
  sealed interface Write extends DocumentCommand {
    Preconditions preconditions();

    WriteContext context();

    /** The same write in another context (the front door adds the collection's schema). */
    Write withContext(WriteContext context);
  }

  /** Creates the document, or replaces its whole content. */
  record Put(ObjectNode data, Preconditions preconditions, WriteContext context) implements Write {
    @Override
    public Put withContext(WriteContext other) {
      return new Put(data, preconditions, other);
    }
  }

  /** Changes part of the document; the patch has been checked to be well-formed JSON. */
  record Patch(
      PatchFormat format, JsonNode patch, Preconditions preconditions, WriteContext context)
      implements Write {
    @Override
    public Patch withContext(WriteContext other) {
      return new Patch(format, patch, preconditions, other);
    }
  }

  /**
   * Leaves a tombstone: the document reads as deleted, its history stays, a later Put recreates.
   */
  record Delete(Preconditions preconditions, WriteContext context) implements Write {
    @Override
    public Delete withContext(WriteContext other) {
      return new Delete(preconditions, other);
    }
  }

  /**
   * Writes a new version equal to an earlier one. The caller has read {@code data} from the journal
   * at {@code toVersion}; the entity checks that such a version exists.
   */
  record Revert(long toVersion, ObjectNode data, Preconditions preconditions, WriteContext context)
      implements Write {
    @Override
    public Revert withContext(WriteContext other) {
      return new Revert(toVersion, data, preconditions, other);
    }
  }

  /** Reads the current state; answered with {@code Found} or {@code Rejected}. */
  enum Get implements DocumentCommand {
    INSTANCE
  }
}

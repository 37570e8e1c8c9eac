package dev.cairn.protocol.command;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.protocol.CairnSerializable;
import dev.cairn.protocol.PatchFormat;
import dev.cairn.protocol.access.Principal;
import dev.cairn.protocol.event.DocumentEvent;
import java.util.List;

/**
 * What can be asked of one document: only what the client asked for. Each command is answered with
 * one {@link dev.cairn.protocol.reply.DocumentReply}; a write is answered only after its event is
 * in the journal. Whoever handles commands does so through a {@link Visitor}, so a command added
 * here is a compile error wherever it is not handled yet.
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
  @JsonSubTypes.Type(value = DocumentCommand.Get.class, name = "get"),
  @JsonSubTypes.Type(value = DocumentCommand.Import.class, name = "import")
})
public sealed interface DocumentCommand extends CairnSerializable {

  <R> R accept(Visitor<R> visitor);

  /** One method per command. */
  interface Visitor<R> {
    R put(Put put);

    R patch(Patch patch);

    R delete(Delete delete);

    R revert(Revert revert);

    R get(Get get);

    R importEvents(Import importEvents);
  }

  /** A change to the document; answered with {@code Written} or {@code Rejected}. */
  sealed interface Write extends DocumentCommand {
    Preconditions preconditions();

    WriteContext context();
  }

  /** Creates the document, or replaces its whole content. */
  record Put(ObjectNode data, Preconditions preconditions, WriteContext context) implements Write {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.put(this);
    }
  }

  /** Changes part of the document; the patch has been checked to be well-formed JSON. */
  record Patch(
      PatchFormat format, JsonNode patch, Preconditions preconditions, WriteContext context)
      implements Write {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.patch(this);
    }
  }

  /**
   * Leaves a tombstone: the document reads as deleted, its history stays, a later Put recreates.
   */
  record Delete(Preconditions preconditions, WriteContext context) implements Write {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.delete(this);
    }
  }

  /**
   * Writes a new version equal to an earlier one. The entity takes that version's content from its
   * own history, so the caller names only the version.
   */
  record Revert(long toVersion, Preconditions preconditions, WriteContext context)
      implements Write {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.revert(this);
    }
  }

  /**
   * Reads the current state, for {@code caller}; answered with {@code Found} or {@code Rejected}.
   */
  record Get(Principal caller) implements DocumentCommand {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.get(this);
    }
  }

  /**
   * Appends events exported from a journal, exactly as they were (their timestamps, principals and
   * request ids): an administrator's import. The document must be at version {@code after}, and the
   * events must apply to it one after the other; answered with {@code Written} (the state after the
   * last event) or {@code Rejected}, and then nothing was written.
   */
  record Import(
      long after,
      // Events are stored without a type name (the serializer's manifest names the class); in a
      // list they need one.
      @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "event")
          @JsonSubTypes({
            @JsonSubTypes.Type(value = DocumentEvent.Created.class, name = "created"),
            @JsonSubTypes.Type(value = DocumentEvent.Replaced.class, name = "replaced"),
            @JsonSubTypes.Type(value = DocumentEvent.Patched.class, name = "patched"),
            @JsonSubTypes.Type(value = DocumentEvent.Deleted.class, name = "deleted"),
            @JsonSubTypes.Type(value = DocumentEvent.Reverted.class, name = "reverted")
          })
          List<DocumentEvent> events,
      Principal caller)
      implements DocumentCommand {

    public Import {
      events = List.copyOf(events);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.importEvents(this);
    }
  }
}

package dev.cairn.protocol.collection;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.cairn.protocol.CairnSerializable;
import dev.cairn.protocol.command.Preconditions;
import dev.cairn.protocol.command.WriteContext;
import java.util.List;

/** What can be asked of a collection's definition, handled through a {@link Visitor}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "command")
@JsonSubTypes({
  @JsonSubTypes.Type(value = CollectionCommand.Define.class, name = "define"),
  @JsonSubTypes.Type(value = CollectionCommand.Get.class, name = "get"),
  @JsonSubTypes.Type(value = CollectionCommand.Import.class, name = "import")
})
public sealed interface CollectionCommand extends CairnSerializable {

  <R> R accept(Visitor<R> visitor);

  /** One method per command. */
  interface Visitor<R> {
    R define(Define define);

    R get();

    R importEvents(Import importEvents);
  }

  /** Sets the whole definition; the definition has been checked by the caller. */
  record Define(CollectionDefinition definition, Preconditions preconditions, WriteContext context)
      implements CollectionCommand {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.define(this);
    }
  }

  /** Reads the current definition. */
  enum Get implements CollectionCommand {
    INSTANCE;

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.get();
    }
  }

  /**
   * Appends definition events exported from a journal, exactly as they were: the definition must be
   * at version {@code after}. The caller has checked that the caller is an administrator.
   */
  record Import(
      long after,
      @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "event")
          @JsonSubTypes({
            @JsonSubTypes.Type(value = CollectionEvent.Defined.class, name = "defined")
          })
          List<CollectionEvent> events)
      implements CollectionCommand {

    public Import {
      events = List.copyOf(events);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.importEvents(this);
    }
  }
}

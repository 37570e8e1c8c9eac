package dev.cairn.protocol.collection;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.cairn.protocol.CairnSerializable;
import dev.cairn.protocol.command.Preconditions;
import dev.cairn.protocol.command.WriteContext;

/** What can be asked of a collection's definition, handled through a {@link Visitor}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "command")
@JsonSubTypes({
  @JsonSubTypes.Type(value = CollectionCommand.Define.class, name = "define"),
  @JsonSubTypes.Type(value = CollectionCommand.Get.class, name = "get")
})
public sealed interface CollectionCommand extends CairnSerializable {

  <R> R accept(Visitor<R> visitor);

  /** One method per command. */
  interface Visitor<R> {
    R define(Define define);

    R get();
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
}

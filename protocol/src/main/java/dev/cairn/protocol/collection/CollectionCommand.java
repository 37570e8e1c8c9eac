package dev.cairn.protocol.collection;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.cairn.protocol.CairnSerializable;
import dev.cairn.protocol.command.Preconditions;
import dev.cairn.protocol.command.WriteContext;

/** What can be asked of a collection's definition. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "command")
@JsonSubTypes({
  @JsonSubTypes.Type(value = CollectionCommand.Define.class, name = "define"),
  @JsonSubTypes.Type(value = CollectionCommand.Get.class, name = "get")
})
public sealed interface CollectionCommand extends CairnSerializable {

  /** Sets the whole definition; the definition has been checked by the caller. */
  record Define(CollectionDefinition definition, Preconditions preconditions, WriteContext context)
      implements CollectionCommand {}

  /** Reads the current definition. */
  enum Get implements CollectionCommand {
    INSTANCE
  }
}

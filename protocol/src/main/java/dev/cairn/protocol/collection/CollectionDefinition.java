package dev.cairn.protocol.collection;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.protocol.CairnSerializable;
import dev.cairn.protocol.access.AccessRules;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a collection declares about its documents.
 *
 * @param schema a JSON Schema (draft 2020-12) every written document must satisfy, or null
 * @param indexes named index fields for list queries
 * @param snapshotEvery the snapshot interval of the collection's documents, or null for the node's
 *     default
 * @param rules who may read, create, update and delete its documents; {@link AccessRules#DEFAULT}
 *     when not given (and in definitions written before rules existed)
 * @param owner a JSON Pointer to the member naming each document's owner (a token's {@code sub}),
 *     or null: the {@code owner} rule and the owner's guarantees need it
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record CollectionDefinition(
    JsonNode schema,
    Map<String, IndexField> indexes,
    Integer snapshotEvery,
    AccessRules rules,
    String owner)
    implements CairnSerializable {

  /**
   * The index every collection with an owner has, so that a list shows each caller their own
   * documents; index names a client declares start with a letter, so it cannot be taken.
   */
  public static final String OWNER_INDEX = "_owner";

  public CollectionDefinition {
    // Jackson reads a null JsonNode member back as NullNode; no schema is no schema.
    schema = schema == null || schema.isNull() ? null : schema;
    indexes = indexes == null ? Map.of() : new TreeMap<>(indexes);
    rules = rules == null ? AccessRules.DEFAULT : rules;
  }

  public static final CollectionDefinition NONE =
      new CollectionDefinition(null, Map.of(), null, AccessRules.DEFAULT, null);

  /** The declared indexes and, with an owner, {@link #OWNER_INDEX}: what the read model keeps. */
  @JsonIgnore
  public Map<String, IndexField> readModelIndexes() {
    if (owner == null) {
      return indexes;
    }
    Map<String, IndexField> all = new TreeMap<>(indexes);
    all.put(OWNER_INDEX, new IndexField(owner, IndexType.STRING));
    return all;
  }
}

package dev.cairn.protocol.collection;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.protocol.CairnSerializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a collection declares about its documents.
 *
 * @param schema a JSON Schema (draft 2020-12) every written document must satisfy, or null
 * @param indexes named index fields for list queries
 * @param snapshotEvery the snapshot interval of the collection's documents, or null for the node's
 *     default
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record CollectionDefinition(
    JsonNode schema, Map<String, IndexField> indexes, Integer snapshotEvery)
    implements CairnSerializable {

  public CollectionDefinition {
    // Jackson reads a null JsonNode member back as NullNode; no schema is no schema.
    schema = schema == null || schema.isNull() ? null : schema;
    indexes = indexes == null ? Map.of() : new TreeMap<>(indexes);
  }

  public static final CollectionDefinition NONE = new CollectionDefinition(null, Map.of(), null);
}

package dev.cairn.persistence;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaException;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.cairn.protocol.Violation;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * JSON Schema (draft 2020-12) for collections: checking a schema when a collection is defined, and
 * validating documents against it on every write. Compiled schemas are cached by their content, as
 * the library wants them compiled once and reused (they are thread-safe). Remote {@code $ref}s are
 * never fetched.
 */
public final class DocumentSchemas {

  private static final int MAX_CACHED = 1_000;

  private static final SchemaRegistry REGISTRY =
      SchemaRegistry.withDefaultDialect(
          SpecificationVersion.DRAFT_2020_12,
          builder -> builder.schemaLoader(loader -> loader.fetchRemoteResources(false)));

  private static final Schema META_SCHEMA =
      REGISTRY.getSchema(SchemaLocation.of(SpecificationVersion.DRAFT_2020_12.getDialectId()));

  private static final ConcurrentHashMap<JsonNode, Schema> COMPILED = new ConcurrentHashMap<>();

  private DocumentSchemas() {}

  /**
   * What is wrong with a schema, or nothing. Checked against the meta-schema first, because the
   * library compiles some invalid schemas (such as {@code {"type": 12}}) without complaint.
   */
  public static List<Violation> problemsOf(JsonNode schema) {
    List<Violation> problems =
        META_SCHEMA.validate(schema).stream()
            .map(e -> new Violation(e.getInstanceLocation().toString(), e.getMessage()))
            .toList();
    if (!problems.isEmpty()) {
      return problems;
    }
    try {
      compiled(schema);
      return List.of();
    } catch (SchemaException e) {
      return List.of(new Violation("", e.getMessage()));
    }
  }

  /** Where {@code document} fails {@code schema}; empty when it satisfies it. */
  public static List<Violation> violations(JsonNode schema, JsonNode document) {
    try {
      return compiled(schema).validate(document).stream()
          .map(e -> new Violation(e.getInstanceLocation().toString(), e.getMessage()))
          .toList();
    } catch (SchemaException e) {
      // A $ref the schema cannot resolve offline shows up only when validation follows it.
      return List.of(
          new Violation("", "the collection's schema cannot be applied: " + e.getMessage()));
    }
  }

  private static Schema compiled(JsonNode schema) {
    Schema cached = COMPILED.get(schema);
    if (cached != null) {
      return cached;
    }
    if (COMPILED.size() >= MAX_CACHED) {
      COMPILED.clear();
    }
    Schema compiled = REGISTRY.getSchema(schema);
    COMPILED.put(schema.deepCopy(), compiled);
    return compiled;
  }
}

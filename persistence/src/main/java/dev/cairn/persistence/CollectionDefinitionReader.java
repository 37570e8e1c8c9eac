package dev.cairn.persistence;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.protocol.Violation;
import dev.cairn.protocol.collection.CollectionDefinition;
import dev.cairn.protocol.collection.IndexField;
import dev.cairn.protocol.collection.IndexType;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Reads a collection definition from the JSON a client sent, checking every part of it: the schema
 * against the JSON Schema 2020-12 meta-schema, each index's name, JSON Pointer and type, and the
 * snapshot interval. All problems are reported at once, each with its path.
 */
public final class CollectionDefinitionReader {

  /** The definition has problems; nothing was defined. */
  public static final class Invalid extends RuntimeException {
    private final List<Violation> violations;

    Invalid(List<Violation> violations) {
      super(describe(violations), null, false, false);
      this.violations = List.copyOf(violations);
    }

    public List<Violation> violations() {
      return violations;
    }
  }

  public static final int MAX_INDEXES = 32;
  private static final Pattern INDEX_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");
  private static final Set<String> FIELDS = Set.of("schema", "indexes", "snapshotEvery");

  private CollectionDefinitionReader() {}

  public static CollectionDefinition read(JsonNode body, JsonLimits limits) {
    List<Violation> problems = new ArrayList<>();
    body.fieldNames()
        .forEachRemaining(
            name -> {
              if (!FIELDS.contains(name)) {
                problems.add(
                    new Violation(
                        "/" + name,
                        "unknown member; a definition has " + new java.util.TreeSet<>(FIELDS)));
              }
            });
    JsonNode schema = schema(body.get("schema"), limits, problems);
    Map<String, IndexField> indexes = indexes(body.get("indexes"), problems);
    Integer snapshotEvery = snapshotEvery(body.get("snapshotEvery"), problems);
    if (!problems.isEmpty()) {
      throw new Invalid(problems);
    }
    return new CollectionDefinition(schema, indexes, snapshotEvery);
  }

  private static JsonNode schema(JsonNode schema, JsonLimits limits, List<Violation> problems) {
    if (schema == null || schema.isNull()) {
      return null;
    }
    if (!schema.isObject() && !schema.isBoolean()) {
      problems.add(new Violation("/schema", "a JSON Schema is an object (or true/false)"));
      return null;
    }
    DocumentSchemas.problemsOf(schema, limits)
        .forEach(p -> problems.add(new Violation("/schema" + p.path(), p.message())));
    return schema;
  }

  private static Map<String, IndexField> indexes(JsonNode indexes, List<Violation> problems) {
    Map<String, IndexField> fields = new TreeMap<>();
    if (indexes == null || indexes.isNull()) {
      return fields;
    }
    if (!indexes.isObject()) {
      problems.add(new Violation("/indexes", "indexes is an object of name: {path, type}"));
      return fields;
    }
    if (indexes.size() > MAX_INDEXES) {
      problems.add(new Violation("/indexes", "at most " + MAX_INDEXES + " indexes"));
    }
    Iterator<Map.Entry<String, JsonNode>> entries = indexes.fields();
    while (entries.hasNext()) {
      Map.Entry<String, JsonNode> entry = entries.next();
      String at = "/indexes/" + entry.getKey();
      if (!INDEX_NAME.matcher(entry.getKey()).matches()) {
        problems.add(
            new Violation(
                at, "an index name is 1 to 64 letters, digits or '_', starting with a letter"));
        continue;
      }
      JsonNode index = entry.getValue();
      String path = index.path("path").asText(null);
      if (!index.path("path").isTextual() || !isPointer(path)) {
        problems.add(
            new Violation(at + "/path", "a JSON Pointer into the document, such as /price"));
      }
      IndexType type = null;
      try {
        type = IndexType.fromJson(index.path("type").asText(""));
      } catch (IllegalArgumentException e) {
        problems.add(new Violation(at + "/type", "one of string, number, boolean, timestamp"));
      }
      if (type != null && path != null && isPointer(path)) {
        fields.put(entry.getKey(), new IndexField(path, type));
      }
    }
    return fields;
  }

  private static Integer snapshotEvery(JsonNode value, List<Violation> problems) {
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.canConvertToExactIntegral()
        || !value.canConvertToLong()
        || value.asLong() < 1
        || value.asLong() > 100_000) {
      problems.add(new Violation("/snapshotEvery", "a whole number from 1 to 100000"));
      return null;
    }
    return value.asInt();
  }

  private static boolean isPointer(String path) {
    if (path == null || !(path.isEmpty() || path.startsWith("/"))) {
      return false;
    }
    try {
      JsonPointer.compile(path);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String describe(List<Violation> violations) {
    StringBuilder text = new StringBuilder("the collection definition is not valid: ");
    for (int i = 0; i < violations.size(); i++) {
      Violation v = violations.get(i);
      text.append(i == 0 ? "" : "; ").append(v.path()).append(" ").append(v.message());
    }
    return text.toString();
  }
}

package dev.cairn.persistence;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.protocol.Violation;
import dev.cairn.protocol.access.AccessRules;
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
 * against the JSON Schema 2020-12 meta-schema, each index's name, JSON Pointer and type, the
 * snapshot interval, the owner pointer and the access rules. All problems are reported at once,
 * each with its path.
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
  private static final Set<String> FIELDS =
      Set.of("schema", "indexes", "snapshotEvery", "rules", "owner");

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
    String owner = owner(body.get("owner"), problems);
    AccessRules rules = rules(body.get("rules"), owner, problems);
    if (!problems.isEmpty()) {
      throw new Invalid(problems);
    }
    return new CollectionDefinition(schema, indexes, snapshotEvery, rules, owner);
  }

  private static String owner(JsonNode owner, List<Violation> problems) {
    if (owner == null || owner.isNull()) {
      return null;
    }
    if (!owner.isTextual() || owner.asText().isEmpty() || !isPointer(owner.asText())) {
      problems.add(
          new Violation(
              "/owner",
              "a JSON Pointer to the member holding the owner's subject, such as /owner"));
      return null;
    }
    return owner.asText();
  }

  private static AccessRules rules(JsonNode rules, String owner, List<Violation> problems) {
    if (rules == null || rules.isNull()) {
      return AccessRules.DEFAULT;
    }
    if (!rules.isObject()) {
      problems.add(new Violation("/rules", "rules is an object of operation: [alternatives]"));
      return AccessRules.DEFAULT;
    }
    Map<String, List<String>> lists = new TreeMap<>();
    Set<String> operations = new java.util.TreeSet<>();
    for (AccessRules.Operation operation : AccessRules.Operation.values()) {
      operations.add(operation.json());
    }
    Iterator<Map.Entry<String, JsonNode>> entries = rules.fields();
    while (entries.hasNext()) {
      Map.Entry<String, JsonNode> entry = entries.next();
      String at = "/rules/" + entry.getKey();
      if (!operations.contains(entry.getKey())) {
        problems.add(new Violation(at, "unknown operation; rules has " + operations));
        continue;
      }
      JsonNode list = entry.getValue();
      if (!list.isArray() || list.isEmpty()) {
        problems.add(
            new Violation(
                at, "a non-empty list of alternatives: public, authenticated, role:<name>, owner"));
        continue;
      }
      List<String> alternatives = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        JsonNode alternative = list.get(i);
        if (!alternative.isTextual() || !AccessRules.isAlternative(alternative.asText())) {
          problems.add(
              new Violation(
                  at + "/" + i,
                  "one of public, authenticated, role:<name> (1 to 64 letters, digits, or _ . : -)"
                      + " and owner"));
        } else if (alternative.asText().equals(AccessRules.OWNER) && owner == null) {
          problems.add(
              new Violation(
                  at + "/" + i, "the owner rule needs the definition's owner, a JSON Pointer"));
        } else {
          alternatives.add(alternative.asText());
        }
      }
      lists.put(entry.getKey(), alternatives);
    }
    return new AccessRules(
        lists.get("read"), lists.get("create"), lists.get("update"), lists.get("delete"));
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

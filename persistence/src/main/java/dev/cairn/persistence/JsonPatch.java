package dev.cairn.persistence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.persistence.DocumentPatch.Failed;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * RFC 6902 JSON Patch over RFC 6901 JSON Pointers, one operation at a time with a {@link
 * PatchBudget} consulted before and after each, so that a patch of a few hundred bytes cannot grow
 * a document past its limits or hold its actor past the deadline on the way to its result.
 *
 * <p>Written out here because zjsonpatch (still used to replay events accepted before, see {@link
 * DocumentPatch}) applies a whole patch at once and differs from the RFC: it accepts {@code remove}
 * of {@code /a/-} and the escape {@code ~2}, and its {@code test} holds 1 and 1.0 unequal where
 * section 4.6 says numbers are equal when their values are. The public json-patch-tests suite runs
 * against this class (JsonPatchSuiteTest).
 */
final class JsonPatch {

  private static final Set<String> OPERATIONS =
      Set.of("add", "remove", "replace", "move", "copy", "test");

  private static final Pattern ARRAY_INDEX = Pattern.compile("0|[1-9][0-9]{0,9}");

  private JsonPatch() {}

  /**
   * Applies {@code patch} to {@code document}, which it changes in place, and returns the result
   * (another node when an operation replaces the whole document).
   */
  static JsonNode apply(JsonNode patch, JsonNode document, PatchBudget budget)
      throws Failed, JsonLimits.Exceeded {
    if (!patch.isArray()) {
      throw new Failed("a JSON Patch (RFC 6902) must be an array of operations");
    }
    budget.operations(patch.size());
    JsonNode root = document;
    int index = 0;
    for (JsonNode operation : patch) {
      budget.step();
      root = new Operation(operation, index++).apply(root, budget);
    }
    return root;
  }

  /** Whether two values are equal as section 4.6 of RFC 6902 defines it. */
  static boolean equal(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    if (a.getNodeType() != b.getNodeType()) {
      return false;
    }
    if (a.isObject()) {
      if (a.size() != b.size()) {
        return false;
      }
      Iterator<Map.Entry<String, JsonNode>> fields = a.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        JsonNode other = b.get(field.getKey());
        if (other == null || !equal(field.getValue(), other)) {
          return false;
        }
      }
      return true;
    }
    if (a.isArray()) {
      if (a.size() != b.size()) {
        return false;
      }
      for (int i = 0; i < a.size(); i++) {
        if (!equal(a.get(i), b.get(i))) {
          return false;
        }
      }
      return true;
    }
    return a.equals(b);
  }

  /** One operation of a patch, read and checked. */
  private static final class Operation {
    private final String op;
    private final String describe;
    private final List<String> path;
    private final List<String> from;
    private final JsonNode value;

    Operation(JsonNode operation, int index) throws Failed {
      if (!operation.isObject()) {
        throw new Failed("operation " + index + " is not an object such as {\"op\": \"add\", ...}");
      }
      JsonNode op = operation.get("op");
      if (op == null || !op.isTextual() || !OPERATIONS.contains(op.textValue())) {
        throw new Failed(
            "operation " + index + " needs \"op\": one of add, remove, replace, move, copy, test");
      }
      this.op = op.textValue();
      this.path = pointer(operation, "path", index);
      this.describe =
          "operation " + index + " (" + this.op + " " + shortened(operation.get("path").asText());
      this.from =
          this.op.equals("move") || this.op.equals("copy")
              ? pointer(operation, "from", index)
              : null;
      this.value = operation.get("value");
      if (value == null
          && (this.op.equals("add") || this.op.equals("replace") || this.op.equals("test"))) {
        throw new Failed(describe + "): " + this.op + " needs a \"value\"");
      }
    }

    JsonNode apply(JsonNode root, PatchBudget budget) throws Failed, JsonLimits.Exceeded {
      return switch (op) {
        case "add" -> add(root, path, value.deepCopy(), budget);
        case "remove" -> remove(root, path, budget);
        case "replace" ->
            add(path.isEmpty() ? root : remove(root, path, budget), path, value.deepCopy(), budget);
        case "move" -> move(root, budget);
        case "copy" -> add(root, path, find(root, from, "from").deepCopy(), budget);
        default -> test(root);
      };
    }

    private JsonNode move(JsonNode root, PatchBudget budget) throws Failed, JsonLimits.Exceeded {
      if (path.size() > from.size() && path.subList(0, from.size()).equals(from)) {
        throw new Failed(describe + "): a value cannot be moved into itself");
      }
      JsonNode moved = find(root, from, "from");
      JsonNode rest = remove(root, from, budget);
      return add(rest, path, moved, budget);
    }

    private JsonNode test(JsonNode root) throws Failed {
      if (!equal(find(root, path, "path"), value)) {
        throw new Failed(describe + "): the value there is not equal to the one given");
      }
      return root;
    }

    /** Adds {@code added} at {@code at} and returns the (possibly new) root. */
    private JsonNode add(JsonNode root, List<String> at, JsonNode added, PatchBudget budget)
        throws Failed, JsonLimits.Exceeded {
      if (at.isEmpty()) {
        budget.removing(root);
        budget.adding(added, 0);
        return added;
      }
      JsonNode parent = parent(root, at);
      String last = at.get(at.size() - 1);
      if (parent.isObject()) {
        JsonNode replaced = ((ObjectNode) parent).get(last);
        if (replaced != null) {
          budget.removing(replaced);
        }
        budget.adding(added, at.size());
        ((ObjectNode) parent).set(last, added);
      } else {
        ArrayNode array = (ArrayNode) parent;
        int index = last.equals("-") ? array.size() : index(last, array.size() + 1);
        budget.adding(added, at.size());
        array.insert(index, added);
      }
      return root;
    }

    /** Removes what {@code at} points to and returns the root. */
    private JsonNode remove(JsonNode root, List<String> at, PatchBudget budget) throws Failed {
      if (at.isEmpty()) {
        throw new Failed(
            describe + "): the whole document cannot be removed; DELETE it, or replace it");
      }
      JsonNode parent = parent(root, at);
      String last = at.get(at.size() - 1);
      JsonNode removed;
      if (parent.isObject()) {
        removed = ((ObjectNode) parent).remove(last);
        if (removed == null) {
          throw new Failed(describe + "): there is no member " + quoted(last));
        }
      } else {
        removed = ((ArrayNode) parent).remove(index(last, parent.size()));
      }
      budget.removing(removed);
      return root;
    }

    /** The value {@code at} points to, which must exist. */
    private JsonNode find(JsonNode root, List<String> at, String member) throws Failed {
      JsonNode node = root;
      for (String token : at) {
        node = child(node, token, member);
      }
      return node;
    }

    /** The object or array that holds what {@code at} points to. */
    private JsonNode parent(JsonNode root, List<String> at) throws Failed {
      JsonNode parent = find(root, at.subList(0, at.size() - 1), "path");
      if (!parent.isContainerNode()) {
        throw new Failed(
            describe + "): the path goes through a " + typeName(parent) + ", not a container");
      }
      return parent;
    }

    private JsonNode child(JsonNode node, String token, String member) throws Failed {
      JsonNode child =
          node.isObject()
              ? node.get(token)
              : node.isArray() ? node.get(index(token, node.size())) : null;
      if (child == null) {
        throw new Failed(
            describe + "): the " + member + " names " + quoted(token) + ", which is not there");
      }
      return child;
    }

    /** An array index below {@code bound}: digits without leading zeros, never "-". */
    private int index(String token, int bound) throws Failed {
      if (!ARRAY_INDEX.matcher(token).matches()) {
        throw new Failed(
            describe
                + "): "
                + quoted(token)
                + " is not an array index"
                + (token.equals("-")
                    ? " here; \"-\" (after the last element) is only for adding"
                    : " (0, 1, 2, ... without leading zeros)"));
      }
      long index = Long.parseLong(token);
      if (index >= bound) {
        throw new Failed(describe + "): index " + index + " is past the end of the array");
      }
      return (int) index;
    }
  }

  private static List<String> pointer(JsonNode operation, String member, int index) throws Failed {
    JsonNode text = operation.get(member);
    if (text == null || !text.isTextual() || !isPointer(text.textValue())) {
      throw new Failed(
          "operation "
              + index
              + " needs \""
              + member
              + "\": a JSON Pointer (RFC 6901) such as \"/tags/0\", with ~0 for ~ and ~1 for /");
    }
    List<String> tokens = new ArrayList<>();
    String pointer = text.textValue();
    int start = 1;
    while (start <= pointer.length()) {
      int end = pointer.indexOf('/', start);
      end = end < 0 ? pointer.length() : end;
      tokens.add(pointer.substring(start, end).replace("~1", "/").replace("~0", "~"));
      start = end + 1;
    }
    return tokens;
  }

  /** Empty, or tokens each after a "/", with "~" only in the escapes "~0" and "~1". */
  private static boolean isPointer(String pointer) {
    if (!pointer.isEmpty() && pointer.charAt(0) != '/') {
      return false;
    }
    for (int i = 0; i < pointer.length(); i++) {
      if (pointer.charAt(i) == '~'
          && (i + 1 == pointer.length()
              || (pointer.charAt(i + 1) != '0' && pointer.charAt(i + 1) != '1'))) {
        return false;
      }
    }
    return true;
  }

  private static String quoted(String token) {
    return "\"" + shortened(token) + "\"";
  }

  /** At most 64 characters of client text for a message, never half a surrogate pair. */
  private static String shortened(String text) {
    if (text.length() <= 64) {
      return text;
    }
    int end = Character.isHighSurrogate(text.charAt(63)) ? 63 : 64;
    return text.substring(0, end) + "...";
  }

  private static String typeName(JsonNode node) {
    return node.getNodeType().name().toLowerCase();
  }
}

package dev.cairn.persistence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.config.CairnSettings;
import dev.cairn.protocol.Json;
import dev.cairn.protocol.Problem;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The shape every JSON value Cairn takes in, and every document it keeps, must have: nesting depth,
 * the length of strings, member names and numbers, numbers within the range of an IEEE 754 double
 * (RFC 7493, I-JSON), strings of valid Unicode, and a document's size.
 *
 * <p>A request body is held to them as it is parsed ({@link #parse}), so a deep or long value is
 * refused before it is built; the document a write produces is held to them again by its entity
 * before the event is persisted ({@link #checkDocument}), so nothing is committed that Cairn cannot
 * serialize, read back, project and stream. The checks walk a value with a stack of their own,
 * never by recursion, so they are safe on any input.
 */
public final class JsonLimits {

  /** A value breaks a limit; {@link #problem()} says how to answer, the message what to fix. */
  public static final class Exceeded extends Exception {
    private final Problem problem;

    Exceeded(Problem problem, String message) {
      super(message, null, false, false);
      this.problem = problem;
    }

    public Problem problem() {
      return problem;
    }
  }

  /** Characters of a JSON Pointer shown in a message. */
  private static final int MAX_POINTER = 200;

  private static final BigDecimal LARGEST = new BigDecimal(Double.MAX_VALUE);
  private static final BigDecimal SMALLEST = new BigDecimal(Double.MIN_VALUE);

  private final CairnSettings.Limits limits;
  private final ObjectMapper parser;

  public JsonLimits(CairnSettings.Limits limits) {
    this.limits = limits;
    this.parser =
        Json.clientInputMapper(
            StreamReadConstraints.builder()
                .maxNestingDepth(limits.maxDepth())
                .maxStringLength(limits.maxStringLength())
                .maxNameLength(limits.maxKeyLength())
                .maxNumberLength(limits.maxNumberLength())
                .maxDocumentLength(limits.maxBodySize())
                .build());
  }

  public CairnSettings.Limits settings() {
    return limits;
  }

  /**
   * Parses JSON a client sent and checks it.
   *
   * @throws Exceeded when it breaks a limit (or is not valid Unicode)
   * @throws JsonProcessingException when it is not JSON at all
   */
  public JsonNode parse(byte[] json) throws Exceeded, IOException {
    JsonNode value;
    try {
      value = parser.readTree(json);
    } catch (StreamConstraintsException e) {
      throw new Exceeded(Problem.LIMIT_EXCEEDED, constraintMessage(e));
    } catch (NumberFormatException e) {
      // Jackson reports an exponent beyond an int this way, not as a parse error.
      throw new Exceeded(Problem.LIMIT_EXCEEDED, outOfRange("a number in the body"));
    }
    if (value == null || value.isMissingNode()) {
      throw new Exceeded(Problem.MALFORMED_JSON, "the body holds no JSON value");
    }
    check(value);
    return value;
  }

  /** Checks a value against every limit but the document size. */
  public void check(JsonNode value) throws Exceeded {
    Deque<Step> pending = new ArrayDeque<>();
    pending.push(new Step(value, null, null, -1, 1));
    while (!pending.isEmpty()) {
      Step step = pending.pop();
      JsonNode node = step.node();
      if (node.isObject()) {
        deepEnough(step);
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
          Map.Entry<String, JsonNode> field = fields.next();
          Step child = new Step(field.getValue(), step, field.getKey(), -1, step.depth() + 1);
          name(field.getKey(), child);
          pending.push(child);
        }
      } else if (node.isArray()) {
        deepEnough(step);
        for (int i = 0; i < node.size(); i++) {
          pending.push(new Step(node.get(i), step, null, i, step.depth() + 1));
        }
      } else if (node.isTextual()) {
        text(node.textValue(), step);
      } else if (node.isNumber()) {
        number(node, step);
      }
    }
  }

  /** Checks a document a write would produce: every limit, including its size as JSON. */
  public void checkDocument(ObjectNode document) throws Exceeded {
    check(document);
    long size = serializedSize(document);
    if (size > limits.maxDocumentSize()) {
      throw new Exceeded(
          Problem.LIMIT_EXCEEDED,
          "the document would be "
              + size
              + " bytes of JSON; the limit is "
              + limits.maxDocumentSize()
              + " (cairn.limits.max-document-size)");
    }
  }

  /**
   * The depth of the deepest object or array in {@code value} (a scalar is 0), without recursion.
   */
  static int depth(JsonNode value) {
    int deepest = 0;
    Deque<JsonNode> nodes = new ArrayDeque<>();
    Deque<Integer> depths = new ArrayDeque<>();
    nodes.push(value);
    depths.push(1);
    while (!nodes.isEmpty()) {
      JsonNode node = nodes.pop();
      int depth = depths.pop();
      if (node.isContainerNode()) {
        deepest = Math.max(deepest, depth);
        for (JsonNode child : node) {
          nodes.push(child);
          depths.push(depth + 1);
        }
      }
    }
    return deepest;
  }

  /**
   * A lower bound of the bytes {@code value} takes as JSON, cheap to compute: two per object or
   * array, a string's characters and quotes, a member name's with its colon, one per other value.
   * Never more than the real size, so it can bound how large a document grows while a patch is
   * applied without refusing a result that fits.
   */
  static long weight(JsonNode value) {
    long weight = 0;
    Deque<JsonNode> nodes = new ArrayDeque<>();
    nodes.push(value);
    while (!nodes.isEmpty()) {
      JsonNode node = nodes.pop();
      if (node.isObject()) {
        weight += 2;
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
          Map.Entry<String, JsonNode> field = fields.next();
          weight += field.getKey().length() + 3;
          nodes.push(field.getValue());
        }
      } else if (node.isArray()) {
        weight += 2;
        node.forEach(nodes::push);
      } else if (node.isTextual()) {
        weight += node.textValue().length() + 2;
      } else {
        weight += 1;
      }
    }
    return weight;
  }

  /** The size of {@code value} as Cairn writes it, in bytes. */
  static long serializedSize(JsonNode value) {
    CountingStream count = new CountingStream();
    try {
      Json.mapper().writeValue(count, value);
    } catch (IOException e) {
      throw new IllegalStateException("a checked document always serializes", e);
    }
    return count.bytes;
  }

  // --- the checks -----------------------------------------------------------------------------

  private void deepEnough(Step step) throws Exceeded {
    if (step.depth() > limits.maxDepth()) {
      throw new Exceeded(
          Problem.LIMIT_EXCEEDED,
          "the value at "
              + step.pointer()
              + " is nested "
              + step.depth()
              + " levels deep; the limit is "
              + limits.maxDepth()
              + " (cairn.limits.max-depth)");
    }
  }

  private void name(String name, Step member) throws Exceeded {
    if (name.length() > limits.maxKeyLength()) {
      throw new Exceeded(
          Problem.LIMIT_EXCEEDED,
          "a member name at "
              + member.parentPointer()
              + " is "
              + name.length()
              + " characters long; the limit is "
              + limits.maxKeyLength()
              + " (cairn.limits.max-key-length)");
    }
    unicode(name, "a member name at " + member.parentPointer());
  }

  private void text(String text, Step step) throws Exceeded {
    if (text.length() > limits.maxStringLength()) {
      throw new Exceeded(
          Problem.LIMIT_EXCEEDED,
          "the string at "
              + step.pointer()
              + " is "
              + text.length()
              + " characters long; the limit is "
              + limits.maxStringLength()
              + " (cairn.limits.max-string-length)");
    }
    unicode(text, "the string at " + step.pointer());
  }

  private static void unicode(String text, String what) throws Exceeded {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean paired =
          Character.isHighSurrogate(c)
              ? i + 1 < text.length() && Character.isLowSurrogate(text.charAt(++i))
              : !Character.isLowSurrogate(c);
      if (!paired) {
        throw new Exceeded(
            Problem.MALFORMED_JSON,
            what
                + " holds an unpaired UTF-16 surrogate (such as \\ud800 alone); JSON text must be"
                + " valid Unicode (RFC 8259, section 8.2)");
      }
    }
  }

  private void number(JsonNode node, Step step) throws Exceeded {
    boolean inRange;
    if (node.isBigDecimal()) {
      BigDecimal magnitude = node.decimalValue().abs();
      inRange =
          magnitude.signum() == 0
              || (magnitude.compareTo(LARGEST) <= 0 && magnitude.compareTo(SMALLEST) >= 0);
    } else if (node.isBigInteger()) {
      inRange = node.bigIntegerValue().bitLength() <= 1024;
    } else if (node.isFloatingPointNumber()) {
      inRange = Double.isFinite(node.doubleValue());
    } else {
      inRange = true;
    }
    if (!inRange) {
      throw new Exceeded(Problem.LIMIT_EXCEEDED, outOfRange("the number at " + step.pointer()));
    }
  }

  private static String outOfRange(String what) {
    return what
        + " is outside the range of an IEEE 754 double (about 4.9e-324 to 1.8e308 in magnitude),"
        + " which is what Cairn stores, indexes and compares (RFC 7493)";
  }

  /** Jackson's wording of a broken stream constraint, in Cairn's terms with the setting. */
  private String constraintMessage(StreamConstraintsException e) {
    String message = e.getOriginalMessage();
    String jackson = message.toLowerCase(java.util.Locale.ROOT);
    String[][] constraints = {
      {
        "nesting depth",
        "the body is nested more than ",
        limits.maxDepth() + " levels deep",
        "max-depth"
      },
      {
        "string value length",
        "a string in the body is longer than ",
        limits.maxStringLength() + " characters",
        "max-string-length"
      },
      {
        "name length",
        "a member name in the body is longer than ",
        limits.maxKeyLength() + " characters",
        "max-key-length"
      },
      {
        "number value length",
        "a number in the body is longer than ",
        limits.maxNumberLength() + " characters",
        "max-number-length"
      },
      {
        "document length",
        "the body is longer than ",
        limits.maxBodySize() + " bytes",
        "max-body-size"
      }
    };
    for (String[] constraint : constraints) {
      if (jackson.contains(constraint[0])) {
        return constraint[1] + constraint[2] + " (cairn.limits." + constraint[3] + ")";
      }
    }
    return "the body exceeds a limit: " + message;
  }

  /** One value met while walking, with the way to it for messages. */
  private record Step(JsonNode node, Step parent, String name, int index, int depth) {

    String pointer() {
      List<String> tokens = new ArrayList<>();
      for (Step step = this; step.parent() != null; step = step.parent()) {
        tokens.add(
            step.name() != null
                ? step.name().replace("~", "~0").replace("/", "~1")
                : Integer.toString(step.index()));
      }
      if (tokens.isEmpty()) {
        return "the top level";
      }
      StringBuilder pointer = new StringBuilder();
      for (int i = tokens.size() - 1; i >= 0 && pointer.length() <= MAX_POINTER; i--) {
        pointer.append('/').append(tokens.get(i));
      }
      // Names can be long: a message shows the start of the way there.
      if (pointer.length() <= MAX_POINTER) {
        return pointer.toString();
      }
      int end =
          Character.isHighSurrogate(pointer.charAt(MAX_POINTER - 1))
              ? MAX_POINTER - 1
              : MAX_POINTER;
      return pointer.substring(0, end) + "...";
    }

    String parentPointer() {
      return parent == null ? "the top level" : parent.pointer();
    }
  }

  private static final class CountingStream extends OutputStream {
    long bytes;

    @Override
    public void write(int b) {
      bytes++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      bytes += len;
    }
  }
}

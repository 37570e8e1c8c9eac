package dev.cairn.persistence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.networknt.schema.Error;
import com.networknt.schema.ExecutionConfig;
import com.networknt.schema.ExecutionContext;
import com.networknt.schema.OutputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaException;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;
import com.networknt.schema.regex.RegularExpressions;
import dev.cairn.protocol.Problem;
import dev.cairn.protocol.Violation;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * JSON Schema (draft 2020-12) for collections: checking a schema when a collection is defined, and
 * validating documents against it on every write. Compiled schemas are cached by their content, as
 * the library wants them compiled once and reused (they are thread-safe).
 *
 * <p>A schema is data a client sent, so it is held to limits of its own: its size and depth, only
 * references inside itself ({@code $ref} starting with {@code #}; nothing is ever loaded from the
 * network or the node's class path), and a trial validation at definition time, which refuses a
 * schema that refers to itself without descending into the document. A validation runs against the
 * write's {@link Deadline}, checked at every keyword the validator evaluates and every character a
 * {@code pattern} reads, so neither a combinatorial schema nor a regular expression that backtracks
 * can hold the document's actor; a recursion that overflows the stack is refused like any other
 * limit.
 */
public final class DocumentSchemas {

  /** Violations reported for one write, at most: the rest are summarised. */
  static final int MAX_VIOLATIONS = 100;

  private static final int MAX_CACHED = 1_000;
  private static final String CANNOT_APPLY = "the schema cannot be applied: ";
  private static final String DIALECT = SpecificationVersion.DRAFT_2020_12.getDialectId();

  /** The only resources a schema may load: the parts of the 2020-12 meta-schema. */
  private static final String META_SCHEMA_PREFIX = "https://json-schema.org/draft/2020-12/";

  /** Members whose values are data, not subschemas: a "$ref" inside them is not a reference. */
  private static final Set<String> DATA_MEMBERS = Set.of("const", "enum", "default", "examples");

  private static final SchemaRegistry REGISTRY =
      SchemaRegistry.withDefaultDialect(
          SpecificationVersion.DRAFT_2020_12,
          builder ->
              builder
                  .schemaLoader(
                      loader ->
                          loader
                              .fetchRemoteResources(false)
                              .block(iri -> !iri.toString().startsWith(META_SCHEMA_PREFIX)))
                  .schemaRegistryConfig(
                      SchemaRegistryConfig.builder()
                          .regularExpressionFactory(new BoundedRegularExpressions())
                          .build()));

  private static final Schema META_SCHEMA = REGISTRY.getSchema(SchemaLocation.of(DIALECT));

  private static final ConcurrentHashMap<JsonNode, Schema> COMPILED = new ConcurrentHashMap<>();

  private DocumentSchemas() {}

  /**
   * What is wrong with a schema a client wants to declare, or nothing. Checked against the limits
   * and the meta-schema first, because the library compiles some invalid schemas (such as {@code
   * {"type": 12}}) without complaint, and then by validating an empty document with it.
   */
  public static List<Violation> problemsOf(JsonNode schema, JsonLimits limits) {
    List<Violation> problems = new ArrayList<>(withinLimits(schema, limits));
    if (!problems.isEmpty()) {
      return problems;
    }
    META_SCHEMA.validate(schema).stream()
        .map(e -> new Violation(e.getInstanceLocation().toString(), e.getMessage()))
        .forEach(problems::add);
    if (!problems.isEmpty()) {
      return problems;
    }
    try {
      compiled(schema);
    } catch (RuntimeException | StackOverflowError e) {
      // The library reports a schema it cannot compile (a pattern that is not a regular
      // expression, a reference it cannot resolve) with runtime exceptions of several kinds.
      return List.of(new Violation("", CANNOT_APPLY + e.getMessage()));
    }
    try {
      return violations(
              schema,
              JsonNodeFactory.instance.objectNode(),
              Deadline.after(limits.settings().validationTimeout()))
          .stream()
          .filter(v -> v.message().startsWith(CANNOT_APPLY))
          .toList();
    } catch (JsonLimits.Exceeded e) {
      return List.of(new Violation("", e.getMessage()));
    }
  }

  /**
   * Where {@code document} fails {@code schema}, as a write would be checked with {@code allowed}
   * for it: a check that takes longer, or recurses too deep, is a violation that says so.
   */
  public static List<Violation> check(JsonNode schema, JsonNode document, Duration allowed) {
    try {
      return violations(schema, document, Deadline.after(allowed));
    } catch (JsonLimits.Exceeded | Deadline.Expired e) {
      return List.of(new Violation("", e.getMessage()));
    }
  }

  /**
   * Where {@code document} fails {@code schema}; empty when it satisfies it.
   *
   * @throws JsonLimits.Exceeded when validating it needs more time than {@code deadline} leaves or
   *     recurses deeper than the stack allows
   */
  static List<Violation> violations(JsonNode schema, JsonNode document, Deadline deadline)
      throws JsonLimits.Exceeded {
    try {
      List<Error> errors =
          deadline.during(
              () ->
                  compiled(schema)
                      .validate(new BoundedContext(deadline), document, OutputFormat.DEFAULT));
      List<Violation> violations = new ArrayList<>();
      for (Error e : errors) {
        if (violations.size() == MAX_VIOLATIONS) {
          violations.add(
              new Violation("", "and " + (errors.size() - MAX_VIOLATIONS) + " more violations"));
          break;
        }
        violations.add(new Violation(e.getInstanceLocation().toString(), e.getMessage()));
      }
      return violations;
    } catch (SchemaException e) {
      // A $ref the schema cannot resolve offline shows up only when validation follows it.
      return List.of(new Violation("", CANNOT_APPLY + e.getMessage()));
    } catch (Deadline.Expired e) {
      throw new JsonLimits.Exceeded(Problem.LIMIT_EXCEEDED, e.getMessage());
    } catch (StackOverflowError e) {
      // A schema that recurses with the document (or a pattern that backtracks deeply) ran out of
      // stack: the frames are gone now, and this write is refused like any other limit.
      throw new JsonLimits.Exceeded(
          Problem.LIMIT_EXCEEDED,
          "validating the document against the collection's schema recursed too deeply; the"
              + " schema refers to itself without end, or a pattern backtracks over a long string");
    }
  }

  private static List<Violation> withinLimits(JsonNode schema, JsonLimits limits) {
    long size = JsonLimits.serializedSize(schema);
    if (size > limits.settings().maxSchemaSize()) {
      return List.of(
          new Violation(
              "",
              "the schema is "
                  + size
                  + " bytes of JSON; the limit is "
                  + limits.settings().maxSchemaSize()
                  + " (cairn.limits.max-schema-size)"));
    }
    int depth = JsonLimits.depth(schema);
    if (depth > limits.settings().maxSchemaDepth()) {
      return List.of(
          new Violation(
              "",
              "the schema is nested "
                  + depth
                  + " levels deep; the limit is "
                  + limits.settings().maxSchemaDepth()
                  + " (cairn.limits.max-schema-depth)"));
    }
    return references(schema);
  }

  /** References that leave the schema, and a dialect other than 2020-12. */
  private static List<Violation> references(JsonNode schema) {
    List<Violation> problems = new ArrayList<>();
    Deque<JsonNode> nodes = new ArrayDeque<>();
    Deque<String> paths = new ArrayDeque<>();
    nodes.push(schema);
    paths.push("");
    while (!nodes.isEmpty()) {
      JsonNode node = nodes.pop();
      String path = paths.pop();
      if (node.isArray()) {
        for (int i = 0; i < node.size(); i++) {
          nodes.push(node.get(i));
          paths.push(path + "/" + i);
        }
      }
      if (!node.isObject()) {
        continue;
      }
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        String name = field.getKey();
        JsonNode value = field.getValue();
        String at = path + "/" + name.replace("~", "~0").replace("/", "~1");
        if ((name.equals("$ref") || name.equals("$dynamicRef"))
            && value.isTextual()
            && !value.textValue().startsWith("#")) {
          problems.add(
              new Violation(
                  at,
                  "only references inside the schema are allowed (\"#/$defs/...\" or \"#anchor\");"
                      + " nothing is loaded from elsewhere"));
        } else if (name.equals("$schema") && value.isTextual() && !isDialect(value.textValue())) {
          problems.add(new Violation(at, "collections use JSON Schema 2020-12: " + DIALECT));
        } else if (!DATA_MEMBERS.contains(name)) {
          nodes.push(value);
          paths.push(at);
        }
      }
    }
    return problems;
  }

  private static boolean isDialect(String id) {
    return id.equals(DIALECT) || id.equals(DIALECT + "#");
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

  /** A validation that checks its deadline at every keyword and member it evaluates. */
  private static final class BoundedContext extends ExecutionContext {
    private final Deadline deadline;

    BoundedContext(Deadline deadline) {
      super(ExecutionConfig.builder().build());
      this.deadline = deadline;
    }

    @Override
    public void evaluationPathAddLast(String token) {
      deadline.check();
      super.evaluationPathAddLast(token);
    }

    @Override
    public void evaluationPathAddLast(int index) {
      deadline.check();
      super.evaluationPathAddLast(index);
    }
  }

  /**
   * {@code java.util.regex}, as the library uses it by default, reading the text through a view
   * that checks the running validation's deadline at every character.
   */
  private static final class BoundedRegularExpressions implements RegularExpressionFactory {
    @Override
    public RegularExpression getRegularExpression(String regex) {
      Pattern pattern =
          Pattern.compile(
              RegularExpressions.replaceDollarAnchors(
                  RegularExpressions.replaceLongformCharacterProperties(regex)));
      return text -> {
        Deadline deadline = Deadline.current();
        return pattern.matcher(deadline == null ? text : new BoundedText(text, deadline)).find();
      };
    }
  }

  private record BoundedText(String text, Deadline deadline) implements CharSequence {
    @Override
    public int length() {
      return text.length();
    }

    @Override
    public char charAt(int index) {
      deadline.check();
      return text.charAt(index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return text.subSequence(start, end);
    }

    @Override
    public String toString() {
      return text;
    }
  }
}

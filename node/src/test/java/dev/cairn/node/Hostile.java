package dev.cairn.node;

import java.util.List;
import java.util.Random;

/**
 * Hostile input for the fuzz suite, generated from a {@link Random} that jqwik seeds: JSON that is
 * deep, long, out of range, not Unicode, named twice or not JSON at all; JSON Patches whose
 * operations point everywhere and copy documents into themselves; schemas that loop, backtrack and
 * branch; paths, queries and header values as an attacker would write them. Each generator mixes
 * ordinary values in, so that some requests succeed and the suite can check what was acknowledged.
 */
final class Hostile {

  private Hostile() {}

  static final List<String> NUMBERS =
      List.of(
          "0",
          "-0",
          "1",
          "-1",
          "3.25",
          "1e2",
          "1E+2",
          "0.1",
          "9223372036854775807",
          "9223372036854775808",
          "18446744073709551617",
          "1.7976931348623157e308",
          "1.7976931348623157e309",
          "4.9e-324",
          "1e-400",
          "1e2147483648",
          "-1e-2147483649",
          "1e999999999",
          "123456789012345678901234567890123456789012345678901234567890",
          "1" + "0".repeat(120));

  private static final List<String> STRINGS =
      List.of(
          "",
          "a",
          "hello",
          "\\ud800",
          "\\udfff",
          "a\\ud800b",
          "\\ud83d\\ude00",
          "\\u0000",
          "\\u001f",
          "\\\"",
          "\\\\",
          "é",
          "\\u00e9",
          "%2e%2e",
          "../../etc/passwd",
          "<script>",
          "$ref",
          "2026-11-24T10:15:30Z");

  private static final List<String> KEYS =
      List.of(
          "a",
          "b",
          "title",
          "price",
          "status",
          "",
          "$ref",
          "__proto__",
          "~0",
          "a/b",
          "\\ud800",
          "é",
          "x y",
          "-",
          "0");

  private static final List<String> TOKENS =
      List.of("a", "b", "c", "0", "1", "-", "01", "~0", "~1", "~2", "", "x y", "99", "title");

  private static final List<String> PATTERNS =
      List.of(
          "^a+$",
          "^(a+)+$",
          "^(a|b)*$",
          "(x+x+)+y",
          "[",
          "\\\\p{L}+",
          "^.{0,5}$",
          "(?<n>a)\\\\k<n>");

  private static final List<String> REFS =
      List.of(
          "#",
          "#/properties/a",
          "#/$defs/n",
          "#/$defs/missing",
          "#anchor",
          "classpath:logback.xml",
          "https://example.com/s.json",
          "file:/etc/passwd",
          "other.json#/x");

  static final List<String> SEGMENTS =
      List.of(
          "notes",
          "n1",
          "fuzz",
          "_collections",
          "_changes",
          "_reserved",
          ".",
          "..",
          "%2e%2e",
          "%2E",
          "%00",
          "a%2Fb",
          "%E9",
          "%C3%A9",
          "%ED%A0%80",
          "%",
          "a b",
          "x".repeat(129),
          "a".repeat(65),
          "events",
          "revert",
          "admin",
          "-x",
          "~");

  /** A request body: mostly JSON, some of it deep or otherwise hostile, some of it not JSON. */
  static String body(Random random) {
    int kind = random.nextInt(20);
    if (kind == 0) {
      return garbage(random, 1 + random.nextInt(200));
    }
    if (kind == 1) {
      String json = object(random, 3);
      return json.substring(0, random.nextInt(json.length()));
    }
    if (kind == 2) {
      int depth = 20 + random.nextInt(1200);
      return "{\"a\":".repeat(depth) + "{}" + "}".repeat(depth);
    }
    if (kind == 3) {
      return value(random, 2);
    }
    if (kind == 4) {
      return "{\"a\":1,\"a\":2}";
    }
    if (kind == 5) {
      return "{\"big\":\"" + "x".repeat(random.nextInt(300_000)) + "\"}";
    }
    return object(random, 1 + random.nextInt(5));
  }

  static String object(Random random, int depth) {
    StringBuilder json = new StringBuilder("{");
    int members = random.nextInt(depth <= 0 ? 2 : 6);
    for (int i = 0; i < members; i++) {
      json.append(i == 0 ? "" : ",")
          .append('"')
          .append(key(random))
          .append("\":")
          .append(value(random, depth - 1));
    }
    return json.append('}').toString();
  }

  static String value(Random random, int depth) {
    int kind = random.nextInt(depth <= 0 ? 5 : 7);
    return switch (kind) {
      case 0 -> pick(random, NUMBERS);
      case 1 -> "\"" + pick(random, STRINGS) + "\"";
      case 2 -> pick(random, List.of("true", "false", "null"));
      case 3 -> Integer.toString(random.nextInt(1000));
      case 4 -> "\"" + (char) ('a' + random.nextInt(26)) + "\"";
      case 5 -> object(random, depth);
      default -> array(random, depth);
    };
  }

  private static String array(Random random, int depth) {
    StringBuilder json = new StringBuilder("[");
    int items = random.nextInt(5);
    for (int i = 0; i < items; i++) {
      json.append(i == 0 ? "" : ",").append(value(random, depth - 1));
    }
    return json.append(']').toString();
  }

  private static String key(Random random) {
    return random.nextInt(30) == 0 ? "k".repeat(2000) : pick(random, KEYS);
  }

  /** A JSON Patch: operations on pointers that may or may not exist, copies of the root. */
  static String jsonPatch(Random random) {
    StringBuilder patch = new StringBuilder("[");
    int operations = random.nextInt(20) == 0 ? 1500 : 1 + random.nextInt(25);
    for (int i = 0; i < operations; i++) {
      String op = pick(random, List.of("add", "remove", "replace", "move", "copy", "test", "nope"));
      patch.append(i == 0 ? "" : ",").append("{\"op\":\"").append(op).append("\",\"path\":\"");
      patch.append(pointer(random)).append('"');
      if (op.equals("move") || op.equals("copy")) {
        patch
            .append(",\"from\":\"")
            .append(random.nextInt(3) == 0 ? "" : pointer(random))
            .append('"');
      }
      if (random.nextInt(5) > 0) {
        patch.append(",\"value\":").append(value(random, 2));
      }
      patch.append('}');
    }
    return patch.append(']').toString();
  }

  private static String pointer(Random random) {
    StringBuilder pointer = new StringBuilder();
    int tokens = random.nextInt(10) == 0 ? 70 : random.nextInt(4);
    for (int i = 0; i < tokens; i++) {
      pointer.append('/').append(pick(random, TOKENS));
    }
    return pointer.toString();
  }

  /** A collection definition: a schema built from keywords that loop, backtrack and branch. */
  static String definition(Random random) {
    String schema =
        random.nextInt(15) == 0
            ? "{\"items\":".repeat(300) + "{}" + "}".repeat(300)
            : schema(random, 3);
    String indexes =
        random.nextBoolean()
            ? ",\"indexes\":{\"price\":{\"path\":\"/price\",\"type\":\"number\"},"
                + "\"status\":{\"path\":\"/status\",\"type\":\"string\"}}"
            : "";
    String snapshot = random.nextInt(4) == 0 ? ",\"snapshotEvery\":" + pick(random, NUMBERS) : "";
    return "{\"schema\":" + schema + indexes + snapshot + "}";
  }

  private static String schema(Random random, int depth) {
    if (depth <= 0 || random.nextInt(4) == 0) {
      return pick(
          random,
          List.of(
              "{}",
              "true",
              "false",
              "{\"type\":\"string\"}",
              "{\"$ref\":\"" + pick(random, REFS) + "\"}",
              "{\"pattern\":\"" + pick(random, PATTERNS) + "\"}",
              "{\"multipleOf\":" + pick(random, List.of("0.1", "1e-300", "3", "0")) + "}",
              "{\"enum\":[1,1.0," + pick(random, NUMBERS) + "]}"));
    }
    StringBuilder schema = new StringBuilder("{");
    int keywords = 1 + random.nextInt(4);
    for (int i = 0; i < keywords; i++) {
      schema.append(i == 0 ? "" : ",");
      switch (random.nextInt(8)) {
        case 0 ->
            schema
                .append("\"type\":\"")
                .append(pick(random, List.of("object", "array", "number", "nope")))
                .append('"');
        case 1 ->
            schema
                .append("\"properties\":{\"a\":")
                .append(schema(random, depth - 1))
                .append(",\"s\":")
                .append(schema(random, depth - 1))
                .append('}');
        case 2 ->
            schema
                .append("\"anyOf\":[")
                .append(schema(random, depth - 1))
                .append(',')
                .append(schema(random, depth - 1))
                .append(']');
        case 3 ->
            schema
                .append("\"$defs\":{\"n\":")
                .append(schema(random, depth - 1))
                .append("},\"$ref\":\"#/$defs/n\"");
        case 4 -> schema.append("\"required\":[\"a\"]");
        case 5 -> schema.append("\"items\":").append(schema(random, depth - 1));
        case 6 -> schema.append("\"$anchor\":\"anchor\"");
        default -> schema.append("\"allOf\":[").append(schema(random, depth - 1)).append(']');
      }
    }
    return schema.append('}').toString();
  }

  /** A path under /v1 or elsewhere, with a query; never the change feed (it does not end). */
  static String path(Random random) {
    StringBuilder path = new StringBuilder(random.nextInt(6) == 0 ? "/admin" : "/v1");
    int segments = 1 + random.nextInt(3);
    for (int i = 0; i < segments; i++) {
      String segment = pick(random, SEGMENTS);
      path.append('/').append(segment.equals("_changes") ? "changes" : segment);
    }
    if (random.nextBoolean()) {
      path.append('?')
          .append(
              pick(
                  random,
                  List.of(
                      "version=" + pick(random, NUMBERS),
                      "version=abc",
                      "at=yesterday",
                      "at=2026-11-24T10:15:30Z",
                      "after=-1",
                      "limit=0",
                      "limit=99999999999999999999",
                      "where.price.gt=" + pick(random, NUMBERS),
                      "where.nope=1",
                      "where.status.prefix=%25",
                      "sort=-price,status",
                      "cursor=%2F%2F%2F",
                      "deleted=true",
                      "version=1&at=2026-11-24T10:15:30Z")));
    }
    return path.toString();
  }

  /** Values for the headers Cairn reads; each fits what java.net.http lets a client send. */
  static String header(Random random, String name) {
    return switch (name) {
      case "If-Match", "If-None-Match" ->
          pick(
              random,
              List.of(
                  "\"1\"",
                  "*",
                  "W/\"1\"",
                  "\"abc\"",
                  "\"99999999999999999999\"",
                  "1",
                  "\"1\", \"2\"",
                  "\"",
                  ""));
      case "Idempotency-Key" ->
          pick(
              random,
              List.of("k1", "k2", "x".repeat(300), "a b", "\"q\"", "k" + random.nextInt(5)));
      case "Content-Type" ->
          pick(
              random,
              List.of(
                  "application/json",
                  "application/merge-patch+json",
                  "application/json-patch+json",
                  "text/plain",
                  "application/json; charset=latin1",
                  "application/xml"));
      default -> pick(random, List.of("1", "abc", "-1", "99999999999999999999999"));
    };
  }

  /** Bytes a client sends in the head of a request: control characters, obs-text, lead bytes. */
  static String headerBytes(Random random) {
    StringBuilder value = new StringBuilder();
    int length = random.nextInt(12);
    for (int i = 0; i < length; i++) {
      int kind = random.nextInt(6);
      value.append(
          (char)
              switch (kind) {
                case 0 -> 0x80 + random.nextInt(0x80);
                case 1 -> random.nextInt(0x20);
                default -> 0x21 + random.nextInt(0x5e);
              });
    }
    return value.toString();
  }

  static String garbage(Random random, int length) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < length; i++) {
      text.append((char) random.nextInt(0x100));
    }
    return text.toString();
  }

  static <T> T pick(Random random, List<T> choices) {
    return choices.get(random.nextInt(choices.size()));
  }
}

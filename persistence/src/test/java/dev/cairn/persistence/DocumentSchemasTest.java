package dev.cairn.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.protocol.Violation;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A collection's schema is client input too: what a definition may declare, and how validating a
 * document against it is bounded in time and stack.
 */
class DocumentSchemasTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonLimits LIMITS = TestLimits.defaults();

  /** Two alternatives at every level, both failing at the leaf: 2^depth evaluations. */
  private static final String EXPONENTIAL =
      "{\"$defs\":{\"n\":{\"anyOf\":["
          + "{\"type\":\"object\",\"properties\":{\"a\":{\"$ref\":\"#/$defs/n\"}}},"
          + "{\"type\":\"object\",\"properties\":{\"a\":{\"$ref\":\"#/$defs/n\"}}}],"
          + "\"required\":[\"a\"]}},\"$ref\":\"#/$defs/n\"}";

  @Test
  void aSchemaThatRefersToItselfWithoutDescendingIsRefusedWhenDefined() {
    assertThat(DocumentSchemas.problemsOf(json("{\"$ref\":\"#\"}"), LIMITS))
        .extracting(Violation::message)
        .anyMatch(m -> m.contains("refers to itself"));
    assertThat(DocumentSchemas.problemsOf(json("{\"allOf\":[{\"$ref\":\"#\"}]}"), LIMITS))
        .isNotEmpty();
  }

  @Test
  void aSchemaThatRecursesWithTheDocumentIsAccepted() {
    assertThat(
            DocumentSchemas.problemsOf(
                json(
                    "{\"type\":\"object\",\"properties\":{\"child\":{\"$ref\":\"#\"}},"
                        + "\"required\":[\"name\"]}"),
                LIMITS))
        .isEmpty();
  }

  @Test
  void referencesOutsideTheSchemaAreRefusedAndNothingIsLoaded() {
    for (String ref :
        new String[] {"classpath:logback.xml", "https://example.com/s.json", "file:/etc/passwd"}) {
      assertThat(DocumentSchemas.problemsOf(json("{\"$ref\":\"" + ref + "\"}"), LIMITS))
          .as(ref)
          .extracting(Violation::path)
          .containsExactly("/$ref");
    }
  }

  @Test
  void aReferenceInsideDataIsNotAReference() {
    assertThat(
            DocumentSchemas.problemsOf(
                json("{\"const\":{\"$ref\":\"https://example.com\"}}"), LIMITS))
        .isEmpty();
  }

  @Test
  void anotherDialectIsRefused() {
    assertThat(
            DocumentSchemas.problemsOf(
                json("{\"$schema\":\"http://json-schema.org/draft-07/schema#\"}"), LIMITS))
        .extracting(Violation::message)
        .anyMatch(m -> m.contains("2020-12"));
  }

  @Test
  void aSchemaLargerOrDeeperThanTheLimitsIsRefused() {
    JsonLimits small = TestLimits.with(Map.of("max-schema-size", 64, "max-schema-depth", 3));

    assertThat(
            DocumentSchemas.problemsOf(
                json("{\"description\":\"" + "x".repeat(100) + "\"}"), small))
        .extracting(Violation::message)
        .anyMatch(m -> m.contains("cairn.limits.max-schema-size"));
    assertThat(
            DocumentSchemas.problemsOf(
                json("{\"properties\":{\"a\":{\"properties\":{\"b\":{}}}}}"), small))
        .extracting(Violation::message)
        .anyMatch(m -> m.contains("cairn.limits.max-schema-depth"));
  }

  @Test
  void aCombinatorialSchemaIsStoppedAtTheDeadline() {
    JsonNode deep = json("{}");
    for (int i = 0; i < 40; i++) {
      deep = MAPPER.createObjectNode().set("a", deep);
    }
    JsonNode document = deep;

    assertThatThrownBy(
            () ->
                DocumentSchemas.violations(
                    json(EXPONENTIAL), document, Deadline.after(Duration.ofMillis(100))))
        .isInstanceOf(JsonLimits.Exceeded.class)
        .hasMessageContaining("cairn.limits.validation-timeout");
  }

  @Test
  void aPatternThatBacktracksIsStoppedAtTheDeadline() {
    JsonNode schema = json("{\"properties\":{\"s\":{\"pattern\":\"^(a+)+$\"}}}");
    // Quadratic in java.util.regex: seconds for 30,000 characters.
    JsonNode document = MAPPER.createObjectNode().put("s", "a".repeat(30_000) + "!");

    assertThatThrownBy(
            () ->
                DocumentSchemas.violations(
                    schema, document, Deadline.after(Duration.ofMillis(100))))
        .isInstanceOf(JsonLimits.Exceeded.class)
        .hasMessageContaining("cairn.limits.validation-timeout");
  }

  @Test
  void aPatternThatRecursesOverALongStringIsRefusedNotFatal() {
    JsonNode schema = json("{\"properties\":{\"s\":{\"pattern\":\"^(a|b)*$\"}}}");
    JsonNode document = MAPPER.createObjectNode().put("s", "a".repeat(500_000));

    assertThatThrownBy(
            () ->
                DocumentSchemas.violations(
                    schema, document, Deadline.after(Duration.ofSeconds(10))))
        .isInstanceOf(JsonLimits.Exceeded.class)
        .hasMessageContaining("recursed too deeply");
  }

  @Test
  void violationsAreReportedWithTheirPathsAndCapped() throws Exception {
    StringBuilder document = new StringBuilder("{\"items\":[");
    for (int i = 0; i < 150; i++) {
      document.append(i == 0 ? "" : ",").append("\"x\"");
    }
    document.append("]}");

    List<Violation> violations =
        DocumentSchemas.violations(
            json("{\"properties\":{\"items\":{\"items\":{\"type\":\"integer\"}}}}"),
            json(document.toString()),
            Deadline.after(Duration.ofSeconds(10)));

    assertThat(violations).hasSize(DocumentSchemas.MAX_VIOLATIONS + 1);
    assertThat(violations.get(0).path()).isEqualTo("/items/0");
    assertThat(violations.get(DocumentSchemas.MAX_VIOLATIONS).message()).contains("50 more");
  }

  private static JsonNode json(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }
}

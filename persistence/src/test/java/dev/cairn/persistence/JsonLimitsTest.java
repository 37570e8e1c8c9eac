package dev.cairn.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.protocol.Problem;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What JSON a client may send and what a document may become. */
class JsonLimitsTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final JsonLimits limits =
      TestLimits.with(
          Map.of(
              "max-depth", 4,
              "max-string-length", 10,
              "max-key-length", 5,
              "max-number-length", 12,
              "max-document-size", 64));

  @Test
  void aBodyNestedDeeperThanTheLimitIsRefusedWhileItIsParsed() {
    assertThatThrownBy(() -> parse("{\"a\":{\"b\":{\"c\":{\"d\":{}}}}}"))
        .isInstanceOf(JsonLimits.Exceeded.class)
        .hasMessageContaining("nested more than 4 levels")
        .hasMessageContaining("cairn.limits.max-depth")
        .extracting(e -> ((JsonLimits.Exceeded) e).problem())
        .isEqualTo(Problem.LIMIT_EXCEEDED);
  }

  @Test
  void aBodyAtExactlyTheDepthLimitIsAccepted() throws Exception {
    assertThat(parse("{\"a\":{\"b\":{\"c\":[1]}}}").at("/a/b/c/0").asInt()).isEqualTo(1);
  }

  @Test
  void longStringsNamesAndNumbersAreRefusedNamingTheirSetting() {
    assertThatThrownBy(() -> parse("{\"s\":\"0123456789x\"}"))
        .hasMessageContaining("cairn.limits.max-string-length");
    assertThatThrownBy(() -> parse("{\"sixsix\":1}"))
        .hasMessageContaining("cairn.limits.max-key-length");
    assertThatThrownBy(() -> parse("{\"n\":1234567890123}"))
        .hasMessageContaining("cairn.limits.max-number-length");
  }

  @Test
  void numbersOutsideTheRangeOfADoubleAreRefusedHoweverTheyAreWritten() {
    for (String number : new String[] {"1e2147483648", "1e999999999", "-1e309", "1e-400"}) {
      assertThatThrownBy(() -> parse("{\"n\":" + number + "}"))
          .as(number)
          .isInstanceOf(JsonLimits.Exceeded.class)
          .hasMessageContaining("IEEE 754 double");
    }
  }

  @Test
  void numbersAtTheEdgesOfTheRangeAreKeptAsWritten() throws Exception {
    JsonNode parsed = parse("{\"big\":1.7e308,\"small\":5e-324,\"zero\":0e-999}");

    assertThat(parsed.get("big").decimalValue()).isEqualByComparingTo("1.7e308");
    assertThat(parsed.get("small").decimalValue()).isEqualByComparingTo("5e-324");
  }

  @Test
  void anUnpairedSurrogateInAValueOrANameIsMalformed() {
    assertThatThrownBy(() -> parse("{\"s\":\"a\\ud800\"}"))
        .isInstanceOf(JsonLimits.Exceeded.class)
        .hasMessageContaining("/s")
        .extracting(e -> ((JsonLimits.Exceeded) e).problem())
        .isEqualTo(Problem.MALFORMED_JSON);
    assertThatThrownBy(() -> parse("{\"\\udc00\":1}"))
        .isInstanceOf(JsonLimits.Exceeded.class)
        .hasMessageContaining("surrogate");
  }

  @Test
  void aPairedSurrogateIsText() throws Exception {
    assertThat(parse("{\"s\":\"\\ud83d\\ude00\"}").get("s").asText()).isEqualTo("\uD83D\uDE00");
  }

  @Test
  void aMemberNamedTwiceIsNotJson() {
    assertThatThrownBy(() -> parse("{\"a\":1,\"a\":2}"))
        .isInstanceOf(JsonProcessingException.class)
        .hasMessageContaining("Duplicate field 'a'");
  }

  @Test
  void aDocumentThatWouldBeLargerThanTheLimitIsRefused() throws Exception {
    ObjectNode document = (ObjectNode) parse("{\"a\":\"0123456789\"}");
    for (int i = 0; i < 5; i++) {
      document.put("k" + i, "0123456789");
    }

    assertThatThrownBy(() -> limits.checkDocument(document))
        .hasMessageContaining("cairn.limits.max-document-size");
  }

  @Test
  void aDocumentBuiltDeeperThanAnyParserAllowsIsCheckedWithoutRecursion() {
    ObjectNode document = JsonNodeFactory.instance.objectNode();
    ObjectNode level = document;
    for (int i = 0; i < 100_000; i++) {
      level = level.putObject("a");
    }

    assertThatThrownBy(() -> limits.check(document))
        .isInstanceOf(JsonLimits.Exceeded.class)
        .hasMessageContaining("nested 5 levels deep");
  }

  @Test
  void theWeightOfAValueNeverExceedsItsSize() throws Exception {
    for (String json :
        new String[] {
          "{}", "{\"a\":1}", "{\"a\":[1,2,3],\"b\":null,\"c\":true}", "{\"é\":\"ü\",\"x\":[[],{}]}"
        }) {
      JsonNode value = MAPPER.readTree(json);
      assertThat(JsonLimits.weight(value))
          .as(json)
          .isLessThanOrEqualTo(JsonLimits.serializedSize(value));
    }
  }

  private JsonNode parse(String json) throws Exception {
    return limits.parse(json.getBytes(StandardCharsets.UTF_8));
  }
}

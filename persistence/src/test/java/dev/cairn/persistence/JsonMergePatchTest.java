package dev.cairn.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 7396 Appendix A: every example of the RFC, verbatim. */
class JsonMergePatchTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  @ParameterizedTest(name = "{0} merged with {1} is {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"a\":\"b\"}              | {\"a\":\"c\"}            | {\"a\":\"c\"}",
        "{\"a\":\"b\"}              | {\"b\":\"c\"}            | {\"a\":\"b\",\"b\":\"c\"}",
        "{\"a\":\"b\"}              | {\"a\":null}             | {}",
        "{\"a\":\"b\",\"b\":\"c\"}  | {\"a\":null}             | {\"b\":\"c\"}",
        "{\"a\":[\"b\"]}            | {\"a\":\"c\"}            | {\"a\":\"c\"}",
        "{\"a\":\"c\"}              | {\"a\":[\"b\"]}          | {\"a\":[\"b\"]}",
        "{\"a\":{\"b\":\"c\"}}      | {\"a\":{\"b\":\"d\",\"c\":null}} | {\"a\":{\"b\":\"d\"}}",
        "{\"a\":[{\"b\":\"c\"}]}    | {\"a\":[1]}              | {\"a\":[1]}",
        "[\"a\",\"b\"]              | [\"c\",\"d\"]            | [\"c\",\"d\"]",
        "{\"a\":\"b\"}              | [\"c\"]                  | [\"c\"]",
        "{\"a\":\"foo\"}            | null                     | null",
        "{\"a\":\"foo\"}            | \"bar\"                  | \"bar\"",
        "{\"e\":null}               | {\"a\":1}                | {\"e\":null,\"a\":1}",
        "[1,2]                      | {\"a\":\"b\",\"c\":null} | {\"a\":\"b\"}",
        "{}                         | {\"a\":{\"bb\":{\"ccc\":null}}} | {\"a\":{\"bb\":{}}}"
      })
  void appliesEveryExampleOfTheRfc(String target, String patch, String expected) throws Exception {
    JsonNode original = MAPPER.readTree(target);
    JsonNode result = JsonMergePatch.apply(original, MAPPER.readTree(patch));
    assertThat(result).isEqualTo(MAPPER.readTree(expected));
    assertThat(original).as("the target is not modified").isEqualTo(MAPPER.readTree(target));
  }
}

package dev.cairn.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.protocol.PatchFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Our RFC 6902 behaviour against the public json-patch-tests suite (npm package
 * json-patch-test-suite, fetched by the build). Cases whose document is not a JSON object are
 * outside what a Cairn document can be and are skipped; every other case must behave as the suite
 * says: produce the expected document, or fail.
 */
class JsonPatchSuiteTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TestFactory
  Stream<DynamicTest> testsJson() throws IOException {
    return cases("tests.json");
  }

  @TestFactory
  Stream<DynamicTest> specTestsJson() throws IOException {
    return cases("spec_tests.json");
  }

  private Stream<DynamicTest> cases(String file) throws IOException {
    Path suite = Path.of(System.getProperty("json-patch-test-suite", "missing"));
    assertTrue(
        Files.isDirectory(suite),
        "the json-patch-test-suite is fetched by the build into " + suite);
    JsonNode cases = MAPPER.readTree(suite.resolve(file).toFile());
    List<DynamicTest> tests = new ArrayList<>();
    int index = 0;
    for (JsonNode c : cases) {
      index++;
      if (c.path("disabled").asBoolean(false) || !c.path("doc").isObject()) {
        continue;
      }
      String name = file + " #" + index + ": " + c.path("comment").asText(c.path("error").asText());
      tests.add(DynamicTest.dynamicTest(name, () -> check(c)));
    }
    assertThat(tests).as("cases read from " + file).hasSizeGreaterThan(10);
    return tests.stream();
  }

  private static void check(JsonNode c) throws DocumentPatch.Failed {
    ObjectNode doc = (ObjectNode) c.get("doc");
    ObjectNode before = doc.deepCopy();
    if (c.has("error")) {
      assertThatThrownBy(() -> DocumentPatch.apply(PatchFormat.JSON_PATCH, c.get("patch"), doc))
          .as(c.get("error").asText())
          .isInstanceOf(DocumentPatch.Failed.class);
    } else if (c.has("expected")) {
      assertThat(DocumentPatch.apply(PatchFormat.JSON_PATCH, c.get("patch"), doc))
          .isEqualTo(c.get("expected"));
    } else {
      DocumentPatch.apply(PatchFormat.JSON_PATCH, c.get("patch"), doc);
    }
    assertThat(doc).as("the input document is never modified").isEqualTo(before);
  }
}

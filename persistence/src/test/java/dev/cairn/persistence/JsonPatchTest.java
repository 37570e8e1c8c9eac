package dev.cairn.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.protocol.PatchFormat;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Where Cairn's RFC 6902 differs from zjsonpatch's (the suite in JsonPatchSuiteTest covers the
 * rest), and how a patch is held to the limits while it is applied.
 */
class JsonPatchTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void removingTheEndOfAnArrayIsRefusedAsThereIsNoElementThere() {
    assertThatThrownBy(() -> apply("{\"a\":[1,2]}", "[{\"op\":\"remove\",\"path\":\"/a/-\"}]"))
        .isInstanceOf(DocumentPatch.Failed.class)
        .hasMessageContaining("only for adding");
  }

  @Test
  void aTildeIsOnlyEverTheStartOfTilde0OrTilde1() {
    assertThatThrownBy(() -> apply("{\"a~2\":1}", "[{\"op\":\"remove\",\"path\":\"/a~2\"}]"))
        .isInstanceOf(DocumentPatch.Failed.class)
        .hasMessageContaining("~0 for ~ and ~1 for /");
  }

  @Test
  void aTestComparesNumbersByValue() throws Exception {
    JsonNode result =
        apply(
            "{\"a\":1,\"b\":[2.50]}",
            "[{\"op\":\"test\",\"path\":\"/a\",\"value\":1.0},"
                + "{\"op\":\"test\",\"path\":\"/b\",\"value\":[2.5]}]");

    assertThat(result).isEqualTo(json("{\"a\":1,\"b\":[2.50]}"));
  }

  @Test
  void aTestStillTellsANumberFromAString() {
    assertThatThrownBy(
            () -> apply("{\"a\":1}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":\"1\"}]"))
        .isInstanceOf(DocumentPatch.Failed.class);
  }

  @Test
  void theWholeDocumentCanBeReplacedOrTested() throws Exception {
    assertThat(apply("{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"\",\"value\":{\"b\":2}}]"))
        .isEqualTo(json("{\"b\":2}"));
    assertThat(apply("{\"a\":1}", "[{\"op\":\"test\",\"path\":\"\",\"value\":{\"a\":1.0}}]"))
        .isEqualTo(json("{\"a\":1}"));
  }

  @Test
  void arrayIndexesHaveNoLeadingZeros() {
    assertThatThrownBy(
            () -> apply("{\"a\":[1,2]}", "[{\"op\":\"add\",\"path\":\"/a/01\",\"value\":3}]"))
        .isInstanceOf(DocumentPatch.Failed.class)
        .hasMessageContaining("without leading zeros");
  }

  @Test
  void aValueCannotBeMovedIntoItself() {
    assertThatThrownBy(
            () ->
                apply("{\"a\":{\"b\":1}}", "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a/c\"}]"))
        .isInstanceOf(DocumentPatch.Failed.class)
        .hasMessageContaining("into itself");
  }

  @Test
  void copiesThatDoubleTheDocumentStopAtTheDepthLimitBeforeTheyGrowIt() {
    JsonLimits limits = TestLimits.with(Map.of("max-depth", 10));
    StringBuilder patch = new StringBuilder("[");
    String path = "/a";
    for (int i = 0; i < 8; i++) {
      patch
          .append(i == 0 ? "" : ",")
          .append("{\"op\":\"copy\",\"from\":\"/a\",\"path\":\"")
          .append(path)
          .append("/a\"}");
      path = path + "/a";
    }
    patch.append("]");

    assertThatThrownBy(() -> apply("{\"a\":{\"x\":1}}", patch.toString(), limits))
        .isInstanceOf(JsonLimits.Exceeded.class)
        .hasMessageContaining("cairn.limits.max-depth");
  }

  @Test
  void copiesOfTheWholeDocumentStopAtTheSizeLimit() {
    JsonLimits limits = TestLimits.with(Map.of("max-document-size", "64KiB"));
    StringBuilder patch = new StringBuilder("[");
    for (int i = 0; i < 40; i++) {
      patch
          .append(i == 0 ? "" : ",")
          .append("{\"op\":\"copy\",\"from\":\"\",\"path\":\"/c")
          .append(i)
          .append("\"}");
    }
    patch.append("]");

    assertThatThrownBy(() -> apply("{\"a\":\"0123456789\"}", patch.toString(), limits))
        .isInstanceOf(JsonLimits.Exceeded.class)
        .hasMessageContaining("cairn.limits.max-document-size");
  }

  @Test
  void aPatchWithMoreOperationsThanTheLimitIsRefusedBeforeAnyIsApplied() {
    JsonLimits limits = TestLimits.with(Map.of("max-patch-operations", 2));

    assertThatThrownBy(
            () ->
                apply(
                    "{}",
                    "[{\"op\":\"add\",\"path\":\"/a\",\"value\":1},"
                        + "{\"op\":\"add\",\"path\":\"/b\",\"value\":1},"
                        + "{\"op\":\"add\",\"path\":\"/c\",\"value\":1}]",
                    limits))
        .hasMessageContaining("cairn.limits.max-patch-operations");
  }

  @Test
  void aPatchStopsAtTheDeadline() {
    JsonLimits limits = TestLimits.defaults();
    StringBuilder patch = new StringBuilder("[");
    for (int i = 0; i < 1000; i++) {
      patch.append(i == 0 ? "" : ",").append("{\"op\":\"test\",\"path\":\"/a\",\"value\":1}");
    }
    patch.append("]");

    assertThatThrownBy(
            () ->
                DocumentPatch.apply(
                    PatchFormat.JSON_PATCH,
                    json(patch.toString()),
                    (ObjectNode) json("{\"a\":1}"),
                    limits,
                    Deadline.after(Duration.ZERO)))
        .isInstanceOf(Deadline.Expired.class);
  }

  @Test
  void theDocumentPatchedIsNeverChanged() throws Exception {
    ObjectNode document = (ObjectNode) json("{\"a\":[1],\"b\":{\"c\":1}}");
    JsonNode before = document.deepCopy();

    DocumentPatch.apply(
        PatchFormat.JSON_PATCH,
        json(
            "[{\"op\":\"add\",\"path\":\"/a/-\",\"value\":2},{\"op\":\"remove\",\"path\":\"/b/c\"}]"),
        document);

    assertThat(document).isEqualTo(before);
  }

  @Test
  void eventsAcceptedBeforeReplayAsTheyWereAcknowledged() throws Exception {
    // zjsonpatch accepted a remove of "/a/-" and ignored it; such an event replays as a no-op.
    ObjectNode replayed =
        DocumentPatch.replay(
            PatchFormat.JSON_PATCH,
            json(
                "[{\"op\":\"remove\",\"path\":\"/a/-\"},{\"op\":\"add\",\"path\":\"/b\",\"value\":1}]"),
            (ObjectNode) json("{\"a\":[1,2]}"));

    assertThat(replayed).isEqualTo(json("{\"a\":[1,2],\"b\":1}"));
  }

  private static JsonNode apply(String document, String patch) throws Exception {
    return DocumentPatch.apply(PatchFormat.JSON_PATCH, json(patch), (ObjectNode) json(document));
  }

  private static JsonNode apply(String document, String patch, JsonLimits limits) throws Exception {
    return DocumentPatch.apply(
        PatchFormat.JSON_PATCH,
        json(patch),
        (ObjectNode) json(document),
        limits,
        Deadline.after(Duration.ofSeconds(10)));
  }

  private static JsonNode json(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }
}

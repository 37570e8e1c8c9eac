package dev.cairn.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.protocol.PatchFormat;
import dev.cairn.protocol.event.DocumentEvent;
import dev.cairn.protocol.event.EventMetadata;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The fold: what each event means, independent of actors and journals. */
class DocumentStateTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Instant T1 = Instant.parse("2026-01-01T10:00:00Z");
  private static final Instant T2 = Instant.parse("2026-01-01T11:00:00Z");
  private static final Instant T3 = Instant.parse("2026-01-01T12:00:00Z");

  private final DocumentState empty = DocumentState.empty("notes", "n1");

  @Test
  void anEmptyDocumentIsAtVersionZeroAndNotLive() {
    assertThat(empty.version()).isZero();
    assertThat(empty.isLive()).isFalse();
    assertThat(empty.everExisted()).isFalse();
  }

  @Test
  void createdSetsContentAndBothTimestamps() {
    DocumentState state = empty.apply(new DocumentEvent.Created(json("{\"a\":1}"), meta(T1)));

    assertThat(state.version()).isEqualTo(1);
    assertThat(state.isLive()).isTrue();
    assertThat(state.data()).isEqualTo(json("{\"a\":1}"));
    assertThat(state.createdAt()).isEqualTo(T1);
    assertThat(state.updatedAt()).isEqualTo(T1);
  }

  @Test
  void replacedKeepsCreationTimeAndMovesUpdateTime() {
    DocumentState state =
        empty
            .apply(new DocumentEvent.Created(json("{\"a\":1}"), meta(T1)))
            .apply(new DocumentEvent.Replaced(json("{\"b\":2}"), meta(T2)));

    assertThat(state.version()).isEqualTo(2);
    assertThat(state.data()).isEqualTo(json("{\"b\":2}"));
    assertThat(state.createdAt()).isEqualTo(T1);
    assertThat(state.updatedAt()).isEqualTo(T2);
  }

  @Test
  void patchedAppliesMergeAndJsonPatches() {
    DocumentState state =
        empty
            .apply(new DocumentEvent.Created(json("{\"a\":1,\"tags\":[\"x\"]}"), meta(T1)))
            .apply(
                new DocumentEvent.Patched(
                    PatchFormat.MERGE_PATCH, json("{\"a\":null,\"b\":2}"), meta(T2)))
            .apply(
                new DocumentEvent.Patched(
                    PatchFormat.JSON_PATCH,
                    node("[{\"op\":\"add\",\"path\":\"/tags/-\",\"value\":\"y\"}]"),
                    meta(T3)));

    assertThat(state.version()).isEqualTo(3);
    assertThat(state.data()).isEqualTo(json("{\"tags\":[\"x\",\"y\"],\"b\":2}"));
  }

  @Test
  void deletedLeavesATombstoneThatCreatedBringsBack() {
    DocumentState deleted =
        empty
            .apply(new DocumentEvent.Created(json("{\"a\":1}"), meta(T1)))
            .apply(new DocumentEvent.Deleted(meta(T2)));

    assertThat(deleted.version()).isEqualTo(2);
    assertThat(deleted.isLive()).isFalse();
    assertThat(deleted.everExisted()).isTrue();
    assertThat(deleted.data()).isNull();

    DocumentState recreated = deleted.apply(new DocumentEvent.Created(json("{\"c\":3}"), meta(T3)));
    assertThat(recreated.version()).isEqualTo(3);
    assertThat(recreated.isLive()).isTrue();
    assertThat(recreated.createdAt()).isEqualTo(T3);
  }

  @Test
  void revertedSetsTheOldContentAsANewVersion() {
    DocumentState state =
        empty
            .apply(new DocumentEvent.Created(json("{\"a\":1}"), meta(T1)))
            .apply(new DocumentEvent.Replaced(json("{\"a\":2}"), meta(T2)))
            .apply(new DocumentEvent.Reverted(1, json("{\"a\":1}"), meta(T3)));

    assertThat(state.version()).isEqualTo(3);
    assertThat(state.data()).isEqualTo(json("{\"a\":1}"));
    assertThat(state.createdAt()).isEqualTo(T1);
  }

  @Test
  void aPatchThatCannotApplyDuringReplayStopsInsteadOfInventingState() {
    DocumentState state = empty.apply(new DocumentEvent.Created(json("{\"a\":1}"), meta(T1)));
    DocumentEvent bad =
        new DocumentEvent.Patched(
            PatchFormat.JSON_PATCH, node("[{\"op\":\"remove\",\"path\":\"/zz\"}]"), meta(T2));

    assertThatThrownBy(() -> state.apply(bad)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void idempotencyKeysAreRememberedWithTheVersionTheyProducedForTheirCaller() {
    DocumentState state =
        empty
            .apply(new DocumentEvent.Created(json("{}"), metaWithKey("k1", T1)))
            .apply(new DocumentEvent.Replaced(json("{}"), metaWithKey("k2", T2)));

    assertThat(state.rememberedWrite("k1", "anonymous"))
        .hasValue(new DocumentState.RememberedWrite("k1", "hash-k1", 1, true, "anonymous"));
    assertThat(state.rememberedWrite("k2", "anonymous"))
        .hasValue(new DocumentState.RememberedWrite("k2", "hash-k2", 2, false, "anonymous"));
    assertThat(state.rememberedWrite("k3", "anonymous")).isEmpty();
    assertThat(state.rememberedWrite("k1", "mallory")).as("a key is its caller's own").isEmpty();
  }

  @Test
  void onlyTheLatestIdempotencyKeysAreRemembered() {
    DocumentState state = empty.apply(new DocumentEvent.Created(json("{}"), metaWithKey("k0", T1)));
    for (int i = 1; i <= DocumentState.REMEMBERED_KEYS; i++) {
      state = state.apply(new DocumentEvent.Replaced(json("{}"), metaWithKey("k" + i, T2)));
    }

    assertThat(state.rememberedWrites()).hasSize(DocumentState.REMEMBERED_KEYS);
    assertThat(state.rememberedWrite("k0", "anonymous")).isEmpty();
    assertThat(state.rememberedWrite("k1", "anonymous")).isPresent();
  }

  @Test
  void theFoldNeverModifiesTheEventsContent() {
    ObjectNode content = json("{\"a\":1}");
    DocumentState state = empty.apply(new DocumentEvent.Created(content, meta(T1)));
    state.apply(new DocumentEvent.Patched(PatchFormat.MERGE_PATCH, json("{\"a\":2}"), meta(T2)));

    assertThat(content).isEqualTo(json("{\"a\":1}"));
  }

  private static EventMetadata meta(Instant at) {
    return new EventMetadata(at, "req", "anonymous", null, null, null, null, null);
  }

  private static EventMetadata metaWithKey(String key, Instant at) {
    return new EventMetadata(at, "req", "anonymous", key, "hash-" + key, null, null, null);
  }

  private static ObjectNode json(String text) {
    return (ObjectNode) node(text);
  }

  private static JsonNode node(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }
}

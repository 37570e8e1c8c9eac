package dev.cairn.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The hand-written checks accept exactly what the documented patterns do. */
class DocumentKeyTest {

  @Property(tries = 20_000)
  void aCollectionNameIsWhatThePatternSays(@ForAll("names") String name) {
    assertThat(DocumentKey.isCollectionName(name))
        .isEqualTo(DocumentKey.COLLECTION.matcher(name).matches());
  }

  @Property(tries = 20_000)
  void anIdIsWhatThePatternSays(@ForAll("names") String id) {
    assertThat(DocumentKey.isId(id)).isEqualTo(DocumentKey.ID.matcher(id).matches());
  }

  @Example
  void theEdgesOfTheRules() {
    assertThat(DocumentKey.isCollectionName("a".repeat(64))).isTrue();
    assertThat(DocumentKey.isCollectionName("a".repeat(65))).isFalse();
    assertThat(DocumentKey.isId("a".repeat(128))).isTrue();
    assertThat(DocumentKey.isId("a".repeat(129))).isFalse();
    assertThat(DocumentKey.isCollectionName("_collections")).isFalse();
    assertThat(DocumentKey.isCollectionName("notes.v2")).isFalse();
    assertThat(DocumentKey.isId("n1.v2~draft-3_x")).isTrue();
    assertThat(DocumentKey.isId("")).isFalse();
    assertThat(DocumentKey.isId(null)).isFalse();
    assertThat(DocumentKey.isId("é")).isFalse();
    assertThatThrownBy(() -> new DocumentKey("notes", "a/b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid document id: a/b");
  }

  /**
   * Mostly the characters the rules are about, near the length limits, with now and then anything
   * else: letters beyond ASCII, digits of other scripts, separators.
   */
  @Provide
  Arbitrary<String> names() {
    Arbitrary<Character> chars =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(8, Arbitraries.chars().alpha().numeric()),
            net.jqwik.api.Tuple.of(3, Arbitraries.of('_', '-', '.', '~')),
            net.jqwik.api.Tuple.of(
                1, Arbitraries.of('/', '|', ' ', 'é', 'ß', '٣', 'Ａ', '\u0000', '@', ':', '`')));
    return Arbitraries.oneOf(
        chars.list().ofMaxSize(12).map(DocumentKeyTest::join),
        chars.list().ofMinSize(60).ofMaxSize(132).map(DocumentKeyTest::join));
  }

  private static String join(java.util.List<Character> chars) {
    StringBuilder text = new StringBuilder(chars.size());
    chars.forEach(text::append);
    return text.toString();
  }
}

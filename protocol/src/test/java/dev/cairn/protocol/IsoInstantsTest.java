package dev.cairn.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The fast Instant text is the JDK formatter's text, and reads back as Jackson's own did. */
class IsoInstantsTest {

  /** What Cairn's mappers did before IsoInstants: JavaTimeModule alone. */
  private static final ObjectMapper JACKSON =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .build();

  @Property(tries = 5_000)
  void writesTheFormattersText(@ForAll("instants") Instant instant) throws Exception {
    assertThat(IsoInstants.format(instant))
        .isEqualTo(DateTimeFormatter.ISO_INSTANT.format(instant));
    assertThat(Json.mapper().writeValueAsString(instant))
        .isEqualTo(JACKSON.writeValueAsString(instant));
  }

  @Property(tries = 5_000)
  void readsWhatItWrites(@ForAll("instants") Instant instant) throws Exception {
    String json = Json.mapper().writeValueAsString(instant);
    assertThat(Json.mapper().readValue(json, Instant.class)).isEqualTo(instant);
  }

  @Property(tries = 5_000)
  void readsTextAsJacksonDoes(@ForAll("texts") String text) throws Exception {
    String json = Json.mapper().writeValueAsString(text);
    Instant expected;
    try {
      expected = JACKSON.readValue(json, Instant.class);
    } catch (JsonProcessingException e) {
      assertThatThrownBy(() -> Json.mapper().readValue(json, Instant.class))
          .isInstanceOf(e.getClass())
          .hasMessage(e.getMessage());
      return;
    }
    assertThat(Json.mapper().readValue(json, Instant.class)).isEqualTo(expected);
  }

  @Example
  void numbersAndOffsetsStillGoToJackson() throws Exception {
    assertThat(Json.mapper().readValue("1765072722.5", Instant.class))
        .isEqualTo(Instant.ofEpochSecond(1_765_072_722, 500_000_000));
    assertThat(Json.mapper().readValue("\"2026-12-07T02:58:42+01:00\"", Instant.class))
        .isEqualTo(Instant.parse("2026-12-07T01:58:42Z"));
    assertThat(Json.mapper().readValue("\"2026-12-07t01:58:42z\"", Instant.class))
        .isEqualTo(Instant.parse("2026-12-07T01:58:42Z"));
  }

  @Provide
  Arbitrary<Instant> instants() {
    Arbitrary<Long> seconds =
        Arbitraries.oneOf(
            Arbitraries.longs().between(-62_167_219_200L - 86_400 * 400, 253_402_300_799L + 86_400),
            Arbitraries.longs().between(1_700_000_000L, 1_800_000_000L),
            Arbitraries.of(
                -62_167_219_200L,
                -62_167_219_201L,
                0L,
                -1L,
                253_402_300_799L,
                253_402_300_800L,
                951_782_400L,
                951_868_800L));
    Arbitrary<Integer> nanos =
        Arbitraries.oneOf(
            Arbitraries.integers().between(0, 999_999_999),
            Arbitraries.integers().between(0, 999).map(n -> n * 1_000_000),
            Arbitraries.integers().between(0, 999_999).map(n -> n * 1_000),
            Arbitraries.of(0, 1, 999_999_999, 100_000_000, 10));
    return seconds.flatMap(s -> nanos.map(n -> Instant.ofEpochSecond(s, n)));
  }

  /** Text near the common shape: real instants' text, then with characters changed or cut. */
  @Provide
  Arbitrary<String> texts() {
    Arbitrary<String> valid = instants().map(DateTimeFormatter.ISO_INSTANT::format);
    Arbitrary<String> changed =
        valid.flatMap(
            text ->
                Arbitraries.integers()
                    .between(0, text.length() - 1)
                    .flatMap(
                        at ->
                            Arbitraries.of(
                                    '0', '9', '3', ':', '-', '.', 'T', 'Z', 'z', ' ', '+', 'x')
                                .map(c -> text.substring(0, at) + c + text.substring(at + 1))));
    Arbitrary<String> cut =
        valid.flatMap(
            text ->
                Arbitraries.integers().between(0, text.length()).map(n -> text.substring(0, n)));
    Arbitrary<String> days =
        Arbitraries.integers()
            .between(0, 13)
            .flatMap(
                m ->
                    Arbitraries.integers()
                        .between(0, 32)
                        .map(d -> String.format("2024-%02d-%02dT23:59:59.5Z", m, d)));
    return Arbitraries.oneOf(valid, changed, cut, days);
  }
}

package dev.cairn.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;

/**
 * {@link Instant}s as ISO-8601 text ({@link DateTimeFormatter#ISO_INSTANT}, the text Jackson's
 * {@code JavaTimeModule} writes), written and read without a {@code DateTimeFormatter} in the
 * common case: {@code 2026-12-07T01:58:42.123Z}, a year of four digits, UTC. Every event, every
 * stored read-model document and every reply carries two of them, and the formatter's parsing
 * allocated a tenth of what a write allocates (an allocation profile of {@code bench/run}'s write
 * scenario).
 *
 * <p>The text is exactly the formatter's: the fraction in groups of three digits, as many as the
 * nanoseconds need. Anything else (other years, offsets, numbers) goes to Jackson's own
 * deserializer, so what is accepted, and every error, is as before. Registered after {@code
 * JavaTimeModule}, whose {@code Instant} handlers it replaces: in {@link Json} and, by class name,
 * in Pekko's Jackson serializer (cairn-serialization.conf).
 */
public final class IsoInstants extends SimpleModule {

  /** The days of the years the common shape can name, 0000 to 9999. */
  private static final long FIRST_DAY = LocalDate.of(0, 1, 1).toEpochDay();

  private static final long LAST_DAY = LocalDate.of(9999, 12, 31).toEpochDay();
  private static final int[] POWERS = {
    1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000
  };

  public IsoInstants() {
    super("cairn-iso-instants");
    addSerializer(Instant.class, new Writer());
    addDeserializer(Instant.class, new Reader());
  }

  /** The instant as {@code ISO_INSTANT} text. */
  public static String format(Instant instant) {
    long seconds = instant.getEpochSecond();
    long day = Math.floorDiv(seconds, 86_400);
    if (day < FIRST_DAY || day > LAST_DAY) {
      return DateTimeFormatter.ISO_INSTANT.format(instant);
    }
    LocalDate date = LocalDate.ofEpochDay(day);
    int second = (int) Math.floorMod(seconds, 86_400);
    int nanos = instant.getNano();
    int digits = nanos == 0 ? 0 : nanos % 1_000_000 == 0 ? 3 : nanos % 1_000 == 0 ? 6 : 9;
    char[] text = new char[20 + (digits == 0 ? 0 : digits + 1)];
    put(text, 0, date.getYear(), 4);
    text[4] = '-';
    put(text, 5, date.getMonthValue(), 2);
    text[7] = '-';
    put(text, 8, date.getDayOfMonth(), 2);
    text[10] = 'T';
    put(text, 11, second / 3600, 2);
    text[13] = ':';
    put(text, 14, second / 60 % 60, 2);
    text[16] = ':';
    put(text, 17, second % 60, 2);
    int at = 19;
    if (digits > 0) {
      text[at++] = '.';
      put(text, at, nanos / POWERS[9 - digits], digits);
      at += digits;
    }
    text[at] = 'Z';
    return new String(text);
  }

  /**
   * The instant of {@code ISO_INSTANT} text in the common shape ({@code yyyy-MM-ddTHH:mm:ss},
   * optionally a fraction of one to nine digits, then {@code Z}), or null for any other text.
   */
  public static Instant parseCommon(String text) {
    int length = text.length();
    if (length < 20 || length > 30 || text.charAt(length - 1) != 'Z') {
      return null;
    }
    if (text.charAt(4) != '-'
        || text.charAt(7) != '-'
        || text.charAt(10) != 'T'
        || text.charAt(13) != ':'
        || text.charAt(16) != ':') {
      return null;
    }
    int year = digits(text, 0, 4);
    int month = digits(text, 5, 2);
    int day = digits(text, 8, 2);
    int hour = digits(text, 11, 2);
    int minute = digits(text, 14, 2);
    int second = digits(text, 17, 2);
    if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23) {
      return null;
    }
    if (minute < 0 || minute > 59 || second < 0 || second > 59) {
      return null; // 60 is a leap second, which the formatter resolves
    }
    int nanos = 0;
    if (length > 20) {
      int fraction = length - 21;
      if (text.charAt(19) != '.' || fraction < 1) {
        return null;
      }
      int value = digits(text, 20, fraction);
      if (value < 0) {
        return null;
      }
      nanos = value * POWERS[9 - fraction];
    }
    long epochDay;
    try {
      epochDay = LocalDate.of(year, month, day).toEpochDay();
    } catch (DateTimeException e) {
      return null; // 2026-02-30: the formatter words the error
    }
    return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3600 + minute * 60 + second, nanos);
  }

  private static void put(char[] text, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      text[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }

  /** The number the {@code count} digits at {@code at} spell, or -1 if one is not a digit. */
  private static int digits(String text, int at, int count) {
    int value = 0;
    for (int i = at; i < at + count; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private static final class Writer extends StdScalarSerializer<Instant> {
    Writer() {
      super(Instant.class);
    }

    @Override
    public void serialize(Instant value, JsonGenerator out, SerializerProvider provider)
        throws IOException {
      out.writeString(format(value));
    }
  }

  private static final class Reader extends StdScalarDeserializer<Instant> {
    private static final JsonDeserializer<Instant> JACKSON = InstantDeserializer.INSTANT;

    Reader() {
      super(Instant.class);
    }

    @Override
    public Instant deserialize(JsonParser in, DeserializationContext context) throws IOException {
      if (in.hasToken(JsonToken.VALUE_STRING)) {
        Instant common = parseCommon(in.getText());
        if (common != null) {
          return common;
        }
      }
      return JACKSON.deserialize(in, context);
    }
  }
}

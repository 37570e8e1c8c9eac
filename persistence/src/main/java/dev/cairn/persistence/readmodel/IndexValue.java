package dev.cairn.persistence.readmodel;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.protocol.collection.IndexField;
import dev.cairn.protocol.collection.IndexType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One declared index field's value in one document, in the column its type compares in. A value of
 * another type than declared is not indexed (the document then has no value for that field).
 *
 * @param value a String, Double, Boolean or Long (timestamps as microseconds since the epoch)
 */
record IndexValue(String field, IndexType type, Object value) {

  /** Strings are indexed (compared and sorted) on this many leading characters. */
  static final int MAX_STRING = 512;

  /** Every declared field the document has a value of the declared type for. */
  static List<IndexValue> of(Map<String, IndexField> indexes, JsonNode data) {
    List<IndexValue> values = new ArrayList<>();
    if (data == null) {
      return values;
    }
    indexes.forEach(
        (field, index) ->
            parse(index.type(), data.at(JsonPointer.compile(index.path())))
                .ifPresent(value -> values.add(new IndexValue(field, index.type(), value))));
    return values;
  }

  /** A JSON value as the declared type's column value, or empty if it is not of that type. */
  static Optional<Object> parse(IndexType type, JsonNode node) {
    if (node == null || node.isMissingNode() || node.isNull()) {
      return Optional.empty();
    }
    return switch (type) {
      case STRING -> node.isTextual() ? Optional.of(truncate(node.asText())) : Optional.empty();
      case NUMBER -> node.isNumber() ? Optional.of(node.asDouble()) : Optional.empty();
      case BOOLEAN -> node.isBoolean() ? Optional.of(node.asBoolean()) : Optional.empty();
      case TIMESTAMP -> node.isTextual() ? timestamp(node.asText()) : Optional.empty();
    };
  }

  /** A query's text value as the type's column value, or empty if it does not parse. */
  static Optional<Object> parseText(IndexType type, String text) {
    return switch (type) {
      case STRING -> Optional.of(truncate(text));
      case NUMBER -> {
        try {
          double number = Double.parseDouble(text);
          yield Double.isFinite(number) ? Optional.of(number) : Optional.empty();
        } catch (NumberFormatException e) {
          yield Optional.empty();
        }
      }
      case BOOLEAN ->
          text.equals("true") || text.equals("false")
              ? Optional.of(Boolean.parseBoolean(text))
              : Optional.empty();
      case TIMESTAMP -> timestamp(text);
    };
  }

  private static Optional<Object> timestamp(String text) {
    try {
      Instant instant = OffsetDateTime.parse(text).toInstant();
      return Optional.of(ChronoUnit.MICROS.between(Instant.EPOCH, instant));
    } catch (DateTimeParseException | ArithmeticException e) {
      return Optional.empty();
    }
  }

  /**
   * A string as its index column holds it: its first {@value #MAX_STRING} characters, never half a
   * surrogate pair, and NUL as U+FFFD, because PostgreSQL's text types cannot hold NUL (a
   * document's JSON column holds the escape {@code \u0000}, not the character). Query values are
   * made the same way, so they compare equal.
   */
  private static String truncate(String text) {
    String indexed = text.indexOf('\u0000') < 0 ? text : text.replace('\u0000', '\uFFFD');
    if (indexed.length() <= MAX_STRING) {
      return indexed;
    }
    int end =
        Character.isHighSurrogate(indexed.charAt(MAX_STRING - 1)) ? MAX_STRING - 1 : MAX_STRING;
    return indexed.substring(0, end);
  }

  static String column(IndexType type) {
    return switch (type) {
      case STRING -> "string_value";
      case NUMBER -> "number_value";
      case BOOLEAN -> "boolean_value";
      case TIMESTAMP -> "timestamp_value";
    };
  }
}

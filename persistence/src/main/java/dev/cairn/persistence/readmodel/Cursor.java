package dev.cairn.persistence.readmodel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.protocol.Json;
import dev.cairn.protocol.collection.IndexType;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Where the next page of a list starts: the last row's sort values and id, as an opaque URL-safe
 * token tied to the query it came from (its shape), so a cursor is never applied to another query.
 *
 * @param values the sort values of the last row, one per sort key (null where it had none)
 */
record Cursor(List<Object> values, String id) {

  /** The cursor after {@code row}, whose sort values start at column {@code first}. */
  static String after(ResultSet row, int first, List<IndexType> types, String shape)
      throws SQLException {
    ObjectNode cursor = JsonNodeFactory.instance.objectNode();
    cursor.put("q", shape);
    ArrayNode values = cursor.putArray("v");
    for (int i = 0; i < types.size(); i++) {
      int column = first + i;
      if (row.getObject(column) == null) {
        values.addNull();
        continue;
      }
      switch (types.get(i)) {
        case STRING -> values.add(row.getString(column));
        case NUMBER -> values.add(row.getDouble(column));
        case BOOLEAN -> values.add(row.getBoolean(column));
        case TIMESTAMP -> values.add(row.getLong(column));
      }
    }
    cursor.put("id", row.getString(1));
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(JsonText.write(cursor).getBytes(StandardCharsets.UTF_8));
  }

  /** Reads a cursor a list response gave for the query of {@code shape}. */
  static Cursor read(String token, List<IndexType> types, String shape) {
    JsonNode node;
    try {
      node = Json.mapper().readTree(Base64.getUrlDecoder().decode(token));
    } catch (Exception e) {
      throw new DocumentQuery.Invalid(
          "the cursor is not one this server gave; use the next value of a list response");
    }
    if (node == null
        || !shape.equals(node.path("q").asText())
        || !node.path("v").isArray()
        || node.path("v").size() != types.size()
        || !node.path("id").isTextual()) {
      throw new DocumentQuery.Invalid(
          "the cursor belongs to another query; repeat the query it came from with only cursor added");
    }
    List<Object> values = new ArrayList<>();
    for (int i = 0; i < types.size(); i++) {
      JsonNode value = node.get("v").get(i);
      values.add(
          value.isNull()
              ? null
              : switch (types.get(i)) {
                case STRING -> value.asText();
                case NUMBER -> value.asDouble();
                case BOOLEAN -> value.asBoolean();
                case TIMESTAMP -> value.asLong();
              });
    }
    return new Cursor(values, node.get("id").asText());
  }
}

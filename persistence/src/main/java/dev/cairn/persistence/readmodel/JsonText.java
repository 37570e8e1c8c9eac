package dev.cairn.persistence.readmodel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.cairn.protocol.Json;

/** The read model's JSON columns: documents and definitions as a single GET returns them. */
final class JsonText {

  private JsonText() {}

  static <T> T read(String json, Class<T> type) {
    try {
      return Json.mapper().readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the read model holds unreadable JSON", e);
    }
  }

  static <T> T read(String json, TypeReference<T> type) {
    try {
      return Json.mapper().readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the read model holds unreadable JSON", e);
    }
  }

  static String write(Object value) {
    try {
      return Json.mapper().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("read model rows always render", e);
    }
  }
}

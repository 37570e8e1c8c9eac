package dev.cairn.protocol.collection;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What an index field holds, and so how it compares: as text, number, boolean or instant. */
public enum IndexType {
  STRING,
  NUMBER,
  BOOLEAN,
  TIMESTAMP;

  @JsonValue
  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static IndexType fromJson(String name) {
    return IndexType.valueOf(name.toUpperCase(Locale.ROOT));
  }
}

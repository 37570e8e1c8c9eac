package dev.cairn.protocol;

import java.util.regex.Pattern;

/**
 * Names one document: a collection and an id. Both follow documented patterns, checked before any
 * actor is touched; names beginning with {@code _} are reserved for the system ({@code
 * /v1/_collections}, {@code /v1/{collection}/_changes}) and so never match.
 */
public record DocumentKey(String collection, String id) {

  /** Letters, digits, {@code _} and {@code -}; starts with a letter or digit; at most 64. */
  public static final Pattern COLLECTION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

  /** Letters, digits and {@code . _ ~ -}; starts with a letter or digit; at most 128. */
  public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._~-]{0,127}");

  public DocumentKey {
    if (!isCollectionName(collection)) {
      throw new IllegalArgumentException("invalid collection name: " + collection);
    }
    if (!isId(id)) {
      throw new IllegalArgumentException("invalid document id: " + id);
    }
  }

  /** Whether {@code name} matches {@link #COLLECTION}. */
  public static boolean isCollectionName(String name) {
    return matches(name, 64, "_-");
  }

  /** Whether {@code id} matches {@link #ID}. */
  public static boolean isId(String id) {
    return matches(id, 128, "._~-");
  }

  /**
   * The patterns' check as a loop: every key is checked each time one is made (every request, every
   * event read back), and a regex matcher was 4 % of a write's allocations.
   */
  private static boolean matches(String text, int maxLength, String punctuation) {
    if (text == null || text.isEmpty() || text.length() > maxLength) {
      return false;
    }
    if (!isAsciiLetterOrDigit(text.charAt(0))) {
      return false;
    }
    for (int i = 1; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!isAsciiLetterOrDigit(c) && punctuation.indexOf(c) < 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean isAsciiLetterOrDigit(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }

  /** The entity id under sharding and the persistence id in the journal: {@code collection|id}. */
  public String entityId() {
    return collection + "|" + id;
  }

  /** The inverse of {@link #entityId()}. */
  public static DocumentKey ofEntityId(String entityId) {
    int bar = entityId.indexOf('|');
    if (bar < 0) {
      throw new IllegalArgumentException("not a document entity id: " + entityId);
    }
    return new DocumentKey(entityId.substring(0, bar), entityId.substring(bar + 1));
  }

  @Override
  public String toString() {
    return collection + "/" + id;
  }
}

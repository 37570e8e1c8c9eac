package dev.cairn.persistence;

/** LIKE patterns over persistence ids, with {@code !} as the escape character. */
public final class JournalPatterns {

  private JournalPatterns() {}

  /** {@code text} as a LIKE pattern that matches it literally. */
  public static String like(String text) {
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_");
  }
}

package dev.cairn.persistence.readmodel;

/** LIKE patterns over persistence ids, with {@code !} as the escape character. */
final class JournalPatterns {

  private JournalPatterns() {}

  /** {@code text} as a LIKE pattern that matches it literally. */
  static String like(String text) {
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_");
  }
}

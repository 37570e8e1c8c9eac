package dev.cairn.node;

import java.util.Map;

/** The read side on the embedded H2 journal. */
class H2ReadSideTest extends ReadSideTest {

  @Override
  Map<String, Object> journalSettings() {
    return Map.of();
  }
}

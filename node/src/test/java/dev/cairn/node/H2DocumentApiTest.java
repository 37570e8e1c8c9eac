package dev.cairn.node;

import java.util.Map;

/** The document API on the embedded H2 journal, the default. */
class H2DocumentApiTest extends DocumentApiTest {

  @Override
  Map<String, Object> journalSettings() {
    return Map.of();
  }
}

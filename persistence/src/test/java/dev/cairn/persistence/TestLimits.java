package dev.cairn.persistence;

import dev.cairn.config.CairnSettings;
import java.util.Map;

/** The limits of a node with the default settings, or with some of them changed. */
final class TestLimits {

  private TestLimits() {}

  static JsonLimits defaults() {
    return with(Map.of());
  }

  /** Limits with {@code overrides}, named without their prefix: {@code "max-depth", 8}. */
  static JsonLimits with(Map<String, Object> overrides) {
    Map<String, Object> settings = new java.util.HashMap<>();
    overrides.forEach((name, value) -> settings.put("cairn.limits." + name, value));
    return new JsonLimits(CairnSettings.from(CairnSettings.load(settings)).limits());
  }
}

package dev.cairn.protocol.command;

import java.util.List;

/**
 * What a write expects of the document before it applies, from {@code If-Match} and {@code
 * If-None-Match}. A write whose preconditions fail changes nothing.
 *
 * @param expectedVersions the write applies only at one of these versions (empty: any version)
 * @param mustExist {@code If-Match: *}: the document must exist and not be deleted
 * @param mustNotExist {@code If-None-Match: *}: the document must not exist (or be deleted)
 */
public record Preconditions(List<Long> expectedVersions, boolean mustExist, boolean mustNotExist) {

  public static final Preconditions NONE = new Preconditions(List.of(), false, false);

  public Preconditions {
    expectedVersions = List.copyOf(expectedVersions);
  }

  public static Preconditions createOnly() {
    return new Preconditions(List.of(), false, true);
  }

  public static Preconditions atVersion(long version) {
    return new Preconditions(List.of(version), false, false);
  }
}

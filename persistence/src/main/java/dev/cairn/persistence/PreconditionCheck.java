package dev.cairn.persistence;

import dev.cairn.protocol.Problem;
import dev.cairn.protocol.command.Preconditions;
import java.util.Optional;

/**
 * A write's preconditions against what it writes to, the same for documents and collection
 * definitions. The refusal states the facts; the front door, which knows the headers they came
 * from, says how to do better.
 */
final class PreconditionCheck {

  /** Why a write's preconditions are not met. */
  record Unmet(Problem problem, String detail) {}

  private PreconditionCheck() {}

  /**
   * @param what how to name the target in a message, such as {@code notes/n1}
   * @param exists the target exists now (a document that is not deleted, a defined collection)
   */
  static Optional<Unmet> unmet(String what, long version, boolean exists, Preconditions expected) {
    if (expected.mustNotExist() && exists) {
      return Optional.of(
          new Unmet(Problem.ALREADY_EXISTS, what + " already exists (version " + version + ")"));
    }
    if (expected.mustExist() && !exists) {
      return Optional.of(new Unmet(Problem.VERSION_MISMATCH, what + " does not exist"));
    }
    if (!expected.expectedVersions().isEmpty() && !expected.expectedVersions().contains(version)) {
      return Optional.of(
          new Unmet(
              Problem.VERSION_MISMATCH,
              what
                  + " is at version "
                  + version
                  + ", not "
                  + (expected.expectedVersions().size() == 1
                      ? expected.expectedVersions().get(0)
                      : "one of " + expected.expectedVersions())));
    }
    return Optional.empty();
  }
}

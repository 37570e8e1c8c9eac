package dev.cairn.node.http;

import dev.cairn.protocol.Problem;
import dev.cairn.protocol.Violation;
import java.util.List;

/**
 * A request the front door refuses, with the problem and a message a person can act on. Thrown
 * anywhere while handling a request and rendered by {@link ProblemResponses}.
 */
final class ApiException extends RuntimeException {

  private final Problem problem;
  private final Long currentVersion;
  private final List<Violation> violations;

  ApiException(Problem problem, String detail) {
    this(problem, detail, null, List.of());
  }

  ApiException(Problem problem, String detail, Long currentVersion) {
    this(problem, detail, currentVersion, List.of());
  }

  ApiException(Problem problem, String detail, Long currentVersion, List<Violation> violations) {
    super(detail, null, false, false);
    this.problem = problem;
    this.currentVersion = currentVersion;
    this.violations = List.copyOf(violations);
  }

  List<Violation> violations() {
    return violations;
  }

  Problem problem() {
    return problem;
  }

  Long currentVersion() {
    return currentVersion;
  }
}

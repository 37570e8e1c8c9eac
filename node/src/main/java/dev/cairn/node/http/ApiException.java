package dev.cairn.node.http;

import dev.cairn.protocol.Problem;

/**
 * A request the front door refuses, with the problem and a message a person can act on. Thrown
 * anywhere while handling a request and rendered by {@link ProblemResponses}.
 */
final class ApiException extends RuntimeException {

  private final Problem problem;
  private final Long currentVersion;

  ApiException(Problem problem, String detail) {
    this(problem, detail, null);
  }

  ApiException(Problem problem, String detail, Long currentVersion) {
    super(detail, null, false, false);
    this.problem = problem;
    this.currentVersion = currentVersion;
  }

  Problem problem() {
    return problem;
  }

  Long currentVersion() {
    return currentVersion;
  }
}

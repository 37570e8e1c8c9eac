package dev.cairn.protocol.access;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Set;

/**
 * Who a request comes from: the subject of its verified token and the roles the token grants, or
 * the anonymous caller of a request without one. It travels with every document command, so the
 * document's entity, on whichever node it lives, decides what the caller may do.
 *
 * @param subject the token's {@code sub}; {@link #ANONYMOUS_SUBJECT} without a token
 * @param authenticated the request carried a valid token (or authentication is off)
 */
public record Principal(String subject, Set<String> roles, boolean authenticated) {

  /** The role that may do everything. */
  public static final String ADMIN = "admin";

  /** The role that may read a node's metrics ({@code GET /metrics}), for Prometheus' token. */
  public static final String METRICS = "metrics";

  /** The subject of requests without a token, and of every request with authentication off. */
  public static final String ANONYMOUS_SUBJECT = "anonymous";

  /** A request without a token. */
  public static final Principal ANONYMOUS = new Principal(ANONYMOUS_SUBJECT, Set.of(), false);

  /** Every request of a node with {@code CAIRN_AUTH=none} (loopback only). */
  public static final Principal UNCHECKED_ADMINISTRATOR =
      new Principal(ANONYMOUS_SUBJECT, Set.of(ADMIN), true);

  public Principal {
    roles = Set.copyOf(roles);
  }

  @JsonIgnore
  public boolean admin() {
    return roles.contains(ADMIN);
  }

  /** An administrator holds every role. */
  public boolean hasRole(String role) {
    return admin() || roles.contains(role);
  }
}

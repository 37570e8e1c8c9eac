package dev.cairn.node.security;

import dev.cairn.protocol.command.WriteContext;
import java.util.Set;

/**
 * Who a request comes from: the subject of its verified token and the roles the token grants, or
 * the anonymous caller of a request without one.
 *
 * @param subject the token's {@code sub}; {@code anonymous} without a token
 */
public record Principal(String subject, Set<String> roles, boolean authenticated) {

  /** The role that may do everything. */
  public static final String ADMIN = "admin";

  /** A request without a token. */
  public static final Principal ANONYMOUS = new Principal(WriteContext.ANONYMOUS, Set.of(), false);

  /** Every request of a node with {@code CAIRN_AUTH=none} (loopback only). */
  public static final Principal UNCHECKED_ADMINISTRATOR =
      new Principal(WriteContext.ANONYMOUS, Set.of(ADMIN), true);

  public Principal {
    roles = Set.copyOf(roles);
  }

  public boolean admin() {
    return roles.contains(ADMIN);
  }

  public boolean hasRole(String role) {
    return admin() || roles.contains(role);
  }
}

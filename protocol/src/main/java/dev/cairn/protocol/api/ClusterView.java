package dev.cairn.protocol.api;

import java.util.List;

/**
 * The cluster as one node sees it: {@code GET /admin/cluster}.
 *
 * @param self the address of the node that answered
 * @param leader the leader's address, or {@code null} while there is none
 * @param unreachable members this node's failure detector cannot reach
 */
public record ClusterView(
    String self, String leader, List<Member> members, List<String> unreachable) {

  /** One member: its address, membership status, roles and data center. */
  public record Member(String address, String status, List<String> roles, String dataCenter) {}
}

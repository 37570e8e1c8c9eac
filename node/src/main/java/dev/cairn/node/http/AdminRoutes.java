package dev.cairn.node.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import dev.cairn.node.cluster.ClusterAdmin;
import dev.cairn.protocol.Problem;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Cluster administration under {@code /admin/cluster}: membership, shard placement, and asking
 * members to leave or be downed. (These will require an admin role once authentication exists.)
 * Pekko's Java DSL evaluates a directive's inner route for every request, so answers that change
 * and actions sit inside them as they are.
 *
 * <pre>
 * curl localhost:8080/admin/cluster
 * curl localhost:8080/admin/cluster/shards
 * curl -X POST localhost:8080/admin/cluster/members/127.0.0.1:2552/leave
 * </pre>
 */
public final class AdminRoutes extends ApiDirectives {

  private final ClusterAdmin admin;

  public AdminRoutes(ClusterAdmin admin) {
    this.admin = admin;
  }

  public Route route() {
    return pathPrefix(
        "admin",
        () ->
            admin(
                () ->
                    pathPrefix(
                        "cluster",
                        () ->
                            concat(
                                pathEnd(() -> get(() -> complete(json(admin.view())))),
                                path(
                                    "shards",
                                    () ->
                                        get(
                                            () ->
                                                onSuccess(
                                                    admin::shards,
                                                    shards -> complete(json(shards))))),
                                path(
                                    "leave",
                                    () ->
                                        post(
                                            () ->
                                                memberAction(admin.self(), "leave", admin::leave))),
                                pathPrefix(
                                    "members",
                                    () ->
                                        pathPrefix(
                                            segment(),
                                            address ->
                                                concat(
                                                    path(
                                                        "leave",
                                                        () ->
                                                            post(
                                                                () ->
                                                                    onMember(
                                                                        address,
                                                                        "leave",
                                                                        admin::leave))),
                                                    path(
                                                        "down",
                                                        () ->
                                                            post(
                                                                () ->
                                                                    onMember(
                                                                        address,
                                                                        "down",
                                                                        admin::down))))))))));
  }

  private Route onMember(String address, String action, Consumer<Member> perform) {
    return extractUri(
        uri ->
            admin
                .member(address)
                .map(member -> memberAction(member, action, perform))
                .orElseGet(
                    () ->
                        complete(
                            ProblemResponses.of(
                                Problem.MEMBER_NOT_FOUND,
                                "'"
                                    + address
                                    + "' is not a member of this cluster; GET /admin/cluster lists"
                                    + " the members (use host:port or the full pekko:// address)",
                                uri.path()))));
  }

  private Route memberAction(Member member, String action, Consumer<Member> perform) {
    perform.accept(member);
    return complete(
        Responses.json(
            StatusCodes.ACCEPTED, Map.of("member", member.address().toString(), "action", action)));
  }

  private static org.apache.pekko.http.javadsl.model.HttpResponse json(Object body) {
    return Responses.json(StatusCodes.OK, body);
  }
}

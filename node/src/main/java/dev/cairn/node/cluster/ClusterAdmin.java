package dev.cairn.node.cluster;

import dev.cairn.persistence.DocumentEntity;
import dev.cairn.protocol.api.ClusterView;
import dev.cairn.protocol.api.ShardsView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.apache.pekko.cluster.typed.Leave;

/** What operators can see and do with the cluster: membership, shard placement, leave, down. */
public final class ClusterAdmin {

  private static final Duration STATS_TIMEOUT = Duration.ofSeconds(5);

  private final ActorSystem<?> system;
  private final Cluster cluster;

  public ClusterAdmin(ActorSystem<?> system) {
    this.system = system;
    this.cluster = Cluster.get(system);
  }

  public ClusterView view() {
    var state = cluster.state();
    List<ClusterView.Member> members = new ArrayList<>();
    for (Member member : state.getMembers()) {
      members.add(
          new ClusterView.Member(
              member.address().toString(),
              status(member.status()),
              new ArrayList<>(new java.util.TreeSet<>(member.getRoles())),
              member.dataCenter()));
    }
    List<String> unreachable =
        state.getUnreachable().stream().map(m -> m.address().toString()).sorted().toList();
    return new ClusterView(
        cluster.selfMember().address().toString(),
        Optional.ofNullable(state.getLeader()).map(Address::toString).orElse(null),
        members,
        unreachable);
  }

  public CompletionStage<ShardsView> shards() {
    return AskPattern.<GetClusterShardingStats, ShardRegion.ClusterShardingStats>ask(
            ClusterSharding.get(system).shardState().narrow(),
            replyTo -> new GetClusterShardingStats(DocumentEntity.TYPE_KEY, STATS_TIMEOUT, replyTo),
            STATS_TIMEOUT.plusSeconds(1),
            system.scheduler())
        .thenApply(this::shardsView);
  }

  /** The member with this address ({@code pekko://cairn@host:port} or {@code host:port}). */
  public Optional<Member> member(String address) {
    String full = address.contains("://") ? address : "pekko://" + system.name() + "@" + address;
    Address wanted;
    try {
      wanted = AddressFromURIString.parse(full);
    } catch (Exception malformed) {
      // Scala's parser throws java.net.MalformedURLException, a checked exception, undeclared.
      return Optional.empty();
    }
    return StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
        .filter(m -> m.address().equals(wanted))
        .findFirst();
  }

  /** Asks the member to leave gracefully: hand off its shards, then stop. */
  public void leave(Member member) {
    cluster.manager().tell(Leave.create(member.address()));
  }

  /** Marks an unreachable member as down, so its shards move to the others. */
  public void down(Member member) {
    cluster.manager().tell(new Down(member.address()));
  }

  public Member self() {
    return cluster.selfMember();
  }

  private ShardsView shardsView(ShardRegion.ClusterShardingStats stats) {
    List<ShardsView.Region> regions = new ArrayList<>();
    List<String> unanswered = new ArrayList<>();
    for (Map.Entry<Address, ShardRegion.ShardRegionStats> region : stats.getRegions().entrySet()) {
      Map<String, Integer> shards = new TreeMap<>();
      region
          .getValue()
          .getStats()
          .forEach((shard, entities) -> shards.put(shard, ((Number) entities).intValue()));
      region.getValue().getFailed().forEach(shard -> unanswered.add(region.getKey() + " " + shard));
      regions.add(
          new ShardsView.Region(
              region.getKey().toString(),
              shards.size(),
              shards.values().stream().mapToInt(Integer::intValue).sum(),
              shards));
    }
    regions.sort(java.util.Comparator.comparing(ShardsView.Region::address));
    // The coordinator leaves out a region that did not answer within STATS_TIMEOUT; name its node,
    // so that a missing region reads as "did not answer", not as "hosts nothing".
    for (Member member : cluster.state().getMembers()) {
      if (member.status() == MemberStatus.up()
          && !stats.getRegions().containsKey(member.address())) {
        unanswered.add(member.address().toString());
      }
    }
    return new ShardsView(
        DocumentEntity.TYPE_KEY.name(),
        system.settings().config().getInt("pekko.cluster.sharding.number-of-shards"),
        regions,
        unanswered);
  }

  private static String status(MemberStatus status) {
    return status.toString().toLowerCase();
  }
}

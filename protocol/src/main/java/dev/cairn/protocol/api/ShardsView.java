package dev.cairn.protocol.api;

import java.util.List;
import java.util.Map;

/**
 * Where the documents live: {@code GET /admin/cluster/shards}.
 *
 * @param regions one per node hosting documents
 * @param unanswered what did not report in time: a node's address when its region did not answer at
 *     all, or an address and a shard when that shard of the region did not
 */
public record ShardsView(
    String entityType, int numberOfShards, List<Region> regions, List<String> unanswered) {

  /** One node's shards, each with how many documents it holds in memory. */
  public record Region(
      String address, int shardCount, int entityCount, Map<String, Integer> shards) {}
}

package dev.cairn.protocol.api;

import java.util.List;
import java.util.Map;

/**
 * Where the documents live: {@code GET /admin/cluster/shards}.
 *
 * @param regions one per node hosting documents
 * @param unanswered nodes that did not report in time
 */
public record ShardsView(
    String entityType, int numberOfShards, List<Region> regions, List<String> unanswered) {

  /** One node's shards, each with how many documents it holds in memory. */
  public record Region(
      String address, int shardCount, int entityCount, Map<String, Integer> shards) {}
}

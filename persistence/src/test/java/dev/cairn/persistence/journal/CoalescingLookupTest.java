package dev.cairn.persistence.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class CoalescingLookupTest {

  /** A query the test answers by hand: each call is remembered with its ids. */
  private final List<List<String>> queried = new ArrayList<>();

  private final List<CompletableFuture<Map<String, Long>>> answers = new ArrayList<>();

  private CompletionStage<Map<String, Long>> query(List<String> ids) {
    queried.add(ids);
    CompletableFuture<Map<String, Long>> answer = new CompletableFuture<>();
    answers.add(answer);
    return answer;
  }

  private static Map<String, Long> found(List<String> ids) {
    Map<String, Long> found = new HashMap<>();
    ids.stream().filter(id -> !id.startsWith("new")).forEach(id -> found.put(id, 7L));
    return found;
  }

  private void answer(int query) {
    answers.get(query).complete(found(queried.get(query)));
  }

  @Test
  void anIdleLookupIsAQueryOfItsOwnAtOnce() {
    var lookups = new CoalescingLookup<>(this::query, 0L, 10);

    CompletionStage<Long> a = lookups.lookup("a");

    assertThat(queried).containsExactly(List.of("a"));
    answer(0);
    assertThat(a.toCompletableFuture().join()).isEqualTo(7L);
  }

  @Test
  void lookupsThatArriveWhileAQueryRunsShareTheNextQuery() {
    var lookups = new CoalescingLookup<>(this::query, 0L, 10);
    CompletionStage<Long> a = lookups.lookup("a");

    CompletionStage<Long> b = lookups.lookup("b");
    CompletionStage<Long> fresh = lookups.lookup("new-1");
    CompletionStage<Long> bAgain = lookups.lookup("b");
    assertThat(queried).hasSize(1);
    answer(0);

    assertThat(queried).containsExactly(List.of("a"), List.of("b", "new-1"));
    assertThat(b).isNotDone();
    answer(1);
    assertThat(a.toCompletableFuture().join()).isEqualTo(7L);
    assertThat(b.toCompletableFuture().join()).isEqualTo(7L);
    assertThat(bAgain.toCompletableFuture().join()).isEqualTo(7L);
    assertThat(fresh.toCompletableFuture().join()).as("absent").isEqualTo(0L);
  }

  @Test
  void aQueryTakesAtMostMaxIdsAndTheRestFollow() {
    var lookups = new CoalescingLookup<>(this::query, 0L, 2);
    lookups.lookup("a");
    lookups.lookup("b");
    lookups.lookup("c");
    lookups.lookup("d");

    answer(0);
    answer(1);

    assertThat(queried).containsExactly(List.of("a"), List.of("b", "c"), List.of("d"));
  }

  @Test
  void aFailedQueryFailsOnlyItsLookupsAndTheNextStillRuns() {
    var lookups = new CoalescingLookup<>(this::query, 0L, 10);
    CompletionStage<Long> a = lookups.lookup("a");
    CompletionStage<Long> b = lookups.lookup("b");

    answers.get(0).completeExceptionally(new IllegalStateException("database gone"));

    assertThat(a.toCompletableFuture()).isCompletedExceptionally();
    assertThat(b).isNotDone();
    answer(1);
    assertThat(b.toCompletableFuture().join()).isEqualTo(7L);
    CompletionStage<Long> c = lookups.lookup("c");
    assertThat(queried).hasSize(3);
    answer(2);
    assertThat(c.toCompletableFuture().join()).isEqualTo(7L);
  }

  @Test
  void aQueryThatThrowsFailsItsLookupsAndLeavesTheLookupUsable() {
    List<Integer> calls = new ArrayList<>();
    var lookups =
        new CoalescingLookup<String>(
            ids -> {
              calls.add(ids.size());
              if (calls.size() == 1) {
                throw new IllegalStateException("no connection");
              }
              return CompletableFuture.completedFuture(Map.of("a", "found"));
            },
            "absent",
            10);

    assertThat(lookups.lookup("a").toCompletableFuture()).isCompletedExceptionally();
    assertThat(lookups.lookup("a").toCompletableFuture().join()).isEqualTo("found");
  }
}

package dev.cairn.persistence.journal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Lookups by persistence id, answered by one query for many ids: while a query runs, the lookups
 * that arrive wait and form the next one. Idle, each lookup is its own query at once; under load
 * the batches grow with the number of entities recovering, the way the journal's writes do with
 * parallelism 1, so a thousand recoveries a second cost tens of queries, not thousands.
 *
 * @param <V> what the query finds for an id ({@code absent} for an id it does not answer)
 */
final class CoalescingLookup<V> {

  private record Pending<V>(String id, CompletableFuture<V> answer) {}

  private final Function<List<String>, CompletionStage<Map<String, V>>> query;
  private final V absent;
  private final int maxIds;

  /** Guarded by {@code this}, as is {@link #running}. */
  private final ArrayDeque<Pending<V>> waiting = new ArrayDeque<>();

  private boolean running;

  /**
   * @param query answers the ids it is given (distinct, at most {@code maxIds}); ids it leaves out
   *     are answered {@code absent}
   */
  CoalescingLookup(
      Function<List<String>, CompletionStage<Map<String, V>>> query, V absent, int maxIds) {
    this.query = query;
    this.absent = absent;
    this.maxIds = maxIds;
  }

  CompletionStage<V> lookup(String id) {
    Pending<V> pending = new Pending<>(id, new CompletableFuture<>());
    boolean start;
    synchronized (this) {
      waiting.add(pending);
      start = !running;
      running = true;
    }
    if (start) {
      runNext();
    }
    return pending.answer();
  }

  private void runNext() {
    List<Pending<V>> batch = new ArrayList<>();
    synchronized (this) {
      while (!waiting.isEmpty() && batch.size() < maxIds) {
        batch.add(waiting.poll());
      }
      if (batch.isEmpty()) {
        running = false;
        return;
      }
    }
    LinkedHashSet<String> ids = new LinkedHashSet<>();
    batch.forEach(pending -> ids.add(pending.id()));
    CompletionStage<Map<String, V>> answers;
    try {
      answers = query.apply(List.copyOf(ids));
    } catch (RuntimeException e) {
      answers = CompletableFuture.failedFuture(e);
    }
    answers.whenComplete(
        (found, failure) -> {
          for (Pending<V> pending : batch) {
            if (failure != null) {
              pending.answer().completeExceptionally(failure);
            } else {
              pending.answer().complete(found.getOrDefault(pending.id(), absent));
            }
          }
          runNext();
        });
  }
}

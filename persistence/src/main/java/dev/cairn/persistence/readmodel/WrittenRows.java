package dev.cairn.persistence.readmodel;

import dev.cairn.protocol.DocumentKey;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The rows one slice's projection committed most recently, as it wrote them, so that its next batch
 * folds a document's events onto its row without reading the row back: on a catch-up, the read of a
 * batch's documents was PostgreSQL's largest statement (14 ms for 2,000 events).
 *
 * <p>A remembered row is only a guess at what the table holds: the projection writes onto it only
 * where the row still has the same version and text, and reads the row when it has not. Rows enter
 * after their transaction commits; all are forgotten when the batch is not the continuation of the
 * last one committed (a retry, an offset moved back, the projection restarted) and when the active
 * tables change (a blue/green rebuild switched them). The least recently used rows leave beyond
 * {@link #BUDGET}.
 */
final class WrittenRows {

  /**
   * The heap one slice's rows may take, as {@link #weight} reckons it: 1/128 of the heap, so the
   * eight slices of a node take at most about 1/16 (64 MB of a 1 GB heap, some 6,000 small
   * documents a slice).
   */
  static final long BUDGET = Runtime.getRuntime().maxMemory() / 128;

  private final Map<DocumentKey, DocumentRows.Row> rows = new LinkedHashMap<>(1024, 0.75f, true);
  private long reckoned;
  private ReadTables tables;
  private long committedOffset = -1;

  /**
   * Before a batch that starts at {@code firstOffset} in {@code tables}: forgets every row unless
   * the batch continues the last one committed, in the same tables.
   */
  synchronized void begin(ReadTables active, long firstOffset) {
    if (!active.equals(tables) || firstOffset <= committedOffset) {
      forgetAll();
    }
    tables = active;
  }

  /** The row as last committed, or null when it is not remembered. */
  synchronized DocumentRows.Row get(DocumentKey key) {
    return rows.get(key);
  }

  /** Rows a batch up to {@code offset} wrote, once its transaction has committed. */
  synchronized void committed(Collection<DocumentRows.Row> written, long offset) {
    for (DocumentRows.Row row : written) {
      DocumentRows.Row old = rows.put(row.key(), row);
      reckoned += weight(row) - (old == null ? 0 : weight(old));
    }
    Iterator<DocumentRows.Row> eldest = rows.values().iterator();
    while (reckoned > BUDGET && eldest.hasNext()) {
      reckoned -= weight(eldest.next());
      eldest.remove();
    }
    committedOffset = Math.max(committedOffset, offset);
  }

  synchronized void forget(DocumentKey key) {
    DocumentRows.Row old = rows.remove(key);
    if (old != null) {
      reckoned -= weight(old);
    }
  }

  /**
   * A row's reckoned heap: its JSON text, about four times that for the parsed tree of its state,
   * and the entry, key and state themselves.
   */
  private static long weight(DocumentRows.Row row) {
    return 512 + 5L * row.text().length();
  }

  synchronized void forgetAll() {
    rows.clear();
    reckoned = 0;
    committedOffset = -1;
  }
}

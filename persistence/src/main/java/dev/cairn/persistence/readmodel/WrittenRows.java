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
 * {@value #MAX_ROWS} rows or {@value #MAX_CHARS} characters of JSON.
 */
final class WrittenRows {

  static final int MAX_ROWS = 4096;

  static final long MAX_CHARS = 4L << 20;

  private final Map<DocumentKey, DocumentRows.Row> rows = new LinkedHashMap<>(1024, 0.75f, true);
  private long chars;
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
      chars += row.text().length() - (old == null ? 0 : old.text().length());
    }
    Iterator<DocumentRows.Row> eldest = rows.values().iterator();
    while ((rows.size() > MAX_ROWS || chars > MAX_CHARS) && eldest.hasNext()) {
      chars -= eldest.next().text().length();
      eldest.remove();
    }
    committedOffset = Math.max(committedOffset, offset);
  }

  synchronized void forget(DocumentKey key) {
    DocumentRows.Row old = rows.remove(key);
    if (old != null) {
      chars -= old.text().length();
    }
  }

  synchronized void forgetAll() {
    rows.clear();
    chars = 0;
    committedOffset = -1;
  }
}

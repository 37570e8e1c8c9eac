package dev.cairn.persistence.admin;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

/**
 * The lines of an import put in document order, each document's lines together and in version
 * order, collection definitions first: an export is in journal order, where a document's events are
 * spread over the whole file, and an import writes a document's history best in one piece.
 *
 * <p>An external merge sort: lines are kept until they reach {@code runBytes} of text, sorted, and
 * written to a temporary file if more follow; the runs are then merged. Memory holds one run, never
 * the whole import. The files are deleted on {@link #close}.
 */
final class DocumentOrder implements AutoCloseable {

  /** A line of the import with what orders it. */
  record Keyed(long number, String persistenceId, long version, String text) {}

  private static final Comparator<Keyed> ORDER =
      Comparator.comparing((Keyed line) -> !JournalCodec.isDefinition(line.persistenceId()))
          .thenComparing(Keyed::persistenceId)
          .thenComparingLong(Keyed::version)
          .thenComparingLong(Keyed::number);

  private final long runBytes;
  private final List<Keyed> run = new ArrayList<>();
  private long bytes;
  private final List<Path> spilled = new ArrayList<>();
  private final List<BufferedReader> open = new ArrayList<>();

  DocumentOrder(long runBytes) {
    this.runBytes = runBytes;
  }

  /** Takes the next line of the import. */
  void add(Keyed line) {
    run.add(line);
    bytes += line.text().length();
    if (bytes >= runBytes) {
      spill();
    }
  }

  /** Every line taken, in document order. Call once, after the last {@link #add}. */
  Iterator<Keyed> sorted() {
    if (spilled.isEmpty()) {
      run.sort(ORDER);
      return run.iterator();
    }
    if (!run.isEmpty()) {
      spill();
    }
    List<Iterator<Keyed>> runs = new ArrayList<>();
    for (Path file : spilled) {
      try {
        BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        open.add(reader);
        runs.add(new RunReader(reader));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read back a sorted run of the import", e);
      }
    }
    return new Merge(runs);
  }

  @Override
  public void close() {
    for (BufferedReader reader : open) {
      try {
        reader.close();
      } catch (IOException e) {
        // Deleted below all the same.
      }
    }
    for (Path file : spilled) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // A temporary file; the system's cleaning takes it.
      }
    }
  }

  private void spill() {
    run.sort(ORDER);
    try {
      Path file = Files.createTempFile("cairn-import-", ".run");
      spilled.add(file);
      try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        for (Keyed line : run) {
          out.write(Long.toString(line.number()));
          out.write('\t');
          out.write(Long.toString(line.version()));
          out.write('\t');
          out.write(line.persistenceId());
          out.write('\t');
          out.write(line.text());
          out.write('\n');
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a sorted run of the import", e);
    }
    run.clear();
    bytes = 0;
  }

  /** A spilled run read back, line by line. Persistence ids hold no tab (see DocumentKey). */
  private static final class RunReader implements Iterator<Keyed> {
    private final BufferedReader reader;
    private Keyed next;

    RunReader(BufferedReader reader) {
      this.reader = reader;
      advance();
    }

    private void advance() {
      try {
        String line = reader.readLine();
        if (line == null) {
          next = null;
          return;
        }
        int a = line.indexOf('\t');
        int b = line.indexOf('\t', a + 1);
        int c = line.indexOf('\t', b + 1);
        next =
            new Keyed(
                Long.parseLong(line, 0, a, 10),
                line.substring(b + 1, c),
                Long.parseLong(line, a + 1, b, 10),
                line.substring(c + 1));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read back a sorted run of the import", e);
      }
    }

    @Override
    public boolean hasNext() {
      return next != null;
    }

    @Override
    public Keyed next() {
      if (next == null) {
        throw new NoSuchElementException();
      }
      Keyed line = next;
      advance();
      return line;
    }
  }

  /** The sorted runs merged into one order. */
  private static final class Merge implements Iterator<Keyed> {
    private record Head(Keyed line, Iterator<Keyed> run) {}

    private final PriorityQueue<Head> heads =
        new PriorityQueue<>(Comparator.comparing(Head::line, ORDER));

    Merge(List<Iterator<Keyed>> runs) {
      for (Iterator<Keyed> run : runs) {
        if (run.hasNext()) {
          heads.add(new Head(run.next(), run));
        }
      }
    }

    @Override
    public boolean hasNext() {
      return !heads.isEmpty();
    }

    @Override
    public Keyed next() {
      Head head = heads.poll();
      if (head == null) {
        throw new NoSuchElementException();
      }
      if (head.run().hasNext()) {
        heads.add(new Head(head.run().next(), head.run()));
      }
      return head.line();
    }
  }
}

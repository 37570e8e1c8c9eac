package dev.cairn.persistence.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.persistence.CollectionEntity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** An import's lines in document order, sorted in memory or through temporary files. */
class DocumentOrderTest {

  @Test
  void putsDefinitionsFirstThenEachDocumentsLinesTogetherInVersionOrder() {
    try (DocumentOrder order = new DocumentOrder(1 << 20)) {
      order.add(line(1, "notes|b", 1));
      order.add(line(2, "notes|a", 1));
      order.add(line(3, CollectionEntity.persistenceId("notes"), 1));
      order.add(line(4, "notes|b", 2));
      order.add(line(5, "notes|a", 2));

      assertThat(numbers(order.sorted())).containsExactly(3L, 2L, 5L, 1L, 4L);
    }
  }

  @Test
  void aLongImportIsSortedThroughRunsOnDiskAndTheirFilesAreDeletedAfterwards() throws Exception {
    Random random = new Random(42);
    List<DocumentOrder.Keyed> lines = new ArrayList<>();
    long[] versions = new long[300];
    for (int n = 1; n <= 5000; n++) {
      int doc = random.nextInt(versions.length);
      lines.add(line(n, "notes|d" + doc, ++versions[doc]));
    }
    List<Path> before = runFiles();
    List<DocumentOrder.Keyed> sorted = new ArrayList<>();
    List<Path> during;
    // About 60 bytes a line: some 30 runs.
    try (DocumentOrder order = new DocumentOrder(10_000)) {
      lines.forEach(order::add);
      order.sorted().forEachRemaining(sorted::add);
      during = runFiles();
    }

    assertThat(during.size() - before.size()).isGreaterThan(10);
    assertThat(runFiles()).isEqualTo(before);
    assertThat(sorted).hasSize(lines.size()).containsExactlyInAnyOrderElementsOf(lines);
    for (int i = 1; i < sorted.size(); i++) {
      DocumentOrder.Keyed a = sorted.get(i - 1);
      DocumentOrder.Keyed b = sorted.get(i);
      int byDocument = a.persistenceId().compareTo(b.persistenceId());
      assertThat(byDocument < 0 || (byDocument == 0 && a.version() + 1 == b.version()))
          .as("%s before %s", a, b)
          .isTrue();
    }
  }

  private static DocumentOrder.Keyed line(long number, String persistenceId, long version) {
    return new DocumentOrder.Keyed(
        number,
        persistenceId,
        version,
        "{\"line\":" + number + ",\"version\":" + version + ",\"id\":\"" + persistenceId + "\"}");
  }

  private static List<Long> numbers(Iterator<DocumentOrder.Keyed> lines) {
    List<Long> numbers = new ArrayList<>();
    lines.forEachRemaining(line -> numbers.add(line.number()));
    return numbers;
  }

  private static List<Path> runFiles() throws Exception {
    try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return files
          .filter(file -> file.getFileName().toString().startsWith("cairn-import-"))
          .sorted()
          .toList();
    }
  }
}

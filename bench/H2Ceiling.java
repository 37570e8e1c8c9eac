import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The H2 ceiling for bench/run's write-h2 scenario: what the embedded database itself takes in
 * one-row journal inserts, one committed transaction each, from as many threads as the node has
 * connections, in a database file opened with the node's settings (durable commit, WRITE_DELAY=0),
 * into a table of the journal's shape. Run with the node's jar on the class path (it holds H2):
 *
 * <pre>java -cp node/target/cairn-node.jar bench/H2Ceiling.java DIR THREADS SECONDS</pre>
 *
 * Prints one BENCH_RESULT line like the other scenarios (latencies per transaction).
 */
public class H2Ceiling {

  public static void main(String[] args) throws Exception {
    Path dir = Files.createDirectories(Path.of(args[0]));
    int threads = Integer.parseInt(args[1]);
    long seconds = Long.parseLong(args[2]);
    String url = "jdbc:h2:file:" + dir.resolve("ceiling") + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
    try (Connection c = DriverManager.getConnection(url, "sa", "");
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS \"event_journal\" (\"ordering\" BIGINT UNIQUE NOT NULL"
              + " AUTO_INCREMENT, \"deleted\" BOOLEAN DEFAULT false NOT NULL, \"persistence_id\""
              + " VARCHAR(255) NOT NULL, \"sequence_number\" BIGINT NOT NULL, \"writer\" VARCHAR"
              + " NOT NULL, \"write_timestamp\" BIGINT NOT NULL, \"adapter_manifest\" VARCHAR,"
              + " \"event_payload\" BLOB NOT NULL, \"event_ser_id\" INTEGER NOT NULL,"
              + " \"event_ser_manifest\" VARCHAR NOT NULL, \"meta_payload\" BLOB, \"meta_ser_id\""
              + " INTEGER, \"meta_ser_manifest\" VARCHAR, \"slice\" SMALLINT,"
              + " PRIMARY KEY(\"persistence_id\",\"sequence_number\"))");
      s.execute(
          "CREATE INDEX IF NOT EXISTS \"slice_idx\" ON \"event_journal\" (\"slice\", \"ordering\")");
    }
    byte[] payload = new byte[220];
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong sequence = new AtomicLong();
    List<long[]> latencies = new ArrayList<>();
    List<Thread> workers = new ArrayList<>();
    long[] counts = new long[threads];
    for (int t = 0; t < threads; t++) {
      int me = t;
      long[] mine = new long[100_000];
      latencies.add(mine);
      Thread worker =
          new Thread(
                  () -> {
                    try (Connection c = DriverManager.getConnection(url, "sa", "");
                        PreparedStatement insert =
                            c.prepareStatement(
                                "INSERT INTO \"event_journal\" (\"persistence_id\","
                                    + " \"sequence_number\", \"writer\", \"write_timestamp\","
                                    + " \"adapter_manifest\", \"event_payload\", \"event_ser_id\","
                                    + " \"event_ser_manifest\", \"slice\")"
                                    + " VALUES (?, 1, 'w', ?, '', ?, 33, 'm', ?)")) {
                      while (running.get()) {
                        long n = sequence.incrementAndGet();
                        long start = System.nanoTime();
                        insert.setString(1, "bench|d" + n);
                        insert.setLong(2, System.currentTimeMillis());
                        insert.setBytes(3, payload);
                        insert.setShort(4, (short) (n % 8));
                        insert.executeUpdate();
                        if (counts[me] < mine.length) {
                          mine[(int) counts[me]] = System.nanoTime() - start;
                        }
                        counts[me]++;
                      }
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                  });
      worker.start();
      workers.add(worker);
    }
    long began = System.nanoTime();
    Thread.sleep(seconds * 1000);
    running.set(false);
    for (Thread worker : workers) {
      worker.join();
    }
    double elapsed = (System.nanoTime() - began) / 1e9;
    long total = 0;
    for (long count : counts) {
      total += count;
    }
    long[] all = new long[(int) Math.min(total, Integer.MAX_VALUE - 8)];
    int k = 0;
    for (int t = 0; t < threads; t++) {
      for (int i = 0; i < Math.min(counts[t], latencies.get(t).length) && k < all.length; i++) {
        all[k++] = latencies.get(t)[i];
      }
    }
    java.util.Arrays.sort(all, 0, k);
    int n = k;
    java.util.function.DoubleFunction<Double> p =
        q -> n == 0 ? 0 : all[Math.min(n - 1, (int) (q / 100 * n))] / 1e6;
    System.out.printf(
        "BENCH_RESULT {\"requests\": %d, \"seconds\": %.3f, \"rps\": %.1f, \"p50_ms\": %.3f,"
            + " \"p90_ms\": %.3f, \"p99_ms\": %.3f, \"p999_ms\": %.3f, \"max_ms\": %.3f,"
            + " \"errors\": 0}%n",
        total, elapsed, total / elapsed, p.apply(50), p.apply(90), p.apply(99), p.apply(99.9),
        n == 0 ? 0 : all[n - 1] / 1e6);
  }
}

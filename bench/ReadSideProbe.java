import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Measures the read side of a running Cairn node: change-feed latency (from a write's 2xx, that
 * is from its commit, to its event arriving on an open /_changes stream) and read-model catch-up
 * (documents projected per second after a burst of concurrent writes).
 *
 * <pre>
 * bin/cairn serve &amp;
 * java bench/ReadSideProbe.java http://127.0.0.1:8080 [latency-writes] [burst-writes] [since]
 * </pre>
 */
public class ReadSideProbe {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Pattern ID = Pattern.compile("\"id\":\"(d\\d+|marker)\"");

  public static void main(String[] args) throws Exception {
    String base = args.length > 0 ? args[0] : "http://127.0.0.1:8080";
    int writes = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    int burst = args.length > 2 ? Integer.parseInt(args[2]) : 5000;
    String since = args.length > 3 ? args[3] : null;
    latency(base, writes, since);
    if (burst > 0) {
      catchUp(base, burst);
    }
  }

  /**
   * Sequential writes, one every 10 ms, each to its own document, against an open stream.
   *
   * @param since the journal ordering to start the feed after ({@code ?since=}), or null for the
   *     beginning of the journal
   */
  static void latency(String base, int writes, String since) throws Exception {
    String collection = "latency" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, Long> arrived = new ConcurrentHashMap<>();
    CountDownLatch connected = new CountDownLatch(1);
    Thread reader =
        new Thread(
            () -> {
              try {
                var lines =
                    HTTP.send(
                            HttpRequest.newBuilder(
                                URI.create(
                                    base
                                        + "/v1/"
                                        + collection
                                        + "/_changes"
                                        + (since == null ? "" : "?since=" + since)))
                                .GET()
                                .build(),
                            HttpResponse.BodyHandlers.ofLines())
                        .body();
                connected.countDown();
                lines.forEach(
                    line -> {
                      if (line.startsWith("data:")) {
                        Matcher m = ID.matcher(line);
                        if (m.find()) {
                          arrived.putIfAbsent(m.group(1), System.nanoTime());
                        }
                      }
                    });
              } catch (Exception e) {
                connected.countDown();
              }
            });
    reader.setDaemon(true);
    reader.start();
    connected.await(10, TimeUnit.SECONDS);
    // Without `since` the stream starts at the beginning of the journal: wait until it has replayed
    // everything written before (a marker document's event arrives), so that only live latency is
    // measured.
    put(base + "/v1/" + collection + "/marker", "{\"marker\":true}");
    long replayDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    while (!arrived.containsKey("marker") && System.nanoTime() < replayDeadline) {
      Thread.sleep(10);
    }
    Map<String, Long> acknowledged = new ConcurrentHashMap<>();
    for (int i = 0; i < writes; i++) {
      String id = "d" + i;
      put(base + "/v1/" + collection + "/" + id, "{\"i\":" + i + "}");
      acknowledged.put(id, System.nanoTime());
      Thread.sleep(10); // pacing: a light, steady stream of writes, not a throughput test
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (arrived.size() < writes + 1 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    List<Double> millis = new ArrayList<>();
    acknowledged.forEach(
        (id, ack) -> {
          Long at = arrived.get(id);
          if (at != null) {
            millis.add(Math.max(0, at - ack) / 1e6);
          }
        });
    Collections.sort(millis);
    System.out.printf(
        "change feed: %d writes, %d events received; commit-to-event latency ms: p50 %.1f, p90 %.1f,"
            + " p99 %.1f, max %.1f%n",
        writes,
        millis.size(),
        pct(millis, 50),
        pct(millis, 90),
        pct(millis, 99),
        millis.isEmpty() ? Double.NaN : millis.get(millis.size() - 1));
    // For bench/run: the same figures as one JSON line (requests are the writes watched).
    System.out.println(
        String.format(
            Locale.ROOT,
            "BENCH_RESULT {\"requests\": %d, \"rps\": 0, \"p50_ms\": %.3f, \"p90_ms\": %.3f,"
                + " \"p99_ms\": %.3f, \"p999_ms\": %.3f, \"max_ms\": %.3f, \"errors\": %d}",
            writes,
            pct(millis, 50),
            pct(millis, 90),
            pct(millis, 99),
            pct(millis, 99.9),
            millis.isEmpty() ? 0 : millis.get(millis.size() - 1),
            writes - millis.size()));
  }

  /** A burst of concurrent writes, then how long until the read model lists them all. */
  static void catchUp(String base, int burst) throws Exception {
    String collection = "burst" + UUID.randomUUID().toString().substring(0, 8);
    ExecutorService pool = Executors.newFixedThreadPool(32);
    AtomicInteger next = new AtomicInteger();
    long start = System.nanoTime();
    for (int w = 0; w < 32; w++) {
      pool.submit(
          () -> {
            for (int i = next.getAndIncrement(); i < burst; i = next.getAndIncrement()) {
              put(base + "/v1/" + collection + "/d" + i, "{\"i\":" + i + "}");
            }
            return null;
          });
    }
    pool.shutdown();
    pool.awaitTermination(10, TimeUnit.MINUTES);
    long written = System.nanoTime();
    while (true) {
      HttpResponse<String> page =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(base + "/v1/" + collection + "?limit=1")).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      String lag = page.headers().firstValue("Cairn-Read-Model-Lag").orElse("?");
      if (lag.equals("0") && count(base, collection) == burst) {
        break;
      }
      Thread.sleep(20); // how often the read model is asked whether it has caught up
    }
    long done = System.nanoTime();
    System.out.printf(
        "read model: %d documents written in %.2f s (%.0f writes/s); all listed %.2f s after the"
            + " first write and %.0f ms after the last: %.0f documents/s projected end to end%n",
        burst,
        (written - start) / 1e9,
        burst / ((written - start) / 1e9),
        (done - start) / 1e9,
        (done - written) / 1e6,
        burst / ((done - start) / 1e9));
  }

  private static int count(String base, String collection) throws Exception {
    int total = 0;
    String cursor = null;
    do {
      String body =
          HTTP.send(
                  HttpRequest.newBuilder(
                          URI.create(
                              base + "/v1/" + collection + "?limit=1000" + (cursor == null ? "" : "&cursor=" + cursor)))
                      .GET()
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      Matcher ids = ID.matcher(body);
      while (ids.find()) {
        total++;
      }
      Matcher next = Pattern.compile("\"next\":\"([^\"]+)\"").matcher(body);
      cursor = next.find() ? next.group(1) : null;
    } while (cursor != null);
    return total;
  }

  private static void put(String url, String json) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IllegalStateException(url + " -> " + response.statusCode() + " " + response.body());
    }
  }

  private static double pct(List<Double> sorted, double p) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }
}

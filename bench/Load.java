import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * bench/run's load for scenarios that wrk cannot drive: a fixed number of requests rather than a
 * duration (write each of a million entities exactly once, 10,000 events to one entity), with the
 * throughput of the first and the last tenth of the run. Closed loop with {@code --concurrency}
 * keep-alive connections, one request in flight on each, like wrk; plain sockets, because the
 * JDK's HttpClient costs more CPU than the node under test. Prints one {@code BENCH_RESULT} line.
 *
 * <pre>
 * java bench/Load.java write --urls http://127.0.0.1:18080 --collection c --count 1000000
 * java bench/Load.java read  --urls ... --collection c --count 1000000 --requests 100000
 * java bench/Load.java write --urls ... --collection c --id hot --count 10000 --concurrency 8
 * </pre>
 *
 * Several {@code --urls} (comma-separated) spread the requests over several front doors.
 */
public final class Load {

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    Map<String, String> options = new HashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    String[] urls = options.get("urls").split(",");
    String collection = options.getOrDefault("collection", "bench");
    long count = Long.parseLong(options.getOrDefault("count", "1000"));
    long requests = Long.parseLong(options.getOrDefault("requests", String.valueOf(count)));
    int concurrency = Integer.parseInt(options.getOrDefault("concurrency", "64"));
    String fixedId = options.get("id");
    String payload = "x".repeat(Integer.parseInt(options.getOrDefault("payload", "120")));

    long total = mode.equals("write") ? count : requests;
    long[] latencies = new long[(int) total];
    long[] finishedAt = new long[(int) total];
    AtomicLong next = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    List<String> firstErrors = Collections.synchronizedList(new ArrayList<>());
    long start = System.nanoTime();

    List<Thread> lanes = new ArrayList<>();
    for (int lane = 0; lane < concurrency; lane++) {
      URI url = URI.create(urls[lane % urls.length]);
      Thread thread =
          new Thread(
              () -> {
                Connection connection = null;
                for (long n = next.getAndIncrement(); n < total; n = next.getAndIncrement()) {
                  String request;
                  if (mode.equals("write")) {
                    String id = fixedId != null ? fixedId : "d" + n;
                    byte[] body =
                        ("{\"n\":" + n + ",\"text\":\"" + payload + "\"}")
                            .getBytes(StandardCharsets.UTF_8);
                    request =
                        "PUT /v1/" + collection + "/" + id + " HTTP/1.1\r\nHost: bench\r\n"
                            + "Content-Type: application/json\r\nContent-Length: "
                            + body.length + "\r\n\r\n" + new String(body, StandardCharsets.UTF_8);
                  } else {
                    long id = ThreadLocalRandom.current().nextLong(count);
                    request =
                        "GET /v1/" + collection + "/d" + id + " HTTP/1.1\r\nHost: bench\r\n\r\n";
                  }
                  long sent = System.nanoTime();
                  int status;
                  try {
                    if (connection == null) {
                      connection = new Connection(url);
                    }
                    status = connection.exchange(request);
                  } catch (IOException e) {
                    status = -1;
                    firstErrors.add(e.toString());
                    connection = null;
                  }
                  long now = System.nanoTime();
                  latencies[(int) n] = now - sent;
                  finishedAt[(int) n] = now - start;
                  if (status < 200 || status >= 300) {
                    errors.incrementAndGet();
                    if (status > 0) {
                      firstErrors.add("HTTP " + status + " for " + request.lines().findFirst().get());
                    }
                  }
                }
              });
      thread.start();
      lanes.add(thread);
    }
    for (Thread thread : lanes) {
      thread.join();
    }
    double seconds = (System.nanoTime() - start) / 1e9;

    long[] sorted = latencies.clone();
    Arrays.sort(sorted);
    long[] finished = finishedAt.clone();
    Arrays.sort(finished);
    for (String error : firstErrors.subList(0, Math.min(5, firstErrors.size()))) {
      System.err.println("error: " + error);
    }
    System.out.println(
        String.format(
            Locale.ROOT,
            "BENCH_RESULT {\"requests\": %d, \"seconds\": %.3f, \"rps\": %.1f, \"p50_ms\": %.3f,"
                + " \"p90_ms\": %.3f, \"p99_ms\": %.3f, \"p999_ms\": %.3f, \"max_ms\": %.3f,"
                + " \"errors\": %d, \"first_tenth_rps\": %.1f, \"last_tenth_rps\": %.1f}",
            total,
            seconds,
            total / seconds,
            percentile(sorted, 50),
            percentile(sorted, 90),
            percentile(sorted, 99),
            percentile(sorted, 99.9),
            sorted[sorted.length - 1] / 1e6,
            errors.get(),
            tenthRate(finished, 0),
            tenthRate(finished, 9)));
  }

  /** One keep-alive HTTP/1.1 connection: writes a request, reads the whole response. */
  private static final class Connection {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    Connection(URI url) throws IOException {
      socket = new Socket(url.getHost(), url.getPort());
      socket.setTcpNoDelay(true);
      in = new BufferedInputStream(socket.getInputStream(), 65536);
      out = socket.getOutputStream();
    }

    int exchange(String request) throws IOException {
      out.write(request.getBytes(StandardCharsets.UTF_8));
      out.flush();
      String statusLine = line();
      int status = Integer.parseInt(statusLine.split(" ")[1]);
      long length = 0;
      boolean chunked = false;
      for (String header = line(); !header.isEmpty(); header = line()) {
        String lower = header.toLowerCase(Locale.ROOT);
        if (lower.startsWith("content-length:")) {
          length = Long.parseLong(lower.substring(15).trim());
        } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
          chunked = true;
        }
      }
      if (chunked) {
        for (long size = Long.parseLong(line().trim(), 16); size > 0;
            size = Long.parseLong(line().trim(), 16)) {
          skip(size);
          line();
        }
        line();
      } else {
        skip(length);
      }
      return status;
    }

    private void skip(long n) throws IOException {
      while (n > 0) {
        long skipped = in.skip(n);
        if (skipped <= 0) {
          if (in.read() < 0) {
            throw new IOException("connection closed mid-response");
          }
          skipped = 1;
        }
        n -= skipped;
      }
    }

    private String line() throws IOException {
      StringBuilder line = new StringBuilder();
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c < 0) {
          throw new IOException("connection closed");
        }
        if (c != '\r') {
          line.append((char) c);
        }
      }
      return line.toString();
    }
  }

  private static double percentile(long[] sorted, double p) {
    int index = (int) Math.min(sorted.length - 1, Math.floor(p / 100.0 * sorted.length));
    return sorted[index] / 1e6;
  }

  /** Requests per second over the tenth {@code k} (0..9) of the requests, by completion time. */
  private static double tenthRate(long[] finished, int k) {
    int n = finished.length;
    int from = (int) ((long) n * k / 10);
    int to = (int) ((long) n * (k + 1) / 10) - 1;
    if (to <= from) {
      return 0;
    }
    long start = from == 0 ? 0 : finished[from - 1];
    return (to - from + 1) / ((finished[to] - start) / 1e9);
  }
}

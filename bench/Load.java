import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * bench/run's load for scenarios that wrk cannot drive: a fixed number of requests rather than a
 * duration (write each of a million entities exactly once, 10,000 events to one entity), with the
 * throughput of the first and the last tenth of the run. Closed loop with {@code --concurrency}
 * keep-alive connections, one request in flight on each, like wrk, all driven by one thread with
 * non-blocking sockets: the load must cost far less CPU than the node under test on the same two
 * cores (a thread per connection cost about a quarter of a core at 1,300 requests/s, the JDK's
 * HttpClient more than the node). Prints one {@code BENCH_RESULT} line.
 *
 * <pre>
 * java bench/Load.java write --urls http://127.0.0.1:18080 --collection c --count 1000000
 * java bench/Load.java read  --urls ... --collection c --count 1000000 --requests 100000
 * java bench/Load.java write --urls ... --collection c --id hot --count 10000 --concurrency 8
 * </pre>
 *
 * Several {@code --urls} (comma-separated) spread the connections over several front doors.
 */
public final class Load {

  private final String mode;
  private final String collection;
  private final long count;
  private final long total;
  private final String fixedId;
  private final String payload;
  private final long[] latencies;
  private final long[] finishedAt;
  private final List<String> firstErrors = new ArrayList<>();
  private final long start = System.nanoTime();
  private long next;
  private long done;
  private long errors;

  private Load(Map<String, String> options, String mode) {
    this.mode = mode;
    this.collection = options.getOrDefault("collection", "bench");
    this.count = Long.parseLong(options.getOrDefault("count", "1000"));
    long requests = Long.parseLong(options.getOrDefault("requests", String.valueOf(count)));
    this.total = mode.equals("write") ? count : requests;
    this.fixedId = options.get("id");
    this.payload = "x".repeat(Integer.parseInt(options.getOrDefault("payload", "120")));
    this.latencies = new long[(int) total];
    this.finishedAt = new long[(int) total];
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new HashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    Load load = new Load(options, args[0]);
    String[] urls = options.get("urls").split(",");
    int concurrency = Integer.parseInt(options.getOrDefault("concurrency", "64"));
    load.run(urls, concurrency);
    load.report();
  }

  private void run(String[] urls, int concurrency) throws IOException {
    try (Selector selector = Selector.open()) {
      for (int lane = 0; lane < concurrency && next < total; lane++) {
        new Connection(URI.create(urls[lane % urls.length]), selector).sendNext();
      }
      while (done < total) {
        selector.select();
        for (SelectionKey key : selector.selectedKeys()) {
          Connection connection = (Connection) key.attachment();
          try {
            connection.ready(key);
          } catch (IOException e) {
            connection.failed(e);
          }
        }
        selector.selectedKeys().clear();
      }
    }
  }

  private byte[] request(long n) {
    if (mode.equals("write")) {
      String id = fixedId != null ? fixedId : "d" + n;
      byte[] body = ("{\"n\":" + n + ",\"text\":\"" + payload + "\"}").getBytes(StandardCharsets.UTF_8);
      String head =
          "PUT /v1/" + collection + "/" + id + " HTTP/1.1\r\nHost: bench\r\n"
              + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n";
      byte[] request = Arrays.copyOf(head.getBytes(StandardCharsets.UTF_8), head.length() + body.length);
      System.arraycopy(body, 0, request, head.length(), body.length);
      return request;
    }
    long id = ThreadLocalRandom.current().nextLong(count);
    return ("GET /v1/" + collection + "/d" + id + " HTTP/1.1\r\nHost: bench\r\n\r\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  private void finished(long n, long sentAt, int status, String request) {
    if (n < 0) {
      return;
    }
    long now = System.nanoTime();
    latencies[(int) n] = now - sentAt;
    finishedAt[(int) n] = now - start;
    done++;
    if (status < 200 || status >= 300) {
      errors++;
      if (firstErrors.size() < 5) {
        firstErrors.add(status < 0 ? request : "HTTP " + status + " for " + request);
      }
    }
  }

  /** One keep-alive HTTP/1.1 connection with one request in flight. */
  private final class Connection {
    private final URI url;
    private final Selector selector;
    private SocketChannel channel;
    private ByteBuffer out;
    private ByteBuffer in = ByteBuffer.allocate(64 * 1024);
    private long request = -1;
    private long sentAt;

    Connection(URI url, Selector selector) throws IOException {
      this.url = url;
      this.selector = selector;
      open();
    }

    private void open() throws IOException {
      channel = SocketChannel.open(new InetSocketAddress(url.getHost(), url.getPort()));
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
      channel.configureBlocking(false);
      channel.register(selector, SelectionKey.OP_READ, this);
      in.clear();
    }

    void sendNext() throws IOException {
      if (next >= total) {
        channel.close();
        return;
      }
      request = next++;
      out = ByteBuffer.wrap(request(request));
      sentAt = System.nanoTime();
      channel.write(out);
      channel.keyFor(selector).interestOps(out.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    void ready(SelectionKey key) throws IOException {
      if (key.isWritable()) {
        channel.write(out);
        if (!out.hasRemaining()) {
          key.interestOps(SelectionKey.OP_READ);
        }
        return;
      }
      if (!in.hasRemaining()) {
        in = ByteBuffer.allocate(in.capacity() * 2).put(in.flip());
      }
      if (channel.read(in) < 0) {
        throw new IOException("connection closed by the server");
      }
      int status = complete(in.array(), in.position());
      if (status > 0) {
        in.clear();
        finished(request, sentAt, status, firstLine());
        sendNext();
      }
    }

    void failed(IOException e) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // closing a broken connection
      }
      finished(request, sentAt, -1, e + " on " + firstLine());
      try {
        open();
        sendNext();
      } catch (IOException again) {
        throw new IllegalStateException("cannot reconnect to " + url, again);
      }
    }

    private String firstLine() {
      String text = new String(out.array(), StandardCharsets.UTF_8);
      return text.substring(0, text.indexOf('\r'));
    }
  }

  /** The status of the response in {@code b[0, end)}, or 0 if it has not all arrived. */
  static int complete(byte[] b, int end) {
    int headerEnd = indexOf(b, 0, end, "\r\n\r\n");
    if (headerEnd < 0) {
      return 0;
    }
    String head = new String(b, 0, headerEnd, StandardCharsets.ISO_8859_1);
    int status = Integer.parseInt(head.substring(9, 12));
    long length = 0;
    boolean chunked = false;
    for (String header : head.split("\r\n")) {
      String lower = header.toLowerCase(Locale.ROOT);
      if (lower.startsWith("content-length:")) {
        length = Long.parseLong(lower.substring(15).trim());
      } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
        chunked = true;
      }
    }
    int body = headerEnd + 4;
    if (!chunked) {
      return end - body >= length ? status : 0;
    }
    while (true) {
      int lineEnd = indexOf(b, body, end, "\r\n");
      if (lineEnd < 0) {
        return 0;
      }
      String size = new String(b, body, lineEnd - body, StandardCharsets.ISO_8859_1);
      int semicolon = size.indexOf(';');
      long chunk = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
      if (chunk == 0) {
        return indexOf(b, lineEnd, end, "\r\n\r\n") == lineEnd ? status : 0;
      }
      body = (int) (lineEnd + 2 + chunk + 2);
      if (body > end) {
        return 0;
      }
    }
  }

  private static int indexOf(byte[] b, int from, int end, String pattern) {
    byte[] p = pattern.getBytes(StandardCharsets.ISO_8859_1);
    outer:
    for (int i = from; i + p.length <= end; i++) {
      for (int j = 0; j < p.length; j++) {
        if (b[i + j] != p[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private void report() {
    double seconds = (System.nanoTime() - start) / 1e9;
    long[] sorted = latencies.clone();
    Arrays.sort(sorted);
    long[] finished = finishedAt.clone();
    Arrays.sort(finished);
    for (String error : firstErrors) {
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
            errors,
            tenthRate(finished, 0),
            tenthRate(finished, 9)));
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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * chaos/run's client side: the workload that records a history, and the checker that judges it
 * against the journal. Run with the node's jar on the class path (it holds Jackson):
 *
 * <pre>
 * java -cp cairn-node.jar chaos/Chaos.java workload --urls http://127.0.0.1:19081,... \
 *     --history h.ndjson --stop-file stop [--documents 30] [--threads-per-node 3]
 * java -cp cairn-node.jar chaos/Chaos.java check --history h.ndjson --nemesis n.ndjson \
 *     --urls http://127.0.0.1:19081,... --out chaos/results/STAMP
 * </pre>
 *
 * <p>The history is one JSON object a line. Every logical operation has an {@code invoke} line and
 * one completion: {@code ok} (the server answered 2xx, with the version it answered), {@code fail}
 * (the server answered a status that means nothing was written: a 4xx, or a read's 503), or
 * {@code unknown} (a timeout, a reset connection or a 5xx to a write: it may or may not have been
 * applied). Each HTTP request of an operation is an {@code attempt} line with its status. A write
 * whose attempt is not definitely refused is retried with the same {@code Idempotency-Key} and the
 * same {@code If-Match} on the next node, as a client riding through failover would.
 */
public final class Chaos {

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  static final ObjectMapper LINE = new ObjectMapper();

  /**
   * The lines of an NDJSON file that a process may have been killed in the middle of writing:
   * blank lines and a torn last line are left out.
   */
  static List<JsonNode> ndjson(Path file) throws IOException {
    List<JsonNode> lines = new ArrayList<>();
    for (String text : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!text.isBlank()) {
        try {
          lines.add(LINE.readTree(text));
        } catch (IOException torn) {
          // the last line of a writer killed mid-write
        }
      }
    }
    return lines;
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println("usage: Chaos.java workload|check --option value ...");
      System.exit(2);
    }
    Map<String, String> options = new HashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    switch (args[0]) {
      case "workload" -> new Workload(options).run();
      case "check" -> System.exit(new Checker(options).run());
      default -> {
        System.err.println("unknown command " + args[0]);
        System.exit(2);
      }
    }
  }

  static long now() {
    return System.currentTimeMillis();
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One HTTP exchange: a status, or -1 and why no status came back. */
  record Answer(int status, String error, String etag, JsonNode body, long millis) {

    boolean ok() {
      return status / 100 == 2;
    }

    /** Refused before the request could reach a node: certainly not applied. */
    boolean notSent() {
      return "refused".equals(error) || "connect-timeout".equals(error);
    }

    /** May have been applied by the node although no success came back. */
    boolean indeterminate() {
      return (status < 0 && !notSent()) || status >= 500;
    }

    long version() {
      if (etag != null) {
        return Long.parseLong(etag.replace("W/", "").replace("\"", ""));
      }
      return body != null && body.has("version") ? body.get("version").asLong() : -1;
    }

    String problem() {
      if (body == null || !body.has("type")) {
        return null;
      }
      String type = body.get("type").asText();
      return type.substring(type.lastIndexOf('/') + 1);
    }
  }

  /** HTTP clients for the front doors, with the timeouts a patient client would use. */
  static final class Doors {
    final List<URI> urls = new ArrayList<>();
    final HttpClient[] clients;
    final Duration timeout;

    Doors(String list, Duration timeout) {
      for (String url : list.split(",")) {
        urls.add(URI.create(url));
      }
      this.timeout = timeout;
      clients = new HttpClient[urls.size()];
      for (int i = 0; i < clients.length; i++) {
        clients[i] =
            HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
      }
    }

    int size() {
      return urls.size();
    }

    HttpRequest.Builder request(int node, String path) {
      return authorized(HttpRequest.newBuilder(urls.get(node).resolve(path)).timeout(timeout));
    }

    /** With the bearer token chaos/run minted ({@code CHAOS_TOKEN}), when there is one. */
    static HttpRequest.Builder authorized(HttpRequest.Builder request) {
      String token = System.getenv("CHAOS_TOKEN");
      return token == null || token.isEmpty() ? request : request.header("Authorization", "Bearer " + token);
    }

    Answer send(int node, HttpRequest request) {
      long start = now();
      try {
        HttpResponse<String> response =
            clients[node].send(request, HttpResponse.BodyHandlers.ofString());
        JsonNode body = null;
        String text = response.body();
        if (text != null && !text.isBlank() && text.trim().startsWith("{")) {
          try {
            body = LINE.readTree(text);
          } catch (IOException notJson) {
            body = null;
          }
        }
        return new Answer(
            response.statusCode(),
            null,
            response.headers().firstValue("ETag").orElse(null),
            body,
            now() - start);
      } catch (HttpConnectTimeoutException e) {
        return new Answer(-1, "connect-timeout", null, null, now() - start);
      } catch (HttpTimeoutException e) {
        return new Answer(-1, "timeout", null, null, now() - start);
      } catch (ConnectException e) {
        return new Answer(-1, "refused", null, null, now() - start);
      } catch (IOException e) {
        if (e.getCause() instanceof ConnectException) {
          return new Answer(-1, "refused", null, null, now() - start);
        }
        return new Answer(-1, "reset", null, null, now() - start);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Answer(-1, "interrupted", null, null, now() - start);
      }
    }
  }

  // --- the change feed -------------------------------------------------------------------------

  /**
   * A client of {@code GET /v1/{collection}/_changes} that keeps one stream open through any front
   * door, resuming with {@code Last-Event-ID} on the next node when a stream breaks, and writes
   * every change it receives (id, document, version) as one line of a file.
   */
  static final class FeedFollower {
    private final Doors doors;
    private final String collection;
    private final BufferedWriter out;
    long lastId;
    int changes;
    int reconnects;
    final Map<String, Long> heads = new ConcurrentHashMap<>();

    FeedFollower(Doors doors, String collection, Path file, boolean append) throws IOException {
      this.doors = doors;
      this.collection = collection;
      if (append && Files.exists(file)) {
        for (JsonNode entry : ndjson(file)) {
          lastId = Math.max(lastId, entry.get("id").asLong());
          heads.merge(entry.get("doc").asText(), entry.get("version").asLong(), Math::max);
        }
      }
      out =
          append
              ? Files.newBufferedWriter(file, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)
              : Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    }

    /** Follows the feed until {@code done} says so (checked at every change and heartbeat). */
    void follow(int firstDoor, java.util.function.BooleanSupplier done) throws IOException {
      int door = firstDoor;
      while (!done.getAsBoolean()) {
        HttpRequest.Builder request =
            Doors.authorized(
                HttpRequest.newBuilder(doors.urls.get(door).resolve("/v1/" + collection + "/_changes"))
                    .header("Accept", "text/event-stream"));
        if (lastId > 0) {
          request.header("Last-Event-ID", Long.toString(lastId));
        }
        try {
          HttpResponse<java.util.stream.Stream<String>> response =
              doors.clients[door].send(request.GET().build(), HttpResponse.BodyHandlers.ofLines());
          if (response.statusCode() == 200) {
            read(response.body().iterator(), done);
          }
          response.body().close();
        } catch (IOException | RuntimeException broken) {
          // a node killed or cut off: go on at the next one
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        reconnects++;
        door = (door + 1) % doors.size();
        sleep(500);
      }
      out.flush();
    }

    private void read(java.util.Iterator<String> lines, java.util.function.BooleanSupplier done)
        throws IOException {
      long id = -1;
      String event = null;
      StringBuilder data = new StringBuilder();
      while (!done.getAsBoolean() && lines.hasNext()) {
        String line = lines.next();
        if (line.startsWith("id:")) {
          id = Long.parseLong(line.substring(3).trim());
        } else if (line.startsWith("event:")) {
          event = line.substring(6).trim();
        } else if (line.startsWith("data:")) {
          data.append(line.substring(5).trim());
        } else if (line.isEmpty()) {
          if ("change".equals(event) && id > 0 && data.length() > 0) {
            JsonNode change = LINE.readTree(data.toString());
            ObjectNode entry = LINE.createObjectNode();
            entry.put("t", now()).put("id", id).put("doc", change.get("id").asText());
            entry.put("version", change.get("version").asLong());
            out.write(entry.toString());
            out.write('\n');
            out.flush();
            lastId = id;
            changes++;
            heads.merge(entry.get("doc").asText(), entry.get("version").asLong(), Math::max);
          }
          id = -1;
          event = null;
          data.setLength(0);
        }
      }
    }
  }

  // --- the workload ----------------------------------------------------------------------------

  /**
   * A few client threads per front door, each picking a document at random and reading it or
   * writing it: writes form a chain per document ({@code If-Match} the last version any client
   * saw, {@code If-None-Match: *} for the first), each logical write with an Idempotency-Key and a
   * unique token in its body, so the checker can find it in the journal.
   */
  static final class Workload {
    private final Doors doors;
    private final String collection;
    private final int documents;
    private final int threadsPerNode;
    private final long pauseMillis;
    private final double writeShare;
    private final Path stopFile;
    private final BufferedWriter history;
    private final Path feedFile;
    private final ConcurrentHashMap<String, Long> seen = new ConcurrentHashMap<>();
    private volatile long stoppedAt = Long.MAX_VALUE;

    Workload(Map<String, String> o) throws IOException {
      doors = new Doors(o.get("urls"), Duration.ofMillis(Long.parseLong(o.getOrDefault("timeout-ms", "7000"))));
      collection = o.getOrDefault("collection", "chaos");
      documents = Integer.parseInt(o.getOrDefault("documents", "30"));
      threadsPerNode = Integer.parseInt(o.getOrDefault("threads-per-node", "3"));
      pauseMillis = Long.parseLong(o.getOrDefault("pause-ms", "20"));
      writeShare = Double.parseDouble(o.getOrDefault("write-share", "0.5"));
      stopFile = Path.of(o.get("stop-file"));
      history = Files.newBufferedWriter(Path.of(o.get("history")), StandardCharsets.UTF_8);
      feedFile = o.containsKey("feed") ? Path.of(o.get("feed")) : null;
    }

    void run() throws Exception {
      List<Thread> threads = new ArrayList<>();
      for (int node = 0; node < doors.size(); node++) {
        for (int t = 0; t < threadsPerNode; t++) {
          int door = node;
          String client = "n" + (node + 1) + "c" + t;
          Thread thread = new Thread(() -> clientLoop(client, door), client);
          thread.start();
          threads.add(thread);
        }
      }
      if (feedFile != null) {
        FeedFollower follower = new FeedFollower(doors, collection, feedFile, false);
        Thread feed =
            new Thread(
                () -> {
                  try {
                    follower.follow(0, () -> stoppedAt != Long.MAX_VALUE);
                  } catch (IOException e) {
                    throw new IllegalStateException(e);
                  }
                },
                "feed");
        feed.setDaemon(true);
        feed.start();
      }
      Thread flusher = new Thread(this::flushEverySecond, "flusher");
      flusher.setDaemon(true);
      flusher.start();
      while (!Files.exists(stopFile)) {
        sleep(100);
      }
      stoppedAt = now();
      for (Thread thread : threads) {
        thread.join(60_000);
      }
      synchronized (history) {
        history.close();
      }
    }

    private void flushEverySecond() {
      while (true) {
        sleep(1000);
        synchronized (history) {
          try {
            history.flush();
          } catch (IOException closed) {
            return;
          }
        }
      }
    }

    private void record(ObjectNode line) {
      String text = line.toString();
      synchronized (history) {
        try {
          history.write(text);
          history.write('\n');
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }
    }

    private ObjectNode line(String type, String op) {
      ObjectNode line = LINE.createObjectNode();
      line.put("t", now());
      line.put("type", type);
      line.put("op", op);
      return line;
    }

    private void clientLoop(String client, int door) {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      for (long n = 0; stoppedAt == Long.MAX_VALUE; n++) {
        String document = "d" + random.nextInt(documents);
        String op = client + "-" + n;
        if (random.nextDouble() < writeShare) {
          write(op, door, document);
        } else {
          read(op, door, document);
        }
        sleep(pauseMillis);
      }
    }

    private void write(String op, int door, String document) {
      long expected = seen.getOrDefault(document, 0L);
      String body = "{\"token\":\"" + op + "\",\"expected\":" + expected + "}";
      ObjectNode invoke = line("invoke", op);
      invoke.put("f", "write").put("doc", document).put("node", door).put("expected", expected);
      long invoked = invoke.get("t").asLong();
      record(invoke);
      boolean indeterminate = false;
      int node = door;
      for (int attempt = 1; ; attempt++) {
        HttpRequest.Builder request =
            doors
                .request(node, "/v1/" + collection + "/" + document)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", op)
                .header("X-Request-Id", op + "." + attempt)
                .PUT(HttpRequest.BodyPublishers.ofString(body));
        if (expected == 0) {
          request.header("If-None-Match", "*");
        } else {
          request.header("If-Match", "\"" + expected + "\"");
        }
        Answer answer = doors.send(node, request.build());
        recordAttempt(op, node, attempt, answer);
        if (answer.ok()) {
          long version = answer.version();
          seen.merge(document, version, Math::max);
          ObjectNode ok = line("ok", op);
          ok.put("version", version).put("node", node).put("status", answer.status());
          record(ok.put("attempts", attempt));
          return;
        }
        if (answer.status() >= 400 && answer.status() < 500 && answer.status() != 408
            && answer.status() != 429) {
          if (answer.body() != null && answer.body().has("currentVersion")) {
            seen.merge(document, answer.body().get("currentVersion").asLong(), Math::max);
          }
          ObjectNode fail = line("fail", op);
          fail.put("node", node).put("status", answer.status()).put("problem", answer.problem());
          record(fail.put("attempts", attempt));
          return;
        }
        indeterminate |= answer.indeterminate();
        long t = now();
        if (t - invoked > 30_000 || t - stoppedAt > 10_000) {
          ObjectNode end = line(indeterminate ? "unknown" : "fail", op);
          end.put("node", node).put("status", answer.status()).put("error", answer.error());
          record(end.put("attempts", attempt));
          return;
        }
        sleep(answer.status() == 503 || answer.status() == 429 ? 500 : 200);
        node = (node + 1) % doors.size();
      }
    }

    private void read(String op, int door, String document) {
      ObjectNode invoke = line("invoke", op);
      record(invoke.put("f", "read").put("doc", document).put("node", door));
      Answer answer =
          doors.send(door, doors.request(door, "/v1/" + collection + "/" + document).GET().build());
      recordAttempt(op, door, 1, answer);
      ObjectNode end;
      if (answer.ok()) {
        end = line("ok", op).put("version", answer.version());
        JsonNode data = answer.body() == null ? null : answer.body().get("data");
        end.put("token", data != null && data.has("token") ? data.get("token").asText() : null);
        seen.merge(document, answer.version(), Math::max);
      } else if (answer.status() == 404 && "not-found".equals(answer.problem())) {
        end = line("ok", op).put("version", 0);
      } else if (answer.status() > 0) {
        end = line("fail", op).put("problem", answer.problem());
      } else {
        end = line("unknown", op).put("error", answer.error());
      }
      record(end.put("node", door).put("status", answer.status()));
    }

    private void recordAttempt(String op, int node, int attempt, Answer answer) {
      ObjectNode line = line("attempt", op);
      line.put("node", node).put("attempt", attempt).put("status", answer.status());
      if (answer.error() != null) {
        line.put("error", answer.error());
      }
      if (answer.problem() != null && !answer.ok()) {
        line.put("problem", answer.problem());
      }
      record(line.put("ms", answer.millis()));
    }
  }

  // --- the checker -----------------------------------------------------------------------------

  /** One logical operation of the history, with its outcome. */
  static final class Op {
    String id;
    String f;
    String doc;
    int door;
    int node;
    long invoked;
    long completed = Long.MAX_VALUE;
    String outcome = "unknown";
    long version = -1;
    long expected;
    String token;
    int status;
    final List<Integer> statuses = new ArrayList<>();
    final List<String> errors = new ArrayList<>();
  }

  /** A fault's window: from its injection until the next fault's (or the end of the run). */
  static final class Window {
    final String name;
    final long start;
    long end = Long.MAX_VALUE;
    final Map<String, Long> marks = new LinkedHashMap<>();
    final Map<String, String> details = new LinkedHashMap<>();

    Window(String name, long start) {
      this.name = name;
      this.start = start;
    }

    boolean holds(long t) {
      return t >= start && t < end;
    }
  }

  /** An event of a document's history as the node tells it. */
  record Event(long version, String type, String token, String requestId, String timestamp) {}

  static final class Checker {
    private final Map<String, String> o;
    private final Doors doors;
    private final String collection;
    private final int documents;
    private final Map<String, Op> ops = new LinkedHashMap<>();
    private final List<Window> windows = new ArrayList<>();
    private final Map<String, TreeMap<Long, Event>> histories = new TreeMap<>();
    private final ObjectNode report = JSON.createObjectNode();
    private final Map<String, List<String>> violations = new LinkedHashMap<>();
    private int failures;

    Checker(Map<String, String> o) {
      this.o = o;
      doors = new Doors(o.get("urls"), Duration.ofSeconds(30));
      collection = o.getOrDefault("collection", "chaos");
      documents = Integer.parseInt(o.getOrDefault("documents", "30"));
    }

    int run() throws Exception {
      readHistory(Path.of(o.get("history")));
      readNemesis(Path.of(o.get("nemesis")));
      int door = healthyDoor();
      readDocumentHistories(door);
      checkHistories();
      checkTimestamps();
      checkWriters(door);
      checkAcknowledgedWrites();
      checkReads();
      checkReadModel(door);
      if (o.containsKey("feed")) {
        checkChangeFeed(door, Path.of(o.get("feed")));
      }
      checkAvailability(Long.parseLong(o.getOrDefault("max-quiet-outage-ms", "30000")));
      if (o.containsKey("shards")) {
        checkShards(Path.of(o.get("shards")));
      }
      if (o.containsKey("members") && o.containsKey("lifecycle")) {
        checkWritersAgainstMembership(Path.of(o.get("members")), Path.of(o.get("lifecycle")));
      }
      summarise();
      write(Path.of(o.get("out")));
      return failures == 0 ? 0 : 1;
    }

    // --- input ---

    private void readHistory(Path file) throws IOException {
      for (JsonNode line : ndjson(file)) {
        String id = line.get("op").asText();
        String type = line.get("type").asText();
        Op op = ops.computeIfAbsent(id, k -> new Op());
        switch (type) {
          case "invoke" -> {
            op.id = id;
            op.f = line.get("f").asText();
            op.doc = line.get("doc").asText();
            op.door = line.get("node").asInt();
            op.node = op.door;
            op.invoked = line.get("t").asLong();
            op.expected = line.path("expected").asLong(0);
          }
          case "attempt" -> {
            op.statuses.add(line.get("status").asInt());
            op.errors.add(line.path("error").asText(null));
          }
          default -> {
            op.outcome = type;
            op.completed = line.get("t").asLong();
            op.node = line.path("node").asInt(op.door);
            op.status = line.path("status").asInt();
            op.version = line.path("version").asLong(-1);
            op.token = line.hasNonNull("token") ? line.get("token").asText() : null;
          }
        }
      }
      ops.values().removeIf(op -> op.id == null);
    }

    private void readNemesis(Path file) throws IOException {
      long first = ops.values().stream().mapToLong(op -> op.invoked).min().orElse(0);
      windows.add(new Window("steady", first));
      if (!Files.exists(file)) {
        return;
      }
      for (String text : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (text.isBlank()) {
          continue;
        }
        JsonNode line = LINE.readTree(text);
        String event = line.get("event").asText();
        long t = line.get("t").asLong();
        if (event.equals("start")) {
          windows.get(windows.size() - 1).end = t;
          windows.add(new Window(line.get("fault").asText(), t));
        }
        Window current = windows.get(windows.size() - 1);
        current.marks.putIfAbsent(event, t);
        line.fields()
            .forEachRemaining(
                f -> {
                  if (!List.of("t", "event", "fault").contains(f.getKey())) {
                    current.details.put(f.getKey(), f.getValue().asText());
                  }
                });
      }
    }

    private Window windowOf(long t) {
      for (Window w : windows) {
        if (w.holds(t)) {
          return w;
        }
      }
      return windows.get(0);
    }

    private int healthyDoor() {
      for (int attempt = 0; attempt < 60; attempt++) {
        for (int node = 0; node < doors.size(); node++) {
          Answer a = doors.send(node, doors.request(node, "/health/ready").GET().build());
          if (a.status() == 200) {
            return node;
          }
        }
        sleep(1000);
      }
      throw new IllegalStateException("no node is ready for the checker");
    }

    private JsonNode getJson(int door, String path) {
      for (int attempt = 0; ; attempt++) {
        Answer a = doors.send(door, doors.request(door, path).GET().build());
        if (a.status() == 200 || a.status() == 404) {
          return a.status() == 200 ? a.body() : null;
        }
        if (attempt > 20) {
          throw new IllegalStateException(path + " answered " + a.status() + " " + a.error());
        }
        sleep(1000);
      }
    }

    private void readDocumentHistories(int door) {
      for (int d = 0; d < documents; d++) {
        String doc = "d" + d;
        TreeMap<Long, Event> events = new TreeMap<>();
        long after = 0;
        while (true) {
          JsonNode page =
              getJson(door, "/v1/" + collection + "/" + doc + "/events?limit=1000&after=" + after);
          if (page == null) {
            break;
          }
          for (JsonNode e : page.get("items")) {
            JsonNode data = e.path("change").path("data");
            long version = e.get("version").asLong();
            Event event =
                new Event(
                    version,
                    e.get("type").asText(),
                    data.has("token") ? data.get("token").asText() : null,
                    e.path("requestId").asText(null),
                    e.path("timestamp").asText(null));
            if (events.put(version, event) != null) {
              violation("version listed twice", doc + " v" + version);
            }
          }
          if (page.get("next").isNull()) {
            break;
          }
          after = page.get("next").asLong();
        }
        histories.put(doc, events);
      }
    }

    private void violation(String kind, String detail) {
      List<String> list = violations.computeIfAbsent(kind, k -> new ArrayList<>());
      list.add(detail);
      failures++;
    }

    // --- the checks ---

    /**
     * A document's events in the order of their timestamps, whichever node (and clock) wrote
     * them: the state at an instant is then one version (the clock-skew fault runs a node ahead).
     */
    private void checkTimestamps() {
      for (var entry : histories.entrySet()) {
        java.time.Instant previous = null;
        for (Event event : entry.getValue().values()) {
          if (event.timestamp() == null) {
            continue;
          }
          java.time.Instant at = java.time.Instant.parse(event.timestamp());
          if (previous != null && at.isBefore(previous)) {
            violation(
                "event timed before its predecessor",
                entry.getKey() + " v" + event.version() + " at " + at + " after " + previous);
          }
          previous = at;
        }
      }
    }

    /** Versions gap-free 1..n, and no write's token at two versions. */
    private void checkHistories() {
      Map<String, List<String>> placesOfToken = new HashMap<>();
      long events = 0;
      for (var entry : histories.entrySet()) {
        TreeMap<Long, Event> events0 = entry.getValue();
        events += events0.size();
        long expected = 1;
        for (long version : events0.keySet()) {
          if (version != expected) {
            violation("gap in versions", entry.getKey() + ": v" + expected + " missing before v" + version);
          }
          expected = version + 1;
        }
        for (Event e : events0.values()) {
          if (e.token() != null) {
            placesOfToken
                .computeIfAbsent(e.token(), k -> new ArrayList<>())
                .add(entry.getKey() + " v" + e.version());
          }
        }
      }
      report.put("events", events);
      for (var entry : placesOfToken.entrySet()) {
        if (entry.getValue().size() > 1) {
          violation("write applied twice", entry.getKey() + " at " + entry.getValue());
          Op op = ops.get(entry.getKey());
          if (op != null) {
            windowCount(windowOf(op.invoked), "duplicated");
          }
        }
      }
    }

    /**
     * The journal's writer column: per document, a writer (one incarnation of the entity) never
     * writes again once another has taken over, and no version appears twice.
     */
    private void checkWriters(int door) {
      journal.clear();
      Map<String, List<JsonNode>> byDoc = new TreeMap<>();
      long after = 0;
      long entries = 0;
      while (true) {
        JsonNode page =
            getJson(
                door,
                "/admin/journal?limit=1000&after=" + after + "&collection="
                    + URLEncoder.encode(collection, StandardCharsets.UTF_8));
        for (JsonNode e : page.get("items")) {
          if (e.get("collection").asText().equals(collection)) {
            byDoc.computeIfAbsent(e.get("id").asText(), k -> new ArrayList<>()).add(e);
            journal.add(e);
            entries++;
          }
        }
        if (page.get("next").isNull() || page.get("items").isEmpty()) {
          break;
        }
        after = page.get("next").asLong();
      }
      int handOvers = 0;
      for (var entry : byDoc.entrySet()) {
        List<JsonNode> events = entry.getValue();
        events.sort(Comparator.comparingLong(e -> e.get("version").asLong()));
        Set<Long> versions = new HashSet<>();
        Set<String> retired = new HashSet<>();
        String writer = null;
        for (JsonNode e : events) {
          long version = e.get("version").asLong();
          if (!versions.add(version)) {
            violation("version written twice in the journal", entry.getKey() + " v" + version);
          }
          String current = e.get("writer").asText();
          if (!current.equals(writer)) {
            if (retired.contains(current)) {
              violation(
                  "writer wrote again after another took over",
                  entry.getKey() + " v" + version + " by " + current);
            }
            if (writer != null) {
              retired.add(writer);
              handOvers++;
            }
            writer = current;
          }
        }
        long listed = histories.getOrDefault(entry.getKey(), new TreeMap<>()).size();
        if (listed != events.size()) {
          violation(
              "journal and history disagree",
              entry.getKey() + ": journal " + events.size() + " events, history " + listed);
        }
      }
      report.put("journalEntries", entries);
      report.put("writerHandOvers", handOvers);
    }

    /** The journal's events of the collection, as {@link #checkWriters} read them. */
    private final List<JsonNode> journal = new ArrayList<>();

    /** One run of a node's process: from its start until the next. */
    static final class Incarnation {
      final int node;
      final long startedAt;
      /** The journal's last ordering before it started: all its own events come after. */
      final long sequenceAtStart;
      boolean seenUp;
      Long downedAt;
      Long sequenceAtDown;
      int downedBy;

      Incarnation(int node, long startedAt, long sequenceAtStart) {
        this.node = node;
        this.startedAt = startedAt;
        this.sequenceAtStart = sequenceAtStart;
      }
    }

    /**
     * The journal's node column against the membership's history: once another member has seen a
     * node down (or removed), that run of the node writes nothing more. The run samples every
     * node's view of the membership each second and, after the views, PostgreSQL's last handed-out
     * ordering; it notes the ordering before each start of a node. An event by node k with an
     * ordering above the one sampled after k was first seen down, and at most the one noted before
     * k's next start, was written by k after the cluster had downed it.
     */
    private void checkWritersAgainstMembership(Path members, Path lifecycle) throws IOException {
      if (!Files.exists(members) || !Files.exists(lifecycle)) {
        return;
      }
      Map<Integer, List<Incarnation>> runs = new TreeMap<>();
      for (JsonNode line : ndjson(lifecycle)) {
        int node = line.get("node").asInt();
        runs.computeIfAbsent(node, k -> new ArrayList<>())
            .add(new Incarnation(node, line.get("t").asLong(), line.get("sequence").asLong()));
      }
      Map<String, Integer> nodeOf = new HashMap<>();
      List<Incarnation> waitingForSequence = new ArrayList<>();
      int samples = 0;
      for (JsonNode line : ndjson(members)) {
        samples++;
        long t = line.get("t").asLong();
        JsonNode sequence = line.get("sequence");
        if (sequence != null && sequence.isNumber()) {
          for (Incarnation waiting : waitingForSequence) {
            waiting.sequenceAtDown = sequence.asLong();
          }
          waitingForSequence.clear();
        }
        var views = line.get("views").fields();
        while (views.hasNext()) {
          var entry = views.next();
          int via = Integer.parseInt(entry.getKey());
          JsonNode view = entry.getValue();
          nodeOf.put(view.get("self").asText(), via);
          Map<Integer, String> status = new HashMap<>();
          for (JsonNode member : view.path("members")) {
            Integer node = nodeOf.get(member.get("address").asText());
            if (node != null) {
              status.put(node, member.get("status").asText());
            }
          }
          if (!"up".equals(status.get(via))) {
            continue; // a node not (or no longer) a full member says nothing about the others
          }
          for (var run : runs.entrySet()) {
            int node = run.getKey();
            Incarnation current = null;
            for (Incarnation i : run.getValue()) {
              if (i.startedAt <= t) {
                current = i;
              }
            }
            if (node == via || current == null) {
              continue;
            }
            String seen = status.get(node);
            if ("up".equals(seen) || "weaklyup".equals(seen)) {
              current.seenUp = true;
            } else if (current.seenUp
                && current.downedAt == null
                && (seen == null || seen.equals("down") || seen.equals("removed"))) {
              current.downedAt = t;
              current.downedBy = via;
              if (sequence != null && sequence.isNumber()) {
                current.sequenceAtDown = sequence.asLong();
              } else {
                waitingForSequence.add(current);
              }
            }
          }
        }
      }
      Map<Integer, String> addressOf = new HashMap<>();
      nodeOf.forEach((address, node) -> addressOf.put(node, address));
      int downs = 0;
      int late = 0;
      for (var run : runs.entrySet()) {
        List<Incarnation> incarnations = run.getValue();
        String address = addressOf.get(run.getKey());
        for (int n = 0; n < incarnations.size(); n++) {
          Incarnation i = incarnations.get(n);
          if (i.sequenceAtDown == null || address == null) {
            continue;
          }
          downs++;
          long until =
              n + 1 < incarnations.size()
                  ? incarnations.get(n + 1).sequenceAtStart
                  : Long.MAX_VALUE;
          for (JsonNode e : journal) {
            long offset = e.get("offset").asLong();
            if (address.equals(e.path("node").asText()) && offset > i.sequenceAtDown && offset <= until) {
              late++;
              violation(
                  "a node wrote after the cluster had downed it",
                  String.format(
                      Locale.ROOT,
                      "node%d (started %s) seen down by node%d at %s [%s]; wrote %s v%d at offset %d (ordering then: %d)",
                      i.node,
                      java.time.Instant.ofEpochMilli(i.startedAt),
                      i.downedBy,
                      java.time.Instant.ofEpochMilli(i.downedAt),
                      windowOf(i.downedAt).name,
                      e.get("id").asText(),
                      e.get("version").asLong(),
                      offset,
                      i.sequenceAtDown));
            }
          }
        }
      }
      long named = journal.stream().filter(e -> e.hasNonNull("node")).count();
      if (named < journal.size()) {
        violation("journal events without their node", (journal.size() - named) + " of " + journal.size());
      }
      report.put("membershipSamples", samples);
      report.put("nodeRunsDowned", downs);
      report.put("writesAfterDowned", late);
    }

    /** Every acknowledged write is in the journal at the version it was acknowledged with. */
    private void checkAcknowledgedWrites() {
      Map<String, String> claimed = new HashMap<>();
      int unknownApplied = 0;
      int unknownNotApplied = 0;
      Map<String, Event> byToken = new HashMap<>();
      histories.values().forEach(h -> h.values().forEach(e -> byToken.put(e.token(), e)));
      for (Op op : ops.values()) {
        if (!op.f.equals("write")) {
          continue;
        }
        Event found = byToken.get(op.id);
        switch (op.outcome) {
          case "ok" -> {
            Event at = histories.get(op.doc).get(op.version);
            if (at == null || !op.id.equals(at.token())) {
              violation(
                  "acknowledged write lost",
                  op.id + " acknowledged at " + op.doc + " v" + op.version + "; there: "
                      + (at == null ? "nothing" : at.token())
                      + (found == null ? ", nowhere else" : ", found at v" + found.version()));
              windowCount(windowOf(op.invoked), "lost");
            }
            String other = claimed.put(op.doc + " v" + op.version, op.id);
            if (other != null) {
              violation("two acknowledged writes claim one version", op.doc + " v" + op.version + ": " + other + ", " + op.id);
            }
          }
          case "fail" -> {
            if (found != null) {
              violation("refused write applied", op.id + " answered " + op.status + " but is " + op.doc + " v" + found.version());
            }
          }
          default -> {
            if (found != null) {
              unknownApplied++;
            } else {
              unknownNotApplied++;
            }
          }
        }
      }
      report.put("unknownWritesApplied", unknownApplied);
      report.put("unknownWritesNotApplied", unknownNotApplied);
    }

    /**
     * Every ok read saw a version at least as new as the newest write acknowledged before the read
     * began (linearizability for one document), and the content the journal has at that version.
     */
    private void checkReads() {
      Map<String, List<Op>> acked = new HashMap<>();
      for (Op op : ops.values()) {
        if (op.f.equals("write") && op.outcome.equals("ok")) {
          acked.computeIfAbsent(op.doc, k -> new ArrayList<>()).add(op);
        }
      }
      acked.values().forEach(list -> list.sort(Comparator.comparingLong(op -> op.completed)));
      for (Op read : ops.values()) {
        if (!read.f.equals("read") || !read.outcome.equals("ok")) {
          continue;
        }
        long newest = 0;
        Op newestWrite = null;
        for (Op write : acked.getOrDefault(read.doc, List.of())) {
          if (write.completed >= read.invoked) {
            break;
          }
          if (write.version > newest) {
            newest = write.version;
            newestWrite = write;
          }
        }
        Window w = windowOf(read.invoked);
        if (newest > 0 && read.version < newest) {
          windowCount(w, "staleReads");
          List<String> list = violations.computeIfAbsent("stale read", k -> new ArrayList<>());
          failures++;
          list.add(
              String.format(
                  Locale.ROOT,
                  "%s [%s] through node %d saw %s v%d; %s was acknowledged at v%d %d ms before the read began",
                  read.id, w.name, read.node + 1, read.doc, read.version, newestWrite.id, newest,
                  read.invoked - newestWrite.completed));
        }
        if (read.version > 0) {
          Event at = histories.get(read.doc).get(read.version);
          if (at == null || (read.token != null && !read.token.equals(at.token()))) {
            violation(
                "read saw a version the journal does not have",
                read.id + " [" + w.name + "] saw " + read.doc + " v" + read.version + " = " + read.token
                    + "; journal: " + (at == null ? "nothing" : at.token()));
          }
        }
      }
    }

    /** After the run, the read model (lists) equals each document's state, once it has caught up. */
    /**
     * The change feed a client followed through the whole run, resuming with Last-Event-ID on
     * another node whenever its stream broke, and then caught up to the journal's end here: every
     * version of every document exactly once (no gap, no duplicate, as docs/read-side.md promises).
     */
    private void checkChangeFeed(int door, Path file) throws IOException {
      FeedFollower follower = new FeedFollower(doors, collection, file, true);
      long deadline = now() + 120_000;
      follower.follow(
          door,
          () ->
              now() > deadline
                  || histories.entrySet().stream()
                      .allMatch(
                          h ->
                              h.getValue().isEmpty()
                                  || follower.heads.getOrDefault(h.getKey(), 0L)
                                      >= h.getValue().lastKey()));
      Map<String, Map<Long, Integer>> seen = new TreeMap<>();
      int lines = 0;
      for (JsonNode entry : ndjson(file)) {
        lines++;
        seen.computeIfAbsent(entry.get("doc").asText(), k -> new TreeMap<>())
            .merge(entry.get("version").asLong(), 1, Integer::sum);
      }
      for (var h : histories.entrySet()) {
        Map<Long, Integer> versions = seen.getOrDefault(h.getKey(), Map.of());
        for (long version : h.getValue().keySet()) {
          int times = versions.getOrDefault(version, 0);
          if (times == 0) {
            violation("change feed missed a change", h.getKey() + " v" + version);
          } else if (times > 1) {
            violation("change feed repeated a change", h.getKey() + " v" + version + " ×" + times);
          }
        }
      }
      report.put("feedChanges", lines);
      report.put("feedReconnectsAtCheck", follower.reconnects);
    }

    private void checkReadModel(int door) {
      long deadline = now() + 120_000;
      HttpResponseCapture list = null;
      while (now() < deadline) {
        list = listDocuments(door);
        if (list != null && "0".equals(list.lag) && matches(list.body) == 0) {
          break;
        }
        sleep(1000);
      }
      int mismatches = list == null ? documents : matches(list.body);
      report.put("readModelLagAtCheck", list == null ? null : list.lag);
      if (mismatches > 0) {
        for (String m : mismatchDetails(list == null ? null : list.body)) {
          violation("read model differs from the journal", m);
        }
      }
      // Each document read through every door ends at its journal's last version.
      for (int node = 0; node < doors.size(); node++) {
        for (var entry : histories.entrySet()) {
          Answer a =
              doors.send(node, doors.request(node, "/v1/" + collection + "/" + entry.getKey()).GET().build());
          long expected = entry.getValue().isEmpty() ? 0 : entry.getValue().lastKey();
          long got = a.status() == 404 ? 0 : a.ok() ? a.version() : -1;
          if (got != expected) {
            violation(
                "final read differs from the journal",
                entry.getKey() + " through node " + (node + 1) + ": " + a.status() + " v" + got + ", journal v" + expected);
          }
        }
      }
    }

    /**
     * One writer per document, seen from sharding: no shard hosted by two regions at once. The
     * run samples every region's hosted shards every 2 s; the regions answer one after another,
     * so a shard moving between two answers could show in both once. A shard shown in two
     * regions in two samples in a row, by the same two regions, is a violation.
     */
    private void checkShards(Path file) throws IOException {
      if (!Files.exists(file)) {
        return;
      }
      Map<String, String> documentsOfShard = new HashMap<>();
      for (int d = 0; d < documents; d++) {
        String shard = String.valueOf(Math.abs((collection + "|d" + d).hashCode() % 1000));
        documentsOfShard.merge(shard, "d" + d, (a, b) -> a + "," + b);
      }
      Map<String, String> previous = Map.of();
      Map<String, long[]> episodes = new LinkedHashMap<>();
      int samples = 0;
      int transientDoubles = 0;
      for (JsonNode line : ndjson(file)) {
        samples++;
        long t = line.get("t").asLong();
        Map<String, List<String>> hosts = new TreeMap<>();
        for (JsonNode region : line.path("view").path("regions")) {
          String address = region.get("address").asText();
          region.get("shards").fieldNames().forEachRemaining(
              shard -> hosts.computeIfAbsent(shard, k -> new ArrayList<>()).add(address));
        }
        Map<String, String> doubled = new HashMap<>();
        hosts.forEach(
            (shard, regions) -> {
              if (regions.size() > 1) {
                regions.sort(String::compareTo);
                doubled.put(shard, String.join(" and ", regions));
              }
            });
        for (var entry : doubled.entrySet()) {
          String key = "shard " + entry.getKey()
              + (documentsOfShard.containsKey(entry.getKey()) ? " (" + collection + "/" + documentsOfShard.get(entry.getKey()) + ")" : "")
              + " on " + entry.getValue();
          if (entry.getValue().equals(previous.get(entry.getKey()))) {
            episodes.computeIfAbsent(key, k -> new long[] {t, t})[1] = t;
          } else {
            transientDoubles++;
            long[] e = episodes.get(key);
            if (e != null) {
              e[1] = t;
            }
          }
        }
        previous = doubled;
      }
      report.put("shardSamples", samples);
      report.put("shardDoubledOnce", transientDoubles);
      for (var e : episodes.entrySet()) {
        violation(
            "shard hosted by two nodes at once",
            String.format(
                Locale.ROOT,
                "%s, seen in samples from %s [%s] to %s [%s]",
                e.getKey(),
                java.time.Instant.ofEpochMilli(e.getValue()[0]),
                windowOf(e.getValue()[0]).name,
                java.time.Instant.ofEpochMilli(e.getValue()[1]),
                windowOf(e.getValue()[1]).name));
      }
    }

    record HttpResponseCapture(String lag, JsonNode body) {}

    private HttpResponseCapture listDocuments(int door) {
      try {
        HttpResponse<String> response =
            doors.clients[door].send(
                doors.request(door, "/v1/" + collection + "?limit=1000").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
          return null;
        }
        return new HttpResponseCapture(
            response.headers().firstValue("Cairn-Read-Model-Lag").orElse("?"),
            LINE.readTree(response.body()));
      } catch (IOException | InterruptedException e) {
        return null;
      }
    }

    private int matches(JsonNode list) {
      return mismatchDetails(list).size();
    }

    private List<String> mismatchDetails(JsonNode list) {
      List<String> out = new ArrayList<>();
      Map<String, JsonNode> listed = new HashMap<>();
      if (list != null) {
        list.get("items").forEach(item -> listed.put(item.get("id").asText(), item));
      }
      for (var entry : histories.entrySet()) {
        JsonNode item = listed.get(entry.getKey());
        if (entry.getValue().isEmpty()) {
          if (item != null) {
            out.add(entry.getKey() + " listed but has no events");
          }
          continue;
        }
        Event last = entry.getValue().lastEntry().getValue();
        long version = item == null ? 0 : item.get("version").asLong();
        String token = item == null ? null : item.path("data").path("token").asText(null);
        if (version != last.version() || !java.util.Objects.equals(token, last.token())) {
          out.add(entry.getKey() + ": listed v" + version + " " + token + ", journal v" + last.version() + " " + last.token());
        }
      }
      return out;
    }

    // --- results ---

    private final Map<Window, Map<String, Integer>> counts = new HashMap<>();

    private void windowCount(Window w, String key) {
      counts.computeIfAbsent(w, k -> new HashMap<>()).merge(key, 1, Integer::sum);
    }

    private void summarise() {
      int status500 = 0;
      Map<Window, Map<String, Integer>> statuses = new HashMap<>();
      for (Op op : ops.values()) {
        Window w = windowOf(op.invoked);
        windowCount(w, "ops");
        windowCount(w, op.outcome);
        windowCount(w, op.f + "s");
        for (int i = 0; i < op.statuses.size(); i++) {
          int s = op.statuses.get(i);
          if (s == 500) {
            status500++;
            List<String> list = violations.computeIfAbsent("status 500", k -> new ArrayList<>());
            list.add(op.id + " [" + w.name + "] attempt " + (i + 1));
            failures++;
          }
          if (s / 100 != 2 && !(s == 404 && op.f.equals("read"))) {
            String key = s < 0 ? op.errors.get(i) : String.valueOf(s);
            statuses.computeIfAbsent(w, k -> new TreeMap<>()).merge(key, 1, Integer::sum);
          }
        }
      }
      report.put("status500", status500);
      report.put("operations", ops.size());
      ArrayNode table = report.putArray("faults");
      for (Window w : windows) {
        Map<String, Integer> c = counts.getOrDefault(w, Map.of());
        ObjectNode row = table.addObject();
        row.put("fault", w.name);
        row.put("start", w.start);
        row.put("seconds", Math.round(((w.end == Long.MAX_VALUE ? lastTime() : w.end) - w.start) / 100.0) / 10.0);
        for (String k : List.of("ops", "writes", "reads", "ok", "fail", "unknown", "lost", "duplicated", "staleReads")) {
          row.put(k, c.getOrDefault(k, 0));
        }
        Long heal = w.marks.get("heal");
        Long recovered = w.marks.get("recovered");
        row.put("recoverSeconds", heal != null && recovered != null ? (recovered - heal) / 1000.0 : null);
        row.put("longestDocumentOutageSeconds", longestOutage(w) / 1000.0);
        ObjectNode marks = row.putObject("marks");
        w.marks.forEach((k, v) -> marks.put(k, (v - w.start) / 1000.0));
        ObjectNode details = row.putObject("details");
        w.details.forEach(details::put);
        ObjectNode s = row.putObject("errorStatuses");
        statuses.getOrDefault(w, Map.of()).forEach(s::put);
        if (w.details.containsKey("pausedNode") && w.marks.containsKey("resume")) {
          pausedNodeAnswers(w, row);
        }
      }
      ObjectNode v = report.putObject("violations");
      violations.forEach(
          (k, list) -> {
            ObjectNode entry = v.putObject(k);
            entry.put("count", list.size());
            ArrayNode examples = entry.putArray("examples");
            list.stream().limit(20).forEach(examples::add);
          });
      report.put("passed", failures == 0);
      report.set("timeline", timeline());
    }

    private long lastTime() {
      return ops.values().stream().mapToLong(op -> op.completed == Long.MAX_VALUE ? op.invoked : op.completed).max().orElse(0);
    }

    /** When each document's ok operations completed, in order (a fresh map each call). */
    private Map<String, List<Long>> okTimes() {
      Map<String, List<Long>> oks = new TreeMap<>();
      for (Op op : ops.values()) {
        if (op.outcome.equals("ok")) {
          oks.computeIfAbsent(op.doc, k -> new ArrayList<>()).add(op.completed);
        }
      }
      oks.values().forEach(times -> times.sort(Long::compare));
      return oks;
    }

    /**
     * The longest time any one document went without an ok operation, over gaps that overlap the
     * window: how long clients saw the documents a fault hit unavailable.
     */
    private long longestOutage(Window w) {
      long end = w.end == Long.MAX_VALUE ? lastTime() : w.end;
      long longest = 0;
      for (List<Long> times : okTimes().values()) {
        for (int i = 1; i < times.size(); i++) {
          long a = times.get(i - 1);
          long b = times.get(i);
          if (b > w.start && a < end) {
            longest = Math.max(longest, b - a);
          }
        }
      }
      return longest;
    }

    /**
     * No document unavailable for long while no fault is in force: of each gap between two ok
     * operations of a document, the time outside every fault's injection-to-recovered interval
     * must stay under {@code limit}. A document that stays unreachable after the cluster has
     * recovered (chaos finding 3: a shard stuck in hand-off for 60 s) fails the run.
     */
    private void checkAvailability(long limit) {
      List<long[]> faults = new ArrayList<>();
      for (Window w : windows) {
        Long recovered = w.marks.get("recovered");
        if (recovered != null) {
          faults.add(new long[] {w.start, recovered});
        }
      }
      long longest = 0;
      for (var entry : okTimes().entrySet()) {
        List<Long> times = entry.getValue();
        times.add(Math.max(times.get(times.size() - 1), lastTime())); // to the workload's end
        for (int i = 1; i < times.size(); i++) {
          long a = times.get(i - 1);
          long b = times.get(i);
          long quiet = b - a;
          for (long[] f : faults) {
            quiet -= Math.max(0, Math.min(b, f[1]) - Math.max(a, f[0]));
          }
          longest = Math.max(longest, quiet);
          if (quiet > limit) {
            violation(
                "document unavailable with no fault in force",
                String.format(
                    Locale.ROOT,
                    "%s: no ok operation from %s [%s] to %s [%s], %.1f s of it outside any fault",
                    entry.getKey(),
                    java.time.Instant.ofEpochMilli(a),
                    windowOf(a).name,
                    java.time.Instant.ofEpochMilli(b),
                    windowOf(b).name,
                    quiet / 1000.0));
          }
        }
      }
      report.put("longestQuietOutageSeconds", longest / 1000.0);
    }

    /** What a paused node answered after SIGCONT, before it stopped: ok reads and writes. */
    private void pausedNodeAnswers(Window w, ObjectNode row) {
      int node = Integer.parseInt(w.details.get("pausedNode")) - 1;
      long resumed = w.marks.get("resume");
      long exited = w.marks.getOrDefault("exited", w.end);
      int reads = 0;
      int writes = 0;
      int refusals = 0;
      for (Op op : ops.values()) {
        if (op.node != node || op.completed < resumed || op.completed > exited) {
          continue;
        }
        if (op.outcome.equals("ok")) {
          if (op.f.equals("read")) {
            reads++;
          } else {
            writes++;
          }
        } else {
          refusals++;
        }
      }
      ObjectNode answers = row.putObject("pausedNodeAfterResume");
      answers.put("okReads", reads).put("okWrites", writes).put("notOk", refusals);
      answers.put("secondsUntilExit", w.marks.containsKey("exited") ? (exited - resumed) / 1000.0 : null);
    }

    private ArrayNode timeline() {
      TreeMap<Long, int[]> seconds = new TreeMap<>();
      long first = windows.get(0).start;
      for (Op op : ops.values()) {
        long t = op.completed == Long.MAX_VALUE ? op.invoked : op.completed;
        int[] c = seconds.computeIfAbsent((t - first) / 1000, k -> new int[3]);
        c[op.outcome.equals("ok") ? 0 : op.outcome.equals("fail") ? 1 : 2]++;
      }
      ArrayNode out = LINE.createArrayNode();
      seconds.forEach((s, c) -> out.addArray().add(s).add(c[0]).add(c[1]).add(c[2]));
      return out;
    }

    private void write(Path out) throws IOException {
      Files.createDirectories(out.toAbsolutePath().getParent());
      Files.writeString(Path.of(out + ".json"), JSON.writeValueAsString(report));
      Files.writeString(Path.of(out + ".md"), markdown());
      System.out.print(markdown());
    }

    private String markdown() {
      StringBuilder md = new StringBuilder();
      md.append("| fault | s | ops | ok | failed | unknown | lost | duplicated | stale reads | recover s | longest doc outage s | error statuses seen |\n");
      md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
      for (JsonNode row : report.get("faults")) {
        StringBuilder statuses = new StringBuilder();
        row.get("errorStatuses").fields().forEachRemaining(f -> statuses.append(statuses.length() == 0 ? "" : ", ").append(f.getKey()).append(" ×").append(f.getValue().asInt()));
        md.append(
            String.format(
                Locale.ROOT,
                "| %s | %.0f | %d | %d | %d | %d | %d | %d | %d | %s | %.1f | %s |%n",
                row.get("fault").asText(),
                row.get("seconds").asDouble(),
                row.get("ops").asInt(),
                row.get("ok").asInt(),
                row.get("fail").asInt(),
                row.get("unknown").asInt(),
                row.get("lost").asInt(),
                row.get("duplicated").asInt(),
                row.get("staleReads").asInt(),
                row.get("recoverSeconds").isNull() ? "–" : String.format(Locale.ROOT, "%.1f", row.get("recoverSeconds").asDouble()),
                row.get("longestDocumentOutageSeconds").asDouble(),
                statuses.length() == 0 ? "none" : statuses));
      }
      md.append("\n");
      md.append(
          String.format(
              Locale.ROOT,
              "%d operations; %d events in the journal of `%s` (%d writer hand-overs); unknown writes: %d applied, %d not; responses with status 500: %d; read model lag at the check: %s ms; longest outage of a document outside the faults: %s s.%n",
              report.get("operations").asInt(),
              report.get("events").asLong(),
              collection,
              report.get("writerHandOvers").asInt(),
              report.get("unknownWritesApplied").asInt(),
              report.get("unknownWritesNotApplied").asInt(),
              report.get("status500").asInt(),
              report.get("readModelLagAtCheck").asText(),
              report.get("longestQuietOutageSeconds").asText()));
      if (report.has("membershipSamples")) {
        md.append(
            String.format(
                Locale.ROOT,
                "%nMembership: %d samples of every node's view; %d runs of a node were downed by the others (killed, frozen or cut off), and %d events were written by a node after the others had seen it down.%n",
                report.get("membershipSamples").asInt(),
                report.get("nodeRunsDowned").asInt(),
                report.get("writesAfterDowned").asInt()));
      }
      if (report.has("feedChanges")) {
        md.append(
            String.format(
                Locale.ROOT,
                "%nChange feed: %d changes received by one client that followed `/v1/%s/_changes` through the run (resuming with `Last-Event-ID` on the next node whenever its stream broke) and caught up at the check.%n",
                report.get("feedChanges").asInt(),
                collection));
      }
      for (JsonNode row : report.get("faults")) {
        if (row.has("pausedNodeAfterResume")) {
          JsonNode p = row.get("pausedNodeAfterResume");
          md.append(
              String.format(
                  Locale.ROOT,
                  "%nPaused node (%s) after SIGCONT: %d ok reads, %d ok writes, %d other answers; it exited %s s after SIGCONT.%n",
                  row.get("details").path("pausedNode").asText(),
                  p.get("okReads").asInt(),
                  p.get("okWrites").asInt(),
                  p.get("notOk").asInt(),
                  p.get("secondsUntilExit").isNull() ? "never (killed)" : p.get("secondsUntilExit").asText()));
        }
      }
      md.append(violations.isEmpty() ? "\nNo violations: every check passed.\n" : "\n**Violations**\n\n");
      violations.forEach(
          (k, list) -> {
            md.append("- ").append(k).append(": ").append(list.size()).append('\n');
            list.stream().limit(5).forEach(e -> md.append("  - `").append(e).append("`\n"));
          });
      return md.toString();
    }
  }
}

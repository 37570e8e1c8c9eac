package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.persistence.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three node processes on one PostgreSQL journal under concurrent load through all three front
 * doors, while one node is killed with {@code kill -9} and restarted and another is stopped with
 * SIGTERM. Clients retry failed writes with the same Idempotency-Key on another node, as a real
 * client would. The checker then reads every document's history and the journal table itself.
 */
class ClusterFaultIT {

  private static final int CLIENTS = 6;
  private static final int DOCUMENTS = 24;
  private static final int NUMBER_OF_SHARDS = 1000;
  private static final Duration LIVENESS_BOUND = Duration.ofSeconds(120);

  /** One write attempt's outcome, as the client saw it. */
  record Attempt(String op, int node, int status, String phase) {}

  /** A write some node acknowledged. */
  record Ack(int client, long order, String op, String document, long version) {}

  private final NodeProcess[] nodes = new NodeProcess[3];
  private final TestClient[] clients = new TestClient[3];
  private final int[] httpPorts = {FreePorts.next(), FreePorts.next(), FreePorts.next()};
  private final int[] clusterPorts = {FreePorts.next(), FreePorts.next(), FreePorts.next()};
  private final String database = TestPostgres.emptyDatabase();

  private final ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Attempt> attempts = new ConcurrentLinkedQueue<>();
  private final Set<String> unacknowledged = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final AtomicReference<String> phase = new AtomicReference<>("steady");
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicInteger ackOrder = new AtomicInteger();

  @AfterEach
  void stopNodes() throws Exception {
    stop.set(true);
    for (NodeProcess node : nodes) {
      if (node != null) {
        node.close();
      }
    }
  }

  @Test
  void acknowledgedWritesSurviveKill9AndSigtermExactlyOnceAndInOrder() throws Exception {
    for (int i = 0; i < 3; i++) {
      nodes[i] = startNode(i);
    }
    for (int i = 0; i < 3; i++) {
      clients[i] = new TestClient(nodes[i].awaitReady());
    }
    List<Thread> writers = startWriters();

    awaitAcks(300);
    Set<String> onNode2 = documentsOwnedBy(1);
    phase.set("kill-9");
    Instant killed = Instant.now();
    nodes[1].kill9();
    Duration failover = awaitAnswering(onNode2, clients[0]);

    phase.set("restart");
    nodes[1] = startNode(1);
    nodes[1].awaitReady();
    awaitAcks(ackOrder.get() + 300);

    phase.set("sigterm");
    int exit = nodes[2].terminate();
    awaitAcks(ackOrder.get() + 200);
    phase.set("after");
    stop.set(true);
    for (Thread writer : writers) {
      writer.join(LIVENESS_BOUND.toMillis());
    }

    assertThat(exit).as("exit code after SIGTERM").isEqualTo(143);
    assertThat(nodes[2].output())
        .contains("Running CoordinatedShutdown with reason [JvmExitReason]");
    Report report = check();
    System.out.printf(
        "ClusterFaultIT: %d acknowledged writes, %d attempts (%d retried), %d never acknowledged,"
            + " %d documents, %d events, %d writer hand-overs; %d of %d documents of the killed node"
            + " answered again %d ms after kill -9 (%s)%n",
        acks.size(),
        attempts.size(),
        attempts.size() - acks.size() - unacknowledged.size(),
        unacknowledged.size(),
        report.documents,
        report.events,
        report.writerChanges,
        onNode2.size(),
        onNode2.size(),
        failover.toMillis(),
        killed);
    List<Attempt> failedOnSurvivors =
        attempts.stream()
            .filter(a -> a.phase().equals("sigterm") && a.node() != 2 && a.status() / 100 != 2)
            .toList();
    assertThat(failedOnSurvivors)
        .as("requests to the other nodes while one leaves by SIGTERM")
        .isEmpty();
  }

  private NodeProcess startNode(int index) throws Exception {
    return NodeProcess.start(
        "cluster-node" + (index + 1),
        List.of(
            "--http-port=" + httpPorts[index],
            "--cluster-port=" + clusterPorts[index],
            "--seed-nodes=127.0.0.1:" + clusterPorts[0] + ",127.0.0.1:" + clusterPorts[1],
            "--db-url=" + database,
            "--db-user=postgres"));
  }

  // --- load ----------------------------------------------------------------------------------

  private List<Thread> startWriters() {
    List<Thread> writers = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      int client = c;
      Thread thread = new Thread(() -> write(client), "client-" + c);
      thread.start();
      writers.add(thread);
    }
    return writers;
  }

  /** Sequential writes to random documents, each retried on the next node until acknowledged. */
  private void write(int client) {
    int node = client % 3;
    for (int n = 0; !stop.get(); n++) {
      String op = "c" + client + "-" + n;
      String document = "/v1/fault/d" + ThreadLocalRandom.current().nextInt(DOCUMENTS);
      Instant giveUp = Instant.now().plus(Duration.ofSeconds(60));
      boolean acknowledged = false;
      while (!acknowledged && Instant.now().isBefore(giveUp)) {
        int status;
        HttpResponseView response = null;
        try {
          response = clients[node].put(document, "{\"op\":\"" + op + "\"}", "Idempotency-Key", op);
          status = response.status();
        } catch (AssertionError connectionFailed) {
          status = -1;
        }
        attempts.add(new Attempt(op, node, status, phase.get()));
        if (status / 100 == 2) {
          acks.add(new Ack(client, ackOrder.incrementAndGet(), op, document, response.version()));
          acknowledged = true;
        } else {
          node = (node + 1) % 3;
        }
      }
      if (!acknowledged) {
        unacknowledged.add(op);
      }
      node = (node + 1) % 3;
    }
  }

  private void awaitAcks(int count) {
    Instant deadline = Instant.now().plus(LIVENESS_BOUND);
    while (ackOrder.get() < count) {
      assertThat(Instant.now()).as("%d acknowledged writes in time", count).isBefore(deadline);
      Thread.onSpinWait();
    }
  }

  // --- failover ------------------------------------------------------------------------------

  /** The load's documents whose shards live on the given node now. */
  private Set<String> documentsOwnedBy(int index) {
    JsonNode regions = clients[0].get("/admin/cluster/shards").json().get("regions");
    String address = "pekko://cairn@127.0.0.1:" + clusterPorts[index];
    Set<String> owned = new HashSet<>();
    for (JsonNode region : regions) {
      if (region.get("address").asText().equals(address)) {
        for (int d = 0; d < DOCUMENTS; d++) {
          String entityId = "fault|d" + d;
          String shard = Integer.toString(Math.abs(entityId.hashCode() % NUMBER_OF_SHARDS));
          if (region.get("shards").has(shard)) {
            owned.add("/v1/fault/d" + d);
          }
        }
      }
    }
    assertThat(owned).as("documents on node %d", index + 1).isNotEmpty();
    return owned;
  }

  /** How long until every one of these documents answers a read again through {@code via}. */
  private static Duration awaitAnswering(Set<String> documents, TestClient via) {
    Instant start = Instant.now();
    Set<String> waiting = new HashSet<>(documents);
    while (!waiting.isEmpty()) {
      assertThat(Duration.between(start, Instant.now())).isLessThan(LIVENESS_BOUND);
      waiting.removeIf(document -> via.get(document).status() == 200);
    }
    return Duration.between(start, Instant.now());
  }

  // --- the checker ---------------------------------------------------------------------------

  private record Report(int documents, long events, int writerChanges) {}

  private Report check() throws Exception {
    Map<String, Map<Long, String>> histories = new HashMap<>();
    long events = 0;
    for (int d = 0; d < DOCUMENTS; d++) {
      String document = "/v1/fault/d" + d;
      Map<Long, String> history = history(document);
      if (!history.isEmpty()) {
        assertThat(history.keySet())
            .as("%s has gap-free versions", document)
            .containsExactlyInAnyOrderElementsOf(
                java.util.stream.LongStream.rangeClosed(1, history.size()).boxed().toList());
      }
      histories.put(document, history);
      events += history.size();
    }

    Map<String, Integer> occurrences = new HashMap<>();
    histories
        .values()
        .forEach(h -> h.values().forEach(op -> occurrences.merge(op, 1, Integer::sum)));
    occurrences.forEach(
        (op, count) -> assertThat(count).as("%s is in the journal at most once", op).isEqualTo(1));

    Map<String, Long> lastVersion = new HashMap<>();
    acks.stream()
        .sorted(java.util.Comparator.comparingLong(Ack::order))
        .forEach(
            ack -> {
              assertThat(histories.get(ack.document()).get(ack.version()))
                  .as("%s acknowledged at %s version %d", ack.op(), ack.document(), ack.version())
                  .isEqualTo(ack.op());
              String key = ack.client() + ack.document();
              Long previous = lastVersion.put(key, ack.version());
              if (previous != null) {
                assertThat(ack.version())
                    .as(
                        "client %d's writes to %s in acknowledged order",
                        ack.client(), ack.document())
                    .isGreaterThan(previous);
              }
            });
    return new Report(histories.size(), events, checkWriters());
  }

  private Map<Long, String> history(String document) {
    Map<Long, String> ops = new HashMap<>();
    long after = 0;
    while (true) {
      var response = clients[0].get(document + "/events?limit=1000&after=" + after);
      if (response.status() == 404) {
        return ops;
      }
      JsonNode page = response.json();
      page.get("items")
          .forEach(
              e ->
                  ops.put(
                      e.get("version").asLong(), e.get("change").get("data").get("op").asText()));
      if (page.get("next").isNull()) {
        return ops;
      }
      after = page.get("next").asLong();
    }
  }

  /**
   * One writer per entity: in each persistence id's events, ordered by sequence number, a writer
   * (one journal incarnation) never writes again once another has taken over.
   */
  private int checkWriters() throws Exception {
    int changes = 0;
    try (Connection connection = TestPostgres.connect(TestPostgres.inSchema(database, "cairn"));
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT persistence_id, sequence_number, writer FROM event_journal"
                    + " ORDER BY persistence_id, sequence_number")) {
      String id = null;
      String writer = null;
      Set<String> retired = new HashSet<>();
      while (rows.next()) {
        if (!rows.getString(1).equals(id)) {
          id = rows.getString(1);
          writer = null;
          retired.clear();
        }
        String current = rows.getString(3);
        if (!current.equals(writer)) {
          assertThat(retired)
              .as(
                  "%s seq %d: writer %s wrote again after another took over",
                  id, rows.getLong(2), current)
              .doesNotContain(current);
          if (writer != null) {
            retired.add(writer);
            changes++;
          }
          writer = current;
        }
      }
    }
    return changes;
  }
}

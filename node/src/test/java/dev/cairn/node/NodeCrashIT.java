package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing acknowledged is lost: nodes run as real processes over an H2 journal on disk, clients
 * write to them concurrently, the node is killed with {@code kill -9} (or stopped with SIGTERM)
 * while writes are in flight, and a restarted node must show every write that got a 2xx, at the
 * version it was acknowledged with.
 */
class NodeCrashIT {

  private static final int WRITERS = 8;
  private static final int DOCUMENTS_PER_WRITER = 5;
  private static final int ACKS_BEFORE_STOP = 400;

  /** A write the node acknowledged: this document reached this version with this content. */
  record Ack(String path, long version, int seq) {}

  @TempDir Path dataDir;

  @Test
  void everyAcknowledgedWriteSurvivesKill9() throws Exception {
    List<Ack> acks;
    String idempotentLocation;
    String idempotentBody;
    try (NodeProcess node = NodeProcess.start("kill9-first", dataDir)) {
      TestClient client = node.client();
      var first = client.post("/v1/orders", "{\"total\":7}", "Idempotency-Key", "order-7");
      assertThat(first.status()).isEqualTo(201);
      idempotentLocation = first.header("Location").orElseThrow();
      idempotentBody = first.body();

      acks = writeUntil(client, node::kill9);
    }

    try (NodeProcess node = NodeProcess.start("kill9-restarted", dataDir)) {
      TestClient client = node.client();
      assertEveryAckIsInTheJournal(client, acks);

      var retry = client.post("/v1/orders", "{\"total\":7}", "Idempotency-Key", "order-7");
      assertThat(retry.status()).isEqualTo(201);
      assertThat(retry.header("Location")).hasValue(idempotentLocation);
      assertThat(retry.body()).isEqualTo(idempotentBody);
      assertThat(client.get(idempotentLocation + "/events").json().get("items")).hasSize(1);
    }
  }

  @Test
  void sigtermStopsTheNodeCleanlyAndKeepsEveryAcknowledgedWrite() throws Exception {
    List<Ack> acks;
    try (NodeProcess node = NodeProcess.start("sigterm-first", dataDir)) {
      TestClient client = node.client();
      AtomicInteger exitCode = new AtomicInteger(-1);
      acks = writeUntil(client, () -> exitCode.set(node.terminate()));

      // The JVM exits on SIGTERM with 128 + 15 once its shutdown hook (coordinated shutdown) ends.
      assertThat(exitCode.get()).isEqualTo(143);
      assertThat(node.output()).contains("Running CoordinatedShutdown with reason [JvmExitReason]");
    }

    try (NodeProcess node = NodeProcess.start("sigterm-restarted", dataDir)) {
      assertEveryAckIsInTheJournal(node.client(), acks);
    }
  }

  /** An action on the node that ends its life, run while writers are busy. */
  interface Stop {
    void run() throws Exception;
  }

  /**
   * Writers put new content to their own documents as fast as the node answers, recording every
   * 2xx; once enough writes are acknowledged the node is stopped under them.
   */
  private static List<Ack> writeUntil(TestClient client, Stop stop) throws Exception {
    ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
    AtomicBoolean stopped = new AtomicBoolean();
    CountDownLatch enough = new CountDownLatch(ACKS_BEFORE_STOP);
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      int writer = w;
      Thread thread =
          new Thread(
              () -> {
                for (int seq = 0; !stopped.get(); seq++) {
                  String path = "/v1/crash/w" + writer + "-d" + (seq % DOCUMENTS_PER_WRITER);
                  try {
                    var response =
                        client.put(path, "{\"writer\":" + writer + ",\"seq\":" + seq + "}");
                    if (response.status() / 100 == 2) {
                      acks.add(new Ack(path, response.version(), seq));
                      enough.countDown();
                    }
                  } catch (AssertionError connectionFailed) {
                    return; // the node is gone; what it acknowledged is recorded
                  }
                }
              },
              "writer-" + w);
      thread.start();
      writers.add(thread);
    }
    assertThat(enough.await(120, TimeUnit.SECONDS)).as("writes acknowledged in time").isTrue();
    stop.run();
    stopped.set(true);
    for (Thread writer : writers) {
      writer.join(TimeUnit.SECONDS.toMillis(60));
    }
    return new ArrayList<>(acks);
  }

  private static void assertEveryAckIsInTheJournal(TestClient client, List<Ack> acks) {
    assertThat(acks).hasSizeGreaterThanOrEqualTo(ACKS_BEFORE_STOP);
    Map<String, List<Ack>> byDocument = new HashMap<>();
    acks.forEach(ack -> byDocument.computeIfAbsent(ack.path(), p -> new ArrayList<>()).add(ack));
    for (var document : byDocument.entrySet()) {
      Map<Long, Integer> journal = seqByVersion(client, document.getKey());
      for (Ack ack : document.getValue()) {
        assertThat(journal.get(ack.version()))
            .as("%s version %d was acknowledged with seq %d", ack.path(), ack.version(), ack.seq())
            .isEqualTo(ack.seq());
      }
      long newestAck = document.getValue().stream().mapToLong(Ack::version).max().orElseThrow();
      assertThat(client.get(document.getKey()).version()).isGreaterThanOrEqualTo(newestAck);
    }
  }

  private static Map<Long, Integer> seqByVersion(TestClient client, String path) {
    Map<Long, Integer> seqs = new HashMap<>();
    long after = 0;
    while (true) {
      JsonNode page = client.get(path + "/events?limit=1000&after=" + after).json();
      for (JsonNode event : page.get("items")) {
        seqs.put(event.get("version").asLong(), event.get("change").get("data").get("seq").asInt());
      }
      if (page.get("next").isNull()) {
        return seqs;
      }
      after = page.get("next").asLong();
    }
  }
}

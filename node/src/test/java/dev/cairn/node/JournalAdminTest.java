package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal for administrators, end to end: a node on H2 is browsed and exported, the export is
 * imported into a three-node cluster on PostgreSQL through one node, into entities on all three,
 * and every history there is the same; importing again changes nothing; a document whose history
 * differs is reported and left alone; a rebuild from events gives the same state; all of it is in
 * the audit trail. The tests run in order: each later one adds to the journal the earlier ones
 * count.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JournalAdminTest {

  @TempDir static Path dir;
  static TestNode source;
  static List<TestNode> cluster;

  @BeforeAll
  static void start() throws Exception {
    // Its imports are answered 202 once read, to be followed at their operation.
    source = TestNode.start(dir.resolve("h2"), Map.of("cairn.admin.import-wait", "0s"));
    cluster = TestNode.cluster(dir.resolve("pg"), 3, Map.of());
    source.put(
        "/v1/_collections/diary",
        "{\"owner\":\"/owner\",\"rules\":{\"read\":[\"owner\"]},"
            + "\"schema\":{\"type\":\"object\",\"required\":[\"owner\"]}}");
    source.put("/v1/notes/a", "{\"title\":\"one\",\"n\":1.50}");
    source.mergePatch("/v1/notes/a", "{\"title\":\"two\"}");
    source.jsonPatch("/v1/notes/a", "[{\"op\":\"add\",\"path\":\"/tags\",\"value\":[\"x\"]}]");
    source.delete("/v1/notes/a");
    source.put("/v1/notes/a", "{\"title\":\"again\"}", "Idempotency-Key", "k-1");
    source.put("/v1/notes/b", "{\"v\":1}");
    source.put("/v1/notes/b", "{\"v\":2}");
    source.post("/v1/notes/b/revert", "{\"version\":1}");
    source.put("/v1/diary/d1", "{\"owner\":\"alice\",\"text\":\"dear diary\"}");
    // Enough documents that every node of the cluster owns some of them (one owning none of the
    // 43 imported: 3 x (2/3)^43, below one in ten million).
    for (int i = 0; i < SPREAD; i++) {
      source.put("/v1/spread/s" + i, "{\"i\":" + i + "}");
    }
  }

  private static final int SPREAD = 40;

  @AfterAll
  static void stop() throws Exception {
    source.close();
    for (int i = cluster.size() - 1; i >= 0; i--) {
      cluster.get(i).close();
    }
  }

  @Test
  @Order(1)
  void theJournalPagesInItsGlobalOrderAndListsDocumentsFromTheJournal() {
    List<JsonNode> all = new ArrayList<>();
    String path = "/admin/journal?limit=4";
    while (path != null) {
      JsonNode page = source.get(path).json();
      page.get("items").forEach(all::add);
      path = page.get("next").isNull() ? null : "/admin/journal?limit=4&after=" + page.get("next");
    }

    assertThat(all).hasSize(10 + SPREAD);
    for (int i = 1; i < all.size(); i++) {
      assertThat(all.get(i).get("offset").asLong())
          .isGreaterThan(all.get(i - 1).get("offset").asLong());
    }
    assertThat(all.get(0).get("collection").asText()).isEqualTo("_collections");
    assertThat(all.get(0).get("type").asText()).isEqualTo("defined");
    assertThat(all.stream().map(e -> e.get("type").asText()))
        .contains("created", "patched", "deleted", "replaced", "reverted");
    JsonNode patched = all.get(2);
    assertThat(patched.get("id").asText()).isEqualTo("a");
    assertThat(patched.get("version").asLong()).isEqualTo(2);
    assertThat(patched.get("principal").asText()).isEqualTo("anonymous");
    assertThat(patched.get("writer").asText()).isNotEmpty();
    assertThat(patched.get("node").asText())
        .as("the node whose entity wrote it")
        .startsWith("pekko://")
        .contains("@");
    assertThat(patched.get("event").get("meta").get("node").asText())
        .isEqualTo(patched.get("node").asText());
    assertThat(all.get(0).has("node")).as("a definition names no node").isFalse();
    assertThat(patched.get("event").get("patch").get("title").asText()).isEqualTo("two");

    assertThat(source.get("/admin/journal?collection=diary").json().get("items"))
        .as("a collection's events come with its definition's")
        .hasSize(2);
    JsonNode notes = source.get("/admin/documents?collection=notes").json().get("items");
    assertThat(notes).hasSize(2);
    assertThat(notes.get(0).get("id").asText()).isEqualTo("a");
    assertThat(notes.get(0).get("version").asLong()).isEqualTo(5);
    assertThat(notes.get(0).get("deleted").asBoolean()).isFalse();
    JsonNode firstPage = source.get("/admin/documents?limit=1").json();
    assertThat(firstPage.get("next").asText()).isEqualTo("diary/d1");
    assertThat(source.get("/admin/documents?after=diary/d1&limit=2").json().get("items"))
        .extracting(item -> item.get("id").asText())
        .containsExactly("a", "b");
  }

  /**
   * The shard regions as the coordinator reports them, asked again until {@code expected} regions
   * are listed (at most 30 s): a region busy with the import may miss the coordinator's 5 s
   * statistics timeout and be left out of one answer.
   */
  private static JsonNode regionsOnceAllAnswer(TestNode node, int expected) throws Exception {
    java.time.Instant deadline = java.time.Instant.now().plusSeconds(30);
    JsonNode regions = node.get("/admin/cluster/shards").json().get("regions");
    while (regions.size() < expected && java.time.Instant.now().isBefore(deadline)) {
      Thread.sleep(250);
      regions = node.get("/admin/cluster/shards").json().get("regions");
    }
    return regions;
  }

  @Test
  @Order(2)
  void anExportImportedIntoAClusterOnPostgresqlGivesTheSameHistoriesAndTwiceChangesNothing()
      throws Exception {
    HttpResponse<byte[]> export = raw(source, "/admin/export", "Accept-Encoding", "gzip");
    assertThat(export.statusCode()).isEqualTo(200);
    assertThat(export.headers().firstValue("Content-Encoding")).contains("gzip");
    assertThat(export.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/x-ndjson");
    String ndjson = gunzip(export.body());
    assertThat(ndjson.lines()).hasSize(10 + SPREAD);
    TestNode target = cluster.get(1);

    JsonNode first = importNdjson(target, ndjson);
    for (int i = 0; i < SPREAD; i++) {
      assertThat(target.get("/v1/spread/s" + i).json().get("data").get("i").asInt())
          .as("spread/s%d read through the importing node", i)
          .isEqualTo(i);
    }
    JsonNode shards = regionsOnceAllAnswer(target, 3);
    JsonNode second = importGzip(cluster.get(0), ndjson);

    assertThat(first.get("imported").asLong()).isEqualTo(10 + SPREAD);
    assertThat(first.get("conflicting").asLong()).isZero();
    assertThat(shards).hasSize(3);
    assertThat(shards)
        .as("imported documents served by entities on all three nodes")
        .allMatch(region -> region.get("entityCount").asInt() > 0);
    assertThat(second.get("imported").asLong()).isZero();
    assertThat(second.get("skipped").asLong()).isEqualTo(10 + SPREAD);
    for (String doc : List.of("notes/a", "notes/b", "diary/d1", "_collections/diary")) {
      for (TestNode node : cluster) {
        assertThat(node.get("/v1/" + doc + "/events").json())
            .as("the history of %s", doc)
            .isEqualTo(source.get("/v1/" + doc + "/events").json());
      }
    }
    assertThat(target.get("/v1/notes/a").json()).isEqualTo(source.get("/v1/notes/a").json());
    assertThat(
            target.put("/v1/notes/a", "{\"title\":\"again\"}", "Idempotency-Key", "k-1").status())
        .as("an imported idempotency key is remembered: the retry gets the first answer")
        .isEqualTo(201);
    assertThat(target.get("/v1/notes/a").json().get("version").asLong()).isEqualTo(5);
    assertThat(target.put("/v1/diary/d2", "{\"text\":\"no owner\"}").status())
        .as("the imported schema is in force")
        .isEqualTo(422);
  }

  @Test
  @Order(3)
  void aDocumentWhoseHistoryDiffersIsReportedAndLeftAlone() throws Exception {
    source.put("/v1/clash/c", "{\"from\":\"source\"}");
    source.put("/v1/clash/e", "{\"from\":\"source\"}");
    TestNode target = cluster.get(0);
    target.put("/v1/clash/c", "{\"from\":\"target\"}");
    String ndjson = source.get("/admin/export?collection=clash").body();

    JsonNode report = importNdjson(cluster.get(1), ndjson);

    assertThat(report.get("imported").asLong()).isEqualTo(1);
    assertThat(report.get("conflicting").asLong()).isEqualTo(1);
    assertThat(report.get("conflicts").get(0).get("id").asText()).isEqualTo("c");
    assertThat(report.get("conflicts").get(0).get("version").asLong()).isEqualTo(1);
    assertThat(target.get("/v1/clash/c").json().get("data").get("from").asText())
        .isEqualTo("target");
    assertThat(target.get("/v1/clash/e").json().get("data").get("from").asText())
        .isEqualTo("source");
  }

  @Test
  @Order(3)
  void aDocumentReadAsAbsentBeforeItsImportIsServedAfterItAndOneThatDoesNotApplyIsNotWritten() {
    source.put("/v1/fresh/f", "{\"n\":1}");
    source.mergePatch("/v1/fresh/f", "{\"n\":2}");
    source.put("/v1/fresh/g", "{\"n\":1}");
    source.mergePatch("/v1/fresh/g", "{\"n\":2}");
    List<String> lines = source.get("/admin/export?collection=fresh").body().lines().toList();
    String f = String.join("\n", lines.stream().filter(l -> l.contains("\"id\":\"f\"")).toList());
    // g's patch alone, as its version 1: it patches a document that does not exist.
    String g =
        lines.stream()
            .filter(l -> l.contains("\"id\":\"g\"") && l.contains("\"type\":\"patched\""))
            .findFirst()
            .orElseThrow()
            .replace("\"version\":2", "\"version\":1");
    TestNode reader = cluster.get(2);
    assertThat(reader.get("/v1/fresh/f").status()).isEqualTo(404);
    assertThat(reader.get("/v1/fresh/g").status()).isEqualTo(404);

    JsonNode report = importNdjson(cluster.get(0), f + "\n" + g + "\n");

    assertThat(report.get("imported").asLong()).isEqualTo(2);
    assertThat(report.get("conflicting").asLong()).isEqualTo(1);
    assertThat(report.get("conflicts").get(0).get("id").asText()).isEqualTo("g");
    assertThat(report.get("conflicts").get(0).get("reason").asText())
        .contains("patches a document that does not exist");
    var afterwards = reader.get("/v1/fresh/f");
    assertThat(afterwards.status())
        .as("the node that read f as absent before the import serves it after")
        .isEqualTo(200);
    assertThat(afterwards.json().get("data").get("n").asInt()).isEqualTo(2);
    assertThat(reader.get("/v1/fresh/g").status()).isEqualTo(404);
    assertThat(reader.get("/admin/journal?collection=fresh").json().get("items"))
        .as("f's two events and nothing of g are in the journal")
        .hasSize(2)
        .allMatch(event -> event.get("id").asText().equals("f"));
  }

  @Test
  @Order(4)
  void aLineThatIsNotAJournalEntryStopsTheImportWithItsNumber() {
    var refused =
        cluster
            .get(0)
            .send(
                cluster
                    .get(0)
                    .request("/admin/import", "Content-Type", "application/x-ndjson")
                    .POST(HttpRequest.BodyPublishers.ofString("\n{\"collection\":\"x\"}\n"))
                    .build());
    var unknownEvent =
        cluster
            .get(0)
            .send(
                cluster
                    .get(0)
                    .request("/admin/import", "Content-Type", "application/x-ndjson")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"collection\":\"x\",\"id\":\"y\",\"version\":1,"
                                + "\"type\":\"exploded\",\"event\":{}}\n"))
                    .build());
    var wrongType = cluster.get(0).post("/admin/import", "{}");
    var notGzip =
        cluster
            .get(0)
            .send(
                cluster
                    .get(0)
                    .request(
                        "/admin/import",
                        "Content-Type",
                        "application/x-ndjson",
                        "Content-Encoding",
                        "gzip")
                    .POST(HttpRequest.BodyPublishers.ofString("this is not gzip at all"))
                    .build());
    var tooLong =
        source.send(
            source
                .request("/admin/import", "Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(3 * 1024 * 1024)))
                .build());

    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.problem()).isEqualTo("malformed-json");
    assertThat(refused.json().get("detail").asText()).startsWith("line 2 of the import");
    assertThat(unknownEvent.status()).isEqualTo(400);
    assertThat(unknownEvent.json().get("detail").asText())
        .startsWith("line 1 of the import cannot be imported: unknown event type 'exploded'");
    assertThat(wrongType.status()).isEqualTo(415);
    assertThat(notGzip.status()).as(notGzip.body()).isEqualTo(400);
    assertThat(notGzip.problem()).isEqualTo("malformed-request");
    assertThat(tooLong.status()).as(tooLong.body()).isEqualTo(422);
    assertThat(tooLong.problem()).isEqualTo("limit-exceeded");
  }

  @Test
  @Order(4)
  void anImportStillWritingWhenAnsweredIsFollowedAtItsOperationWithItsReportAsTheResult()
      throws Exception {
    String ndjson = source.get("/admin/export").body();
    long lines = ndjson.lines().filter(line -> !line.isBlank()).count();

    var accepted = postImport(source, ndjson);
    String location = accepted.header("Location").orElseThrow();
    JsonNode imported = ended(location);
    var failing =
        postImport(
            source,
            "{\"collection\":\"x\",\"id\":\"y\",\"version\":1,"
                + "\"type\":\"exploded\",\"event\":{}}\n");
    JsonNode failed = ended(failing.header("Location").orElseThrow());
    JsonNode audit = source.get("/admin/audit?limit=2").json().get("items");

    assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
    assertThat(accepted.json().get("kind").asText()).isEqualTo("import");
    assertThat(accepted.json().get("total").asLong()).isEqualTo(lines);
    assertThat(location).isEqualTo("/admin/operations/" + accepted.json().get("id").asText());
    assertThat(imported.get("state").asText()).as(imported.toString()).isEqualTo("done");
    assertThat(imported.get("done").asLong()).isEqualTo(lines);
    assertThat(imported.get("result").get("imported").asLong()).isZero();
    assertThat(imported.get("result").get("skipped").asLong())
        .as("the node's own events, already here")
        .isEqualTo(lines);
    assertThat(failing.status()).as(failing.body()).isEqualTo(202);
    assertThat(failed.get("state").asText()).as(failed.toString()).isEqualTo("failed");
    assertThat(failed.get("message").asText())
        .startsWith("line 1 of the import cannot be imported: unknown event type 'exploded'");
    assertThat(failed.get("result").get("imported").asLong()).isZero();
    assertThat(audit.get(0).get("operation").asText()).isEqualTo("import");
    assertThat(audit.get(0).get("status").asInt()).isEqualTo(202);
    assertThat(audit.get(0).get("outcome").get("operation").asText())
        .isEqualTo(failing.json().get("id").asText());
    assertThat(audit.get(1).get("outcome").get("operation").asText())
        .isEqualTo(accepted.json().get("id").asText());
  }

  /** The operation at {@code location} once it has ended, as the source reports it. */
  private static JsonNode ended(String location) throws Exception {
    Await.until(
        location + " has ended",
        () -> {
          String state = source.get(location).json().get("state").asText();
          return !state.equals("running") && !state.equals("cancelling");
        });
    return source.get(location).json();
  }

  @Test
  @Order(5)
  void aRebuiltDocumentEqualsItselfAndTheAuditTrailRecordsWhoDidWhat() {
    source.put("/v1/rebuilt/r", "{\"n\":0}");
    for (int i = 1; i <= 120; i++) {
      source.mergePatch("/v1/rebuilt/r", "{\"n\":" + i + "}");
    }

    var rebuilt = source.post("/admin/documents/rebuilt/r/rebuild", "");

    assertThat(rebuilt.status()).as(rebuilt.body()).isEqualTo(200);
    JsonNode report = rebuilt.json();
    assertThat(report.get("identical").asBoolean()).isTrue();
    assertThat(report.get("snapshotsDropped").asInt())
        .as("a snapshot every 100 events")
        .isPositive();
    assertThat(report.get("eventsReplayed").asLong()).isEqualTo(121);
    assertThat(report.get("after").get("data").get("n").asInt()).isEqualTo(120);
    assertThat(
            source
                .post("/admin/documents/rebuilt/none/rebuild", "")
                .json()
                .get("after")
                .get("version")
                .asLong())
        .isZero();
    JsonNode audit = source.get("/admin/audit?limit=2").json().get("items");
    assertThat(audit.get(0).get("operation").asText()).isEqualTo("rebuild");
    assertThat(audit.get(0).get("parameters").get("id").asText()).isEqualTo("none");
    assertThat(audit.get(1).get("parameters").get("id").asText()).isEqualTo("r");
    assertThat(audit.get(1).get("outcome").get("identical").asBoolean()).isTrue();
    assertThat(audit.get(1).get("principal").asText()).isEqualTo("anonymous");
    assertThat(audit.get(1).get("status").asInt()).isEqualTo(200);
    assertThat(audit.get(1).get("requestId").asText())
        .isEqualTo(rebuilt.header("X-Request-Id").orElseThrow());
  }

  @Test
  @Order(6)
  void theProjectionsArePausedRebuiltAndCheckedThroughEitherNodeOnPostgresql() throws Exception {
    TestNode a = cluster.get(0);
    TestNode b = cluster.get(1);

    assertThat(a.post("/admin/projections/documents/pause", "").status()).isEqualTo(200);
    JsonNode whilePaused = b.get("/admin/projections").json();
    assertThat(b.post("/admin/projections/documents/resume", "").status()).isEqualTo(200);
    var started = b.post("/admin/projections/documents/rebuild", "{\"collection\":\"spread\"}");
    String location = started.header("Location").orElseThrow();
    Await.until(
        "the rebuild is done, as the other node reports it",
        () -> a.get(location).json().get("state").asText().equals("done"));
    var full = a.post("/admin/projections/documents/rebuild", "");
    String fullLocation = full.header("Location").orElseThrow();
    Await.until(
        "the blue/green rebuild is done",
        () -> b.get(fullLocation).json().get("state").asText().equals("done"));
    var checked = a.post("/admin/replay/check?collection=notes", "");

    whilePaused
        .get(0)
        .get("slices")
        .forEach(
            slice ->
                assertThat(slice.get("state").asText()).as(slice.toString()).isEqualTo("paused"));
    b.get("/admin/projections")
        .json()
        .get(0)
        .get("slices")
        .forEach(slice -> assertThat(slice.get("state").asText()).isNotEqualTo("paused"));
    assertThat(started.status()).isEqualTo(202);
    assertThat(a.get(location).json().get("done").asLong()).isEqualTo(SPREAD);
    assertThat(b.get(fullLocation).json().get("message").asText())
        .isEqualTo("switched to the green tables");
    assertThat(checked.json().get("documents").asLong()).isEqualTo(2);
    assertThat(checked.json().get("findings")).isEmpty();
    Await.until(
        "the read model has every spread document",
        () -> a.get("/v1/spread?limit=100").json().get("items").size() == SPREAD);
  }

  private static HttpResponseView postImport(TestClient node, String ndjson) {
    return node.send(
        node.request("/admin/import", "Content-Type", "application/x-ndjson")
            .POST(HttpRequest.BodyPublishers.ofString(ndjson))
            .build());
  }

  private static JsonNode importNdjson(TestClient node, String ndjson) {
    var imported = postImport(node, ndjson);
    assertThat(imported.status()).as(imported.body()).isEqualTo(200);
    return imported.json();
  }

  private static JsonNode importGzip(TestClient node, String ndjson) throws Exception {
    ByteArrayOutputStream zipped = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(zipped)) {
      gzip.write(ndjson.getBytes(StandardCharsets.UTF_8));
    }
    var imported =
        node.send(
            node.request(
                    "/admin/import",
                    "Content-Type",
                    "application/x-ndjson",
                    "Content-Encoding",
                    "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(zipped.toByteArray()))
                .build());
    assertThat(imported.status()).as(imported.body()).isEqualTo(200);
    return imported.json();
  }

  private static HttpResponse<byte[]> raw(TestClient node, String path, String... headers)
      throws Exception {
    return java.net.http.HttpClient.newHttpClient()
        .send(node.request(path, headers).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String gunzip(byte[] bytes) throws Exception {
    try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(bytes))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}

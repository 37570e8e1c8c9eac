package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.persistence.Database;
import dev.cairn.persistence.DocumentTags;
import dev.cairn.protocol.Json;
import dev.cairn.protocol.PatchFormat;
import dev.cairn.protocol.event.DocumentEvent;
import dev.cairn.protocol.event.EventMetadata;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read model's projections for administrators: paused cluster-wide and still paused after a
 * restart, resumed; an event the projection cannot fold parked as a dead letter while its slice
 * goes on, refused while it still fails and re-driven once fixed; and the replay check of a schema
 * change.
 */
class ProjectionAdminTest {

  private static final Map<String, Object> FAST_RESTARTS =
      Map.of(
          "pekko.projection.restart-backoff.min-backoff", "100ms",
          "pekko.projection.restart-backoff.max-backoff", "300ms");

  @TempDir Path dataDir;

  @Test
  void aPauseHoldsTheReadModelAcrossARestartUntilResumed() throws Exception {
    try (TestNode node = TestNode.start(dataDir, FAST_RESTARTS)) {
      assertThat(states(node, "documents")).containsOnly("running");
      var paused = node.post("/admin/projections/documents/pause", "");
      assertThat(paused.status()).as(paused.body()).isEqualTo(200);
      assertThat(states(node, "documents")).containsOnly("paused");
      assertThat(node.put("/v1/held/h1", "{\"n\":1}").status()).isEqualTo(201);
    }
    try (TestNode node = TestNode.start(dataDir, FAST_RESTARTS)) {
      assertThat(states(node, "documents")).as("after a restart").containsOnly("paused");
      JsonNode slices = projection(node, "documents").get("slices");
      long waiting = 0;
      for (JsonNode slice : slices) {
        waiting += slice.get("lagEvents").asLong();
      }
      assertThat(waiting).isEqualTo(1);
      for (JsonNode slice : slices) {
        assertThat(slice.has("eventsPerSecond")).as(slice.toString()).isTrue();
        assertThat(slice.get("eventsPerSecond").asDouble())
            .as("a paused slice applies nothing")
            .isZero();
      }
      assertThat(node.get("/v1/held").json().get("items")).isEmpty();

      assertThat(node.post("/admin/projections/documents/resume", "").status()).isEqualTo(200);

      Await.until(
          "the held write reaches the read model",
          () -> node.get("/v1/held").json().get("items").size() == 1);
      // Measured from the listing while paused: its slice has applied one event since.
      double rate = 0;
      for (JsonNode slice : projection(node, "documents").get("slices")) {
        rate += slice.get("eventsPerSecond").asDouble();
      }
      assertThat(rate).as("the slice that applied the held write shows it").isPositive();
      assertThat(states(node, "documents")).containsOnly("running");
      JsonNode audit = node.get("/admin/audit?limit=2").json().get("items");
      assertThat(audit.get(0).get("operation").asText()).isEqualTo("resume");
      assertThat(audit.get(1).get("operation").asText()).isEqualTo("pause");
      assertThat(node.post("/admin/projections/nope/pause", "").status()).isEqualTo(404);
    }
  }

  @Test
  void anEventThatDoesNotFoldIsParkedItsSliceGoesOnAndItIsReDrivenOnceFixed() throws Exception {
    try (TestNode node = TestNode.start(dataDir, FAST_RESTARTS)) {
      String poisoned = "bad|p1";
      int slice = Math.floorMod(poisoned.hashCode(), DocumentTags.SLICES);
      String neighbour = neighbourOf(slice);
      long offset =
          insert(
              node,
              poisoned,
              new DocumentEvent.Patched(
                  PatchFormat.JSON_PATCH,
                  Json.mapper().readTree("[{\"op\":\"remove\",\"path\":\"/missing\"}]"),
                  meta()),
              DocumentTags.sliceTag(slice));
      assertThat(node.put("/v1/bad/" + neighbour, "{\"after\":true}").status()).isEqualTo(201);

      Await.until(
          "the event is parked",
          () ->
              node.get("/admin/projections/documents/dead-letters").json().get("items").size()
                  == 1);
      Await.until("its slice goes on", () -> node.get("/v1/bad").json().get("items").size() == 1);
      JsonNode letter =
          node.get("/admin/projections/documents/dead-letters").json().get("items").get(0);
      assertThat(letter.get("offset").asLong()).isEqualTo(offset);
      assertThat(letter.get("id").asText()).isEqualTo("p1");
      assertThat(letter.get("error").asText()).contains("does not apply");
      assertThat(projection(node, "documents").get("deadLetters").asInt()).isEqualTo(1);
      Await.until(
          "the parking is in the audit trail",
          () ->
              node.get("/admin/audit?limit=5")
                  .json()
                  .get("items")
                  .findValuesAsText("operation")
                  .contains("park"));
      JsonNode parking = null;
      for (JsonNode entry : node.get("/admin/audit?limit=5").json().get("items")) {
        if (entry.get("operation").asText().equals("park")) {
          parking = entry;
        }
      }
      assertThat(parking.get("principal").asText()).isEqualTo("cairn:read-model");
      assertThat(parking.get("parameters").get("offset").asLong()).isEqualTo(offset);
      assertThat(parking.get("outcome").get("error").asText()).contains("does not apply");

      var stillBroken =
          node.post("/admin/projections/documents/dead-letters/" + offset + "/retry", "");
      assertThat(stillBroken.status()).isEqualTo(409);
      assertThat(stillBroken.problem()).isEqualTo("still-failing");

      replace(
          node,
          offset,
          new DocumentEvent.Created(
              (com.fasterxml.jackson.databind.node.ObjectNode)
                  Json.mapper().readTree("{\"fixed\":true}"),
              meta()));
      var retried = node.post("/admin/projections/documents/dead-letters/" + offset + "/retry", "");

      assertThat(retried.status()).as(retried.body()).isEqualTo(200);
      assertThat(node.get("/admin/projections/documents/dead-letters").json().get("items"))
          .isEmpty();
      assertThat(node.get("/v1/bad").json().get("items")).hasSize(2);
      assertThat(
              node.get("/admin/audit?limit=1").json().get("items").get(0).get("operation").asText())
          .isEqualTo("retry");
    }
  }

  /**
   * An event that commits long after later events (its writer froze mid-transaction) has an offset
   * the projection has already gone past. The document's next event then folds it from the journal,
   * so the read model does not stop following the document (found by chaos/run).
   */
  @Test
  void anEventThatWasPassedOverIsFoldedWhenItsDocumentsNextEventArrives() throws Exception {
    try (TestNode node = TestNode.start(dataDir)) {
      assertThat(node.put("/v1/late/d", "{\"a\":1}").status()).isEqualTo(201);
      Await.until(
          "version 1 is in the read model",
          () -> node.get("/v1/late").json().get("items").size() == 1);
      String persistenceId = "late|d";
      String slice =
          DocumentTags.sliceTag(Math.floorMod(persistenceId.hashCode(), DocumentTags.SLICES));
      // Version 2, committed below every offset the projection will ever read.
      insertAt(
          node,
          persistenceId,
          2,
          -1,
          new DocumentEvent.Replaced(
              (com.fasterxml.jackson.databind.node.ObjectNode)
                  Json.mapper().readTree("{\"a\":1,\"b\":2}"),
              meta()),
          slice);
      // The entity recovers version 2 from the journal.
      assertThat(node.post("/admin/documents/late/d/rebuild", "").status()).isEqualTo(200);

      assertThat(node.mergePatch("/v1/late/d", "{\"c\":3}").status()).isEqualTo(200);

      Await.until(
          "the read model follows the document past the passed-over event",
          () -> node.get("/v1/late").json().get("items").get(0).get("version").asLong() == 3);
      assertThat(node.get("/v1/late").json().get("items").get(0).get("data").toString())
          .isEqualTo("{\"a\":1,\"b\":2,\"c\":3}");
    }
  }

  @Test
  void theReplayCheckFindsDocumentsTheNewSchemaRefusesAndWritesNothing() throws Exception {
    try (TestNode node = TestNode.start(dataDir)) {
      node.put("/v1/checked/ok", "{\"title\":\"has one\"}");
      node.put("/v1/checked/old", "{\"name\":\"from before\"}");
      node.mergePatch("/v1/checked/old", "{\"n\":2}");
      node.put(
          "/v1/_collections/checked",
          "{\"schema\":{\"type\":\"object\",\"required\":[\"title\"]}}");

      var checked = node.post("/admin/replay/check?collection=checked", "");

      assertThat(checked.status()).as(checked.body()).isEqualTo(200);
      JsonNode report = checked.json();
      assertThat(report.get("documents").asLong()).isEqualTo(2);
      assertThat(report.get("events").asLong()).isEqualTo(3);
      assertThat(report.get("invalid").asLong()).isEqualTo(1);
      assertThat(report.get("undecodable").asLong()).isZero();
      assertThat(report.get("findings").get(0).get("id").asText()).isEqualTo("old");
      assertThat(report.get("findings").get(0).get("version").asLong()).isEqualTo(2);
      assertThat(report.get("findings").get(0).get("message").asText()).contains("title");
      assertThat(node.get("/v1/checked/old").json().get("version").asLong()).isEqualTo(2);
      assertThat(node.post("/admin/replay/check", "").problem()).isEqualTo("invalid-parameter");
    }
  }

  @Test
  void aRebuildUnderConcurrentWritesEndsWithTheReadModelEqualToEveryDocument() throws Exception {
    try (TestNode node = TestNode.start(dataDir)) {
      for (int i = 0; i < 40; i++) {
        node.put("/v1/rebuilt/r" + i, "{\"i\":" + i + "}");
      }
      Await.until(
          "the read model has them",
          () -> node.get("/v1/rebuilt?limit=100").json().get("items").size() == 40);
      // The read model loses some rows, as after a bug in a projection.
      try (Connection c = new Database(node.node().system()).connection();
          PreparedStatement delete =
              c.prepareStatement(
                  "DELETE FROM read_document WHERE collection = 'rebuilt' AND id LIKE 'r1%'")) {
        assertThat(delete.executeUpdate()).isEqualTo(11);
      }
      Thread writer =
          new Thread(
              () -> {
                for (int i = 0; i < 40; i++) {
                  node.mergePatch("/v1/rebuilt/r" + i, "{\"during\":true}");
                }
              });
      writer.start();

      var started =
          node.post("/admin/projections/documents/rebuild", "{\"collection\":\"rebuilt\"}");
      writer.join();

      assertThat(started.status()).as(started.body()).isEqualTo(202);
      String location = started.header("Location").orElseThrow();
      assertThat(location).startsWith("/admin/operations/");
      Await.until(
          "the rebuild is done",
          () -> node.get(location).json().get("state").asText().equals("done"));
      JsonNode operation = node.get(location).json();
      assertThat(operation.get("done").asLong()).isEqualTo(operation.get("total").asLong());
      assertThat(operation.get("fraction").asDouble()).isEqualTo(1.0);
      Map<String, JsonNode> current = new java.util.HashMap<>();
      for (int i = 0; i < 40; i++) {
        current.put("r" + i, node.get("/v1/rebuilt/r" + i).json());
      }
      Map<String, JsonNode> listed = new java.util.HashMap<>();
      Await.until(
          "the read model equals every document",
          () -> {
            listed.clear();
            node.get("/v1/rebuilt?limit=100")
                .json()
                .get("items")
                .forEach(item -> listed.put(item.get("id").asText(), item));
            return listed.equals(current);
          });
      assertThat(listed).hasSize(40);

      try (Connection c = new Database(node.node().system()).connection();
          PreparedStatement running =
              c.prepareStatement(
                  "INSERT INTO admin_operation (id, kind, running_key, parameters, state,"
                      + " done_events, total_events, started_at, updated_at) VALUES ('other',"
                      + " 'rebuild', 'documents', '{}', 'running', 0, 1, ?, ?)")) {
        running.setLong(1, System.currentTimeMillis());
        running.setLong(2, System.currentTimeMillis());
        running.executeUpdate();
      }
      var second = node.post("/admin/projections/documents/rebuild", "");
      assertThat(second.status()).isEqualTo(409);
      assertThat(second.problem()).isEqualTo("operation-running");
      assertThat(node.delete("/admin/operations/other").json().get("state").asText())
          .isEqualTo("cancelling");
      assertThat(node.get("/admin/operations/none").status()).isEqualTo(404);
    }
  }

  @Test
  void aRebuildWithASpeedLimitIsSeenPartWayAndStopsWhenCancelled() throws Exception {
    try (TestNode node = TestNode.start(dataDir)) {
      for (int i = 0; i < 30; i++) {
        node.put("/v1/slow/s" + i, "{\"i\":" + i + "}");
        node.mergePatch("/v1/slow/s" + i, "{\"again\":true}");
      }
      for (String refused : new String[] {"0", "-5", "1.5", "\"fast\"", "1000001", "1e30", "[1]"}) {
        var answer =
            node.post(
                "/admin/projections/documents/rebuild",
                "{\"collection\":\"slow\",\"maxEventsPerSecond\":" + refused + "}");
        assertThat(answer.status()).as(refused).isEqualTo(400);
        assertThat(answer.problem()).isEqualTo("invalid-parameter");
        assertThat(answer.json().get("detail").asText()).contains("maxEventsPerSecond");
      }

      // 60 events at 20 a second: three seconds, with progress written every half second.
      var started =
          node.post(
              "/admin/projections/documents/rebuild",
              "{\"collection\":\"slow\",\"maxEventsPerSecond\":20}");
      assertThat(started.status()).as(started.body()).isEqualTo(202);
      String location = started.header("Location").orElseThrow();
      assertThat(started.json().get("parameters").get("maxEventsPerSecond").asLong()).isEqualTo(20);
      Await.until(
          "the rebuild has folded some events",
          () -> node.get(location).json().get("done").asLong() > 0);
      JsonNode partWay = node.get(location).json();
      assertThat(partWay.get("state").asText()).isEqualTo("running");
      assertThat(partWay.get("total").asLong()).isEqualTo(60);
      assertThat(partWay.get("fraction").asDouble()).isGreaterThan(0.0).isLessThan(1.0);
      assertThat(partWay.get("eventsPerSecond").asDouble()).isLessThan(60.0);

      assertThat(node.delete(location).json().get("state").asText()).isEqualTo("cancelling");
      Await.until(
          "the rebuild has stopped",
          () -> node.get(location).json().get("state").asText().equals("cancelled"));
      assertThat(node.get(location).json().get("done").asLong()).isLessThan(60);
    }
  }

  @Test
  void aFullRebuildIsBlueGreenListsNeverFailNorShrinkAndTheResultEqualsEveryDocument()
      throws Exception {
    try (TestNode node = TestNode.start(dataDir)) {
      for (int i = 0; i < 60; i++) {
        node.put("/v1/bluegreen/b" + i, "{\"i\":" + i + "}");
      }
      Await.until(
          "the read model has them",
          () -> node.get("/v1/bluegreen?limit=100").json().get("items").size() == 60);
      java.util.concurrent.atomic.AtomicBoolean rebuilding =
          new java.util.concurrent.atomic.AtomicBoolean(true);
      java.util.List<String> badLists = new java.util.concurrent.CopyOnWriteArrayList<>();
      Thread lister =
          new Thread(
              () -> {
                while (rebuilding.get()) {
                  var page = node.get("/v1/bluegreen?limit=100");
                  if (page.status() != 200 || page.json().get("items").size() < 60) {
                    badLists.add(page.status() + " " + page.body().length());
                  }
                }
              });
      Thread writer =
          new Thread(
              () -> {
                for (int i = 0; i < 60; i++) {
                  node.mergePatch("/v1/bluegreen/b" + i, "{\"during\":true}");
                }
              });
      lister.start();
      writer.start();

      var first = node.post("/admin/projections/documents/rebuild", "");
      Await.until(
          "the first rebuild is done",
          () ->
              node.get(first.header("Location").orElseThrow())
                  .json()
                  .get("state")
                  .asText()
                  .equals("done"));
      writer.join();
      var second = node.post("/admin/projections/documents/rebuild", "{}");
      Await.until(
          "the second rebuild is done",
          () ->
              node.get(second.header("Location").orElseThrow())
                  .json()
                  .get("state")
                  .asText()
                  .equals("done"));
      rebuilding.set(false);
      lister.join();

      JsonNode firstDone = node.get(first.header("Location").orElseThrow()).json();
      assertThat(firstDone.get("parameters").get("mode").asText()).isEqualTo("blue-green");
      assertThat(firstDone.get("message").asText()).isEqualTo("switched to the green tables");
      assertThat(node.get(second.header("Location").orElseThrow()).json().get("message").asText())
          .isEqualTo("switched to the blue tables");
      assertThat(badLists)
          .as("lists that failed or missed documents during the rebuilds")
          .isEmpty();
      Map<String, JsonNode> current = new java.util.HashMap<>();
      for (int i = 0; i < 60; i++) {
        current.put("b" + i, node.get("/v1/bluegreen/b" + i).json());
      }
      Map<String, JsonNode> listed = new java.util.HashMap<>();
      Await.until(
          "the read model equals every document",
          () -> {
            listed.clear();
            node.get("/v1/bluegreen?limit=100")
                .json()
                .get("items")
                .forEach(item -> listed.put(item.get("id").asText(), item));
            return listed.equals(current);
          });
      assertThat(listed).hasSize(60);
      assertThat(states(node, "documents")).containsOnly("running");
    }
  }

  @Test
  void aCollectionRebuiltInPlaceAfterABlueGreenSwitchIsRebuiltInTheActiveTables() throws Exception {
    try (TestNode node = TestNode.start(dataDir)) {
      node.put("/v1/switched/before", "{\"n\":1}");
      JsonNode full = finished(node, node.post("/admin/projections/documents/rebuild", ""));
      assertThat(full.get("message").asText()).isEqualTo("switched to the green tables");
      // Written after the switch: only the green tables, now the active ones, hold it.
      node.put("/v1/switched/after", "{\"n\":2}");
      Await.until(
          "the read model has both",
          () -> node.get("/v1/switched").json().get("items").size() == 2);

      JsonNode inPlace =
          finished(
              node,
              node.post("/admin/projections/documents/rebuild", "{\"collection\":\"switched\"}"));

      assertThat(inPlace.get("state").asText()).as(inPlace.toString()).isEqualTo("done");
      java.util.List<String> ids = new java.util.ArrayList<>();
      node.get("/v1/switched").json().get("items").forEach(i -> ids.add(i.get("id").asText()));
      assertThat(ids).containsExactlyInAnyOrder("before", "after");
    }
  }

  /** The operation a rebuild request started, once it no longer runs. */
  private static JsonNode finished(TestNode node, HttpResponseView started)
      throws InterruptedException {
    assertThat(started.status()).as(started.body()).isEqualTo(202);
    String location = started.header("Location").orElseThrow();
    Await.until(
        "the rebuild has finished",
        () -> !node.get(location).json().get("state").asText().equals("running"));
    return node.get(location).json();
  }

  private static java.util.List<String> states(TestNode node, String name) {
    java.util.List<String> states = new java.util.ArrayList<>();
    projection(node, name).get("slices").forEach(s -> states.add(s.get("state").asText()));
    return states;
  }

  private static JsonNode projection(TestNode node, String name) {
    var listed = node.get("/admin/projections");
    assertThat(listed.status()).as(listed.body()).isEqualTo(200);
    for (JsonNode projection : listed.json()) {
      if (projection.get("name").asText().equals(name)) {
        return projection;
      }
    }
    throw new AssertionError("no projection " + name + " in " + listed.body());
  }

  private static String neighbourOf(int slice) {
    for (int i = 0; ; i++) {
      if (Math.floorMod(("bad|n" + i).hashCode(), DocumentTags.SLICES) == slice) {
        return "n" + i;
      }
    }
  }

  private static EventMetadata meta() {
    return new EventMetadata(Instant.now(), "test", "test", null, null, null, null, null);
  }

  /** Writes {@code event} straight into the journal, in its slice, as a foreign writer might. */
  private static long insert(TestNode node, String persistenceId, Object event, String sliceTag)
      throws Exception {
    Serialization serialization = SerializationExtension.get(node.node().system().classicSystem());
    Serializer serializer = serialization.findSerializerFor(event);
    try (Connection c = new Database(node.node().system()).connection()) {
      long ordering;
      try (PreparedStatement insert =
          c.prepareStatement(
              "INSERT INTO \"event_journal\" (\"deleted\", \"persistence_id\", \"sequence_number\","
                  + " \"writer\", \"write_timestamp\", \"adapter_manifest\", \"event_payload\","
                  + " \"event_ser_id\", \"event_ser_manifest\", \"slice\") VALUES (FALSE, ?, 1, 'test', ?,"
                  + " '', ?, ?, ?, ?)",
              Statement.RETURN_GENERATED_KEYS)) {
        insert.setString(1, persistenceId);
        insert.setLong(2, System.currentTimeMillis());
        insert.setBytes(3, serializer.toBinary(event));
        insert.setInt(4, serializer.identifier());
        insert.setString(5, Serializers.manifestFor(serializer, event));
        insert.setShort(6, (short) DocumentTags.slice(sliceTag).getAsInt());
        insert.executeUpdate();
        try (ResultSet keys = insert.getGeneratedKeys()) {
          keys.next();
          ordering = keys.getLong(1);
        }
      }
      return ordering;
    }
  }

  /** Writes {@code event} as version {@code version} at journal offset {@code ordering}. */
  private static void insertAt(
      TestNode node, String persistenceId, long version, long ordering, Object event, String slice)
      throws Exception {
    Serialization serialization = SerializationExtension.get(node.node().system().classicSystem());
    Serializer serializer = serialization.findSerializerFor(event);
    try (Connection c = new Database(node.node().system()).connection();
        PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO \"event_journal\" (\"ordering\", \"deleted\", \"persistence_id\","
                    + " \"sequence_number\", \"writer\", \"write_timestamp\", \"adapter_manifest\","
                    + " \"event_payload\", \"event_ser_id\", \"event_ser_manifest\", \"slice\")"
                    + " VALUES (?, FALSE, ?, ?, 'test', ?, '', ?, ?, ?, ?)")) {
      insert.setLong(1, ordering);
      insert.setString(2, persistenceId);
      insert.setLong(3, version);
      insert.setLong(4, System.currentTimeMillis());
      insert.setBytes(5, serializer.toBinary(event));
      insert.setInt(6, serializer.identifier());
      insert.setString(7, Serializers.manifestFor(serializer, event));
      insert.setShort(8, (short) DocumentTags.slice(slice).getAsInt());
      insert.executeUpdate();
    }
  }

  /** The fix: the event at {@code ordering} becomes {@code event}. */
  private static void replace(TestNode node, long ordering, Object event) throws Exception {
    Serialization serialization = SerializationExtension.get(node.node().system().classicSystem());
    Serializer serializer = serialization.findSerializerFor(event);
    try (Connection c = new Database(node.node().system()).connection();
        PreparedStatement update =
            c.prepareStatement(
                "UPDATE \"event_journal\" SET \"event_payload\" = ?, \"event_ser_manifest\" = ?"
                    + " WHERE \"ordering\" = ?")) {
      update.setBytes(1, serializer.toBinary(event));
      update.setString(2, Serializers.manifestFor(serializer, event));
      update.setLong(3, ordering);
      assertThat(update.executeUpdate()).isEqualTo(1);
    }
  }
}

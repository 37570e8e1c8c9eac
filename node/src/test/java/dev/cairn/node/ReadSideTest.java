package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read side end to end: collection definitions with schemas and indexes, list queries over the
 * projected read model, and the change feed. Run once per journal database by the subclasses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ReadSideTest {

  TestNode node;

  abstract Map<String, Object> journalSettings();

  @BeforeAll
  void startNode(@TempDir Path dataDir) throws Exception {
    node = TestNode.start(dataDir, journalSettings());
  }

  @AfterAll
  void stopNode() throws Exception {
    node.close();
  }

  static String unique(String prefix) {
    return prefix + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Waits until the read model has caught up with everything written so far. */
  /**
   * Waits until the read model holds every write acknowledged before the call: a lag of 0 measured
   * after it (the lag shown may be up to 250 ms old), with {@code expected} documents listed.
   */
  void awaitReadModel(String collection, int expected) throws InterruptedException {
    java.time.Instant written = java.time.Instant.now();
    Await.until(
        expected + " documents of " + collection + " in the read model",
        () -> {
          var page = node.get("/v1/" + collection + "?limit=1000");
          return page.json().get("items").size() == expected
              && page.header("Cairn-Read-Model-Lag").orElse("x").equals("0")
              && !java.time.Instant.parse(page.header("Cairn-Read-Model-Measured-At").orElseThrow())
                  .isBefore(written);
        });
  }

  void define(String collection, String definition) {
    var defined = node.put("/v1/_collections/" + collection, definition);
    assertThat(defined.status()).as(defined.body()).isIn(200, 201);
  }

  List<String> ids(String query) {
    var page = node.get(query);
    assertThat(page.status()).as(page.body()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    page.json().get("items").forEach(item -> ids.add(item.get("id").asText()));
    return ids;
  }

  // --- the journal's tags ---------------------------------------------------------------------

  /**
   * A document event's slice is a column of its journal row, not two tag rows; a collection
   * definition's event keeps its tag row. Lists and the change feed read the slices from there.
   */
  @Test
  void aDocumentEventKeepsItsSliceInItsRowAndADefinitionItsTag() throws Exception {
    String collection = unique("sliced");
    define(collection, "{}");
    assertThat(node.put("/v1/" + collection + "/a", "{\"n\": 1}").status()).isEqualTo(201);
    String persistenceId = collection + "|a";
    try (java.sql.Connection c =
        new dev.cairn.persistence.Database(node.node().system()).connection()) {
      try (var select =
          c.prepareStatement(
              "SELECT j.\"slice\", (SELECT COUNT(*) FROM \"event_tag\" t"
                  + " WHERE t.\"event_id\" = j.\"ordering\") FROM \"event_journal\" j"
                  + " WHERE j.\"persistence_id\" = ?")) {
        select.setString(1, persistenceId);
        try (var row = select.executeQuery()) {
          assertThat(row.next()).isTrue();
          assertThat(row.getInt(1))
              .isEqualTo(
                  Math.floorMod(
                      persistenceId.hashCode(), dev.cairn.persistence.DocumentTags.SLICES));
          assertThat(row.getLong(2)).as("tag rows of the document event").isZero();
        }
      }
      try (var select =
          c.prepareStatement(
              "SELECT j.\"slice\", t.\"tag\" FROM \"event_journal\" j JOIN \"event_tag\" t"
                  + " ON t.\"event_id\" = j.\"ordering\" WHERE j.\"persistence_id\" = ?")) {
        select.setString(1, dev.cairn.persistence.CollectionEntity.persistenceId(collection));
        try (var row = select.executeQuery()) {
          assertThat(row.next()).isTrue();
          assertThat(row.getObject(1)).isNull();
          assertThat(row.getString(2)).isEqualTo(dev.cairn.persistence.CollectionEntity.TAG);
          assertThat(row.next()).isFalse();
        }
      }
    }
    awaitReadModel(collection, 1);
  }

  // --- definitions and schemas ----------------------------------------------------------------

  @Test
  void aDefinitionIsReadBackListedAndHasVersions() throws Exception {
    String name = unique("def");

    var first = node.put("/v1/_collections/" + name, "{\"snapshotEvery\": 50}");
    var second =
        node.put(
            "/v1/_collections/" + name,
            "{\"indexes\": {\"n\": {\"path\": \"/n\", \"type\": \"number\"}}}",
            "If-Match",
            "\"1\"");
    var stale = node.put("/v1/_collections/" + name, "{}", "If-Match", "\"1\"");
    var read = node.get("/v1/_collections/" + name);

    assertThat(first.status()).isEqualTo(201);
    assertThat(second.status()).isEqualTo(200);
    assertThat(stale.problem()).isEqualTo("version-mismatch");
    assertThat(read.json().get("version").asLong()).isEqualTo(2);
    assertThat(read.json().get("definition").get("indexes").get("n").get("type").asText())
        .isEqualTo("number");
    assertThat(node.get("/v1/_collections/" + unique("none")).problem()).isEqualTo("not-found");
    JsonNode history = node.get("/v1/_collections/" + name + "/events").json().get("items");
    assertThat(history).hasSize(2);
    assertThat(history.get(0).get("type").asText()).isEqualTo("defined");
    assertThat(history.get(0).get("change").get("snapshotEvery").asInt()).isEqualTo(50);
    assertThat(history.get(1).get("change").get("indexes").has("n")).isTrue();
    Await.until(
        "the definition is listed",
        () -> node.get("/v1/_collections").body().contains("\"name\":\"" + name + "\""));
  }

  @Test
  void anInvalidDefinitionIs422NamingEveryProblem() {
    var refused =
        node.put(
            "/v1/_collections/" + unique("bad"),
            "{\"schema\": {\"type\": 12}, \"indexes\": {\"1x\": {\"path\": \"/a\", \"type\": \"number\"},"
                + " \"ok\": {\"path\": \"a\", \"type\": \"date\"}}, \"snapshotEvery\": 0, \"other\": 1}");

    assertThat(refused.status()).isEqualTo(422);
    assertThat(refused.problem()).isEqualTo("invalid-definition");
    Set<String> paths = new HashSet<>();
    refused.json().get("errors").forEach(e -> paths.add(e.get("path").asText()));
    assertThat(paths)
        .contains("/schema/type", "/indexes/1x", "/indexes/ok/path", "/indexes/ok/type")
        .contains("/snapshotEvery", "/other");
  }

  @Test
  void writesAreValidatedAgainstTheSchemaAndAViolationNamesEachPath() {
    String c = unique("shop");
    define(
        c,
        "{\"schema\": {\"type\": \"object\", \"required\": [\"name\", \"price\"], \"properties\":"
            + " {\"name\": {\"type\": \"string\"}, \"price\": {\"type\": \"number\", \"minimum\": 0}}}}");

    var valid = node.put("/v1/" + c + "/a", "{\"name\": \"A\", \"price\": 3}");
    var invalid = node.put("/v1/" + c + "/b", "{\"price\": -1}");
    var badPatch = node.mergePatch("/v1/" + c + "/a", "{\"price\": \"free\"}");
    var badPost = node.post("/v1/" + c, "{}");

    assertThat(valid.status()).isEqualTo(201);
    assertThat(invalid.status()).isEqualTo(422);
    assertThat(invalid.problem()).isEqualTo("schema-violation");
    List<String> paths = new ArrayList<>();
    invalid.json().get("errors").forEach(e -> paths.add(e.get("path").asText()));
    assertThat(paths).contains("/price", "");
    assertThat(invalid.json().get("detail").asText()).contains("/price").contains("name");
    assertThat(node.get("/v1/" + c + "/b").status()).isEqualTo(404);
    assertThat(badPatch.problem()).isEqualTo("schema-violation");
    assertThat(node.get("/v1/" + c + "/a").json().get("data").get("price").asInt()).isEqualTo(3);
    assertThat(badPost.problem()).isEqualTo("schema-violation");
  }

  @Test
  void aSchemaChangeAppliesToLaterWritesAndRewritesNothing() {
    String c = unique("evolve");
    define(c, "{\"schema\": {\"type\": \"object\"}}");
    node.put("/v1/" + c + "/old", "{\"title\": 1}");

    define(
        c,
        "{\"schema\": {\"type\": \"object\", \"properties\": {\"title\": {\"type\": \"string\"}}}}");

    assertThat(node.get("/v1/" + c + "/old").json().get("data").get("title").asInt()).isEqualTo(1);
    assertThat(node.get("/v1/" + c + "/old").version()).isEqualTo(1);
    assertThat(node.put("/v1/" + c + "/old", "{\"title\": 2}").problem())
        .isEqualTo("schema-violation");
    assertThat(node.put("/v1/" + c + "/old", "{\"title\": \"two\"}").status()).isEqualTo(200);
  }

  // --- queries --------------------------------------------------------------------------------

  @Test
  void everyFilterKindSelectsTheRightDocuments() throws Exception {
    String c = unique("items");
    define(
        c,
        "{\"indexes\": {\"price\": {\"path\": \"/price\", \"type\": \"number\"},"
            + " \"status\": {\"path\": \"/status\", \"type\": \"string\"},"
            + " \"active\": {\"path\": \"/flags/active\", \"type\": \"boolean\"},"
            + " \"due\": {\"path\": \"/due\", \"type\": \"timestamp\"}}}");
    String[] statuses = {"open", "closed", "opened", "pending", "open"};
    for (int i = 0; i < 5; i++) {
      node.put(
          "/v1/" + c + "/d" + i,
          "{\"price\": "
              + (i * 10)
              + ", \"status\": \""
              + statuses[i]
              + "\", \"flags\": {\"active\": "
              + (i % 2 == 0)
              + "}, \"due\": \"2026-0"
              + (i + 1)
              + "-01T00:00:00Z\"}");
    }
    node.put("/v1/" + c + "/bare", "{\"other\": true}");
    awaitReadModel(c, 6);
    String q = "/v1/" + c + "?sort=price&";

    assertThat(ids(q + "where.status=open")).containsExactly("d0", "d4");
    assertThat(ids(q + "where.status.ne=open")).containsExactly("d1", "d2", "d3", "bare");
    assertThat(ids(q + "where.price.gt=10")).containsExactly("d2", "d3", "d4");
    assertThat(ids(q + "where.price.gte=10")).containsExactly("d1", "d2", "d3", "d4");
    assertThat(ids(q + "where.price.lt=10")).containsExactly("d0");
    assertThat(ids(q + "where.price.lte=10")).containsExactly("d0", "d1");
    assertThat(ids(q + "where.status.in=closed,pending")).containsExactly("d1", "d3");
    assertThat(ids(q + "where.status.prefix=open")).containsExactly("d0", "d2", "d4");
    assertThat(ids(q + "where.active=true")).containsExactly("d0", "d2", "d4");
    assertThat(ids(q + "where.due.gte=2026-03-01T00:00:00Z&where.due.lt=2026-05-01T00:00:00Z"))
        .containsExactly("d2", "d3");
    assertThat(ids(q + "where.price.gte=10&where.status.ne=pending"))
        .containsExactly("d1", "d2", "d4");
  }

  @Test
  void sortingIsByTheKeysThenByIdWithMissingValuesLast() throws Exception {
    String c = unique("sorted");
    define(
        c,
        "{\"indexes\": {\"price\": {\"path\": \"/price\", \"type\": \"number\"},"
            + " \"status\": {\"path\": \"/status\", \"type\": \"string\"}}}");
    node.put("/v1/" + c + "/a", "{\"price\": 5, \"status\": \"x\"}");
    node.put("/v1/" + c + "/b", "{\"price\": 7, \"status\": \"x\"}");
    node.put("/v1/" + c + "/c", "{\"price\": 7, \"status\": \"y\"}");
    node.put("/v1/" + c + "/d", "{\"status\": \"y\"}");
    node.put("/v1/" + c + "/e", "{\"price\": 7, \"status\": \"x\"}");
    awaitReadModel(c, 5);

    assertThat(ids("/v1/" + c + "?sort=-price")).containsExactly("b", "c", "e", "a", "d");
    assertThat(ids("/v1/" + c + "?sort=status,-price")).containsExactly("b", "e", "a", "c", "d");
    assertThat(ids("/v1/" + c)).containsExactly("a", "b", "c", "d", "e");
  }

  @Test
  void deletedDocumentsAreListedOnlyWhenAskedFor() throws Exception {
    String c = unique("trash");
    node.put("/v1/" + c + "/keep", "{}");
    node.put("/v1/" + c + "/gone", "{}");
    node.delete("/v1/" + c + "/gone");
    awaitReadModel(c, 1);

    assertThat(ids("/v1/" + c + "?deleted=true")).containsExactly("gone", "keep");
  }

  @Test
  void badQueriesAre400AndSayWhatIsDeclared() {
    String c = unique("strictq");
    define(c, "{\"indexes\": {\"price\": {\"path\": \"/price\", \"type\": \"number\"}}}");

    var undeclared = node.get("/v1/" + c + "?where.color=red");
    assertThat(undeclared.status()).isEqualTo(400);
    assertThat(undeclared.problem()).isEqualTo("invalid-query");
    assertThat(undeclared.json().get("detail").asText()).contains("price");
    assertThat(node.get("/v1/" + c + "?where.price.gt=cheap").problem()).isEqualTo("invalid-query");
    assertThat(node.get("/v1/" + c + "?where.price.prefix=1").problem()).isEqualTo("invalid-query");
    assertThat(node.get("/v1/" + c + "?where.price.near=1").problem()).isEqualTo("invalid-query");
    assertThat(node.get("/v1/" + c + "?sort=color").problem()).isEqualTo("invalid-query");
    assertThat(node.get("/v1/" + c + "?limit=1001").problem()).isEqualTo("invalid-query");
    assertThat(node.get("/v1/" + c + "?cursor=garbage").problem()).isEqualTo("invalid-query");
    assertThat(node.get("/v1/" + c + "?color=red").problem()).isEqualTo("invalid-query");
    assertThat(node.get("/v1/" + unique("undefined") + "?where.a=1").problem())
        .isEqualTo("invalid-query");
  }

  @Test
  void pagingWhileOthersWriteNeitherRepeatsNorSkipsADocument() throws Exception {
    String c = unique("paged");
    define(c, "{\"indexes\": {\"rank\": {\"path\": \"/rank\", \"type\": \"number\"}}}");
    for (int i = 0; i < 40; i++) {
      node.put("/v1/" + c + "/p" + i, "{\"rank\": " + (i % 7) + "}");
    }
    awaitReadModel(c, 40);

    AtomicBoolean paging = new AtomicBoolean(true);
    Thread writer =
        new Thread(
            () -> {
              for (int i = 0; paging.get() && i < 200; i++) {
                node.put("/v1/" + c + "/new" + i, "{\"rank\": " + (i % 7) + "}");
              }
            });
    writer.start();
    List<String> seen = new ArrayList<>();
    String cursor = null;
    do {
      var page =
          node.get(
              "/v1/" + c + "?sort=-rank&limit=7" + (cursor == null ? "" : "&cursor=" + cursor));
      page.json().get("items").forEach(item -> seen.add(item.get("id").asText()));
      cursor = page.json().get("next").isNull() ? null : page.json().get("next").asText();
    } while (cursor != null);
    paging.set(false);
    writer.join();

    assertThat(seen).doesNotHaveDuplicates();
    for (int i = 0; i < 40; i++) {
      assertThat(seen).contains("p" + i);
    }
  }

  @Test
  void addingAnIndexFillsItForExistingDocuments() throws Exception {
    String c = unique("later");
    node.put("/v1/" + c + "/x", "{\"color\": \"red\"}");
    node.put("/v1/" + c + "/y", "{\"color\": \"blue\"}");
    awaitReadModel(c, 2);

    define(c, "{\"indexes\": {\"color\": {\"path\": \"/color\", \"type\": \"string\"}}}");

    Await.until(
        "the new index is filled",
        () -> {
          var page = node.get("/v1/" + c + "?where.color=red");
          return page.status() == 200 && page.body().contains("\"id\":\"x\"");
        });
    assertThat(ids("/v1/" + c + "?where.color=red")).containsExactly("x");
  }

  @Test
  void theReadModelEqualsTheDocumentsAfterABurstOfConcurrentWrites() throws Exception {
    String c = unique("burst");
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < 6; w++) {
      int writer = w;
      Thread thread =
          new Thread(
              () -> {
                for (int i = 0; i < 30; i++) {
                  String id = "d" + ((writer * 7 + i) % 12);
                  if (i % 10 == 9) {
                    node.mergePatch("/v1/" + c + "/" + id, "{\"patched\": " + i + "}");
                  } else {
                    node.put(
                        "/v1/" + c + "/" + id, "{\"writer\": " + writer + ", \"i\": " + i + "}");
                  }
                }
              });
      thread.start();
      writers.add(thread);
    }
    for (Thread writer : writers) {
      writer.join();
    }
    Map<String, JsonNode> current = new HashMap<>();
    for (int d = 0; d < 12; d++) {
      current.put("d" + d, node.get("/v1/" + c + "/d" + d).json());
    }

    // The lag header may be up to 250 ms old (docs/read-side.md), so wait for the content itself.
    Map<String, JsonNode> listed = new HashMap<>();
    Await.until(
        "the read model holds every document as it is",
        () -> {
          listed.clear();
          node.get("/v1/" + c + "?limit=100")
              .json()
              .get("items")
              .forEach(item -> listed.put(item.get("id").asText(), item));
          return listed.equals(current);
        });
    assertThat(listed).hasSize(12).isEqualTo(current);
  }

  @Test
  void aStringWithNulInAnIndexedFieldIsProjectedAndFound() throws Exception {
    String c = unique("nul");
    define(c, "{\"indexes\": {\"title\": {\"path\": \"/title\", \"type\": \"string\"}}}");

    var written = node.put("/v1/" + c + "/d1", "{\"title\": \"a\\u0000b\"}");
    awaitReadModel(c, 1);

    assertThat(written.status()).isEqualTo(201);
    assertThat(node.get("/v1/" + c + "?where.title=a%00b").json().get("items")).hasSize(1);
    assertThat(node.get("/health/read-model").status()).isEqualTo(200);
  }

  @Test
  void everyListResponseSaysHowFarTheReadModelIsBehind() {
    var page = node.get("/v1/" + unique("lag"));

    assertThat(page.status()).isEqualTo(200);
    assertThat(Long.parseLong(page.header("Cairn-Read-Model-Lag").orElseThrow()))
        .isGreaterThanOrEqualTo(0);
  }

  // --- change feed ----------------------------------------------------------------------------

  @Test
  void theChangeFeedResumesAfterADisconnectWithNoGapAndNoDuplicate() {
    String c = unique("feed");
    for (int i = 1; i <= 5; i++) {
      node.put("/v1/" + c + "/doc", "{\"n\": " + i + "}");
    }

    List<TestClient.SseEvent> first = node.events("/v1/" + c + "/_changes", 3);
    for (int i = 6; i <= 8; i++) {
      node.put("/v1/" + c + "/doc", "{\"n\": " + i + "}");
    }
    List<TestClient.SseEvent> rest =
        node.events("/v1/" + c + "/_changes", 5, "Last-Event-ID", first.get(2).id());
    List<TestClient.SseEvent> fromSince =
        node.events("/v1/" + c + "/_changes?since=" + first.get(0).id(), 7);

    List<Long> versions = new ArrayList<>();
    first.forEach(e -> versions.add(e.json().get("version").asLong()));
    rest.forEach(e -> versions.add(e.json().get("version").asLong()));
    assertThat(versions).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
    assertThat(first.get(0).event()).isEqualTo("change");
    assertThat(first.get(0).json().get("collection").asText()).isEqualTo(c);
    assertThat(first.get(0).json().get("id").asText()).isEqualTo("doc");
    assertThat(first.get(0).json().get("change").get("data").get("n").asInt()).isEqualTo(1);
    assertThat(fromSince.get(0).json().get("version").asLong()).isEqualTo(2);
  }

  @Test
  void theFeedOfAllCollectionsCarriesEveryCollectionInJournalOrder() {
    String a = unique("fa");
    String b = unique("fb");
    node.put("/v1/" + a + "/x", "{}");
    node.put("/v1/" + b + "/y", "{}");
    node.put("/v1/" + a + "/z", "{}");
    long first = Long.parseLong(node.events("/v1/" + a + "/_changes", 1).get(0).id());

    List<TestClient.SseEvent> all = node.events("/v1/_changes?since=" + (first - 1), 3);

    assertThat(all)
        .extracting(e -> e.json().get("collection").asText() + "/" + e.json().get("id").asText())
        .containsExactly(a + "/x", b + "/y", a + "/z");
    assertThat(Long.parseLong(all.get(1).id())).isGreaterThan(Long.parseLong(all.get(0).id()));
    assertThat(Long.parseLong(all.get(2).id())).isGreaterThan(Long.parseLong(all.get(1).id()));
  }

  @Test
  void aBadResumePointIs400() {
    var refused = node.get("/v1/_changes", "Last-Event-ID", "yesterday");

    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.problem()).isEqualTo("invalid-parameter");
  }
}

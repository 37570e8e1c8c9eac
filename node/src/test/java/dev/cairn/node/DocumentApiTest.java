package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The document API end to end: a real node on a real port over a real journal. Run once per journal
 * database by the subclasses ({@link H2DocumentApiTest}, {@link PostgresDocumentApiTest}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DocumentApiTest {

  TestNode node;

  /** Settings for the node under test besides ports and data directory. */
  abstract Map<String, Object> journalSettings();

  @BeforeAll
  void startNode(@TempDir Path dataDir) throws Exception {
    Map<String, Object> settings = new java.util.HashMap<>(journalSettings());
    settings.put("cairn.limits.max-body-size", "64KiB");
    node = TestNode.start(dataDir, settings);
  }

  @AfterAll
  void stopNode() throws Exception {
    node.close();
  }

  static String doc() {
    return "/v1/notes/" + UUID.randomUUID();
  }

  @Nested
  class Writing {

    @Test
    void aPutCreatesWith201ThenReplacesWith200() {
      String path = doc();

      var created = node.put(path, "{\"title\":\"hi\"}");
      var replaced = node.put(path, "{\"title\":\"ho\"}");

      assertThat(created.status()).isEqualTo(201);
      assertThat(created.header("ETag")).hasValue("\"1\"");
      assertThat(created.header("Location")).hasValue(path);
      assertThat(created.json().get("data").get("title").asText()).isEqualTo("hi");
      assertThat(replaced.status()).isEqualTo(200);
      assertThat(replaced.header("ETag")).hasValue("\"2\"");
      assertThat(replaced.json().get("createdAt")).isEqualTo(created.json().get("createdAt"));
      assertThat(node.get(path).json().get("data").get("title").asText()).isEqualTo("ho");
    }

    @Test
    void aPostCreatesADocumentWithAGeneratedId() {
      var created = node.post("/v1/notes", "{\"a\":1}");

      assertThat(created.status()).isEqualTo(201);
      String location = created.header("Location").orElseThrow();
      assertThat(location).startsWith("/v1/notes/");
      var read = node.get(location);
      assertThat(read.status()).isEqualTo(200);
      assertThat(read.json().get("id").asText()).isEqualTo(created.json().get("id").asText());
    }

    @Test
    void theBodyCarriesDataAndMetadata() {
      String path = doc();
      node.put(path, "{\"n\":1}");

      JsonNode body = node.get(path).json();

      assertThat(body.get("collection").asText()).isEqualTo("notes");
      assertThat(body.get("id").asText()).isEqualTo(path.substring("/v1/notes/".length()));
      assertThat(body.get("version").asLong()).isEqualTo(1);
      assertThat(body.get("deleted").asBoolean()).isFalse();
      assertThat(body.get("createdAt").asText()).endsWith("Z");
      assertThat(body.get("updatedAt").asText()).endsWith("Z");
      assertThat(body.get("data")).isEqualTo(node.put(doc(), "{\"n\":1}").json().get("data"));
    }

    @Test
    void aMergePatchChangesPartOfTheDocument() {
      String path = doc();
      node.put(path, "{\"a\":1,\"b\":{\"c\":2,\"d\":3}}");

      var patched = node.mergePatch(path, "{\"a\":null,\"b\":{\"c\":5}}");

      assertThat(patched.status()).isEqualTo(200);
      assertThat(patched.json().get("data").toString()).isEqualTo("{\"b\":{\"c\":5,\"d\":3}}");
      assertThat(patched.header("ETag")).hasValue("\"2\"");
    }

    @Test
    void aJsonPatchAppliesItsOperationsInOrder() {
      String path = doc();
      node.put(path, "{\"tags\":[\"a\"],\"n\":1}");

      var patched =
          node.jsonPatch(
              path,
              "[{\"op\":\"add\",\"path\":\"/tags/-\",\"value\":\"b\"},"
                  + "{\"op\":\"test\",\"path\":\"/n\",\"value\":1},"
                  + "{\"op\":\"replace\",\"path\":\"/n\",\"value\":2}]");

      assertThat(patched.status()).isEqualTo(200);
      assertThat(patched.json().get("data").toString())
          .isEqualTo("{\"tags\":[\"a\",\"b\"],\"n\":2}");
    }

    @Test
    void aJsonPatchWhoseTestFailsIs422AndWritesNothing() {
      String path = doc();
      node.put(path, "{\"n\":1}");

      var refused =
          node.jsonPatch(
              path,
              "[{\"op\":\"replace\",\"path\":\"/n\",\"value\":2},"
                  + "{\"op\":\"test\",\"path\":\"/n\",\"value\":1}]");

      assertThat(refused.status()).isEqualTo(422);
      assertThat(refused.problem()).isEqualTo("invalid-patch");
      assertThat(node.get(path).json().get("data").toString()).isEqualTo("{\"n\":1}");
      assertThat(node.get(path).version()).isEqualTo(1);
    }

    @Test
    void aPatchThatIsNotAJsonPatchArrayIs422() {
      String path = doc();
      node.put(path, "{\"n\":1}");

      var refused = node.jsonPatch(path, "{\"op\":\"remove\",\"path\":\"/n\"}");

      assertThat(refused.status()).isEqualTo(422);
      assertThat(refused.problem()).isEqualTo("invalid-patch");
    }

    @Test
    void aPatchWithPlainJsonIs415AndNamesTheAcceptedTypes() {
      String path = doc();
      node.put(path, "{\"n\":1}");

      var refused = node.send("PATCH", path, "application/json", "{\"n\":2}");

      assertThat(refused.status()).isEqualTo(415);
      assertThat(refused.problem()).isEqualTo("unsupported-media-type");
      assertThat(refused.json().get("detail").asText())
          .contains("application/merge-patch+json")
          .contains("application/json-patch+json");
    }

    @Test
    void patchingAMissingDocumentIs404() {
      var refused = node.mergePatch(doc(), "{\"n\":2}");

      assertThat(refused.status()).isEqualTo(404);
      assertThat(refused.problem()).isEqualTo("not-found");
    }

    @Test
    void aDeleteLeavesATombstoneAndHistoryAndAPutRecreates() {
      String path = doc();
      node.put(path, "{\"n\":1}");

      var deleted = node.delete(path);
      var read = node.get(path);
      var history = node.get(path + "/events");
      var recreated = node.put(path, "{\"n\":2}", "If-None-Match", "*");

      assertThat(deleted.status()).isEqualTo(200);
      assertThat(deleted.json().get("deleted").asBoolean()).isTrue();
      assertThat(deleted.header("ETag")).hasValue("\"2\"");
      assertThat(read.status()).isEqualTo(404);
      assertThat(read.problem()).isEqualTo("deleted");
      assertThat(history.json().get("items")).hasSize(2);
      assertThat(history.json().get("items").get(1).get("type").asText()).isEqualTo("deleted");
      assertThat(recreated.status()).isEqualTo(201);
      assertThat(recreated.version()).isEqualTo(3);
    }

    @Test
    void deletingAMissingDocumentIs404() {
      assertThat(node.delete(doc()).problem()).isEqualTo("not-found");
    }
  }

  @Nested
  class ConditionalRequests {

    @Test
    void aStaleIfMatchIs412AndWritesNothing() {
      String path = doc();
      node.put(path, "{\"n\":1}");
      node.put(path, "{\"n\":2}");

      var refused = node.put(path, "{\"n\":3}", "If-Match", "\"1\"");

      assertThat(refused.status()).isEqualTo(412);
      assertThat(refused.problem()).isEqualTo("version-mismatch");
      assertThat(refused.header("ETag")).hasValue("\"2\"");
      assertThat(refused.json().get("currentVersion").asLong()).isEqualTo(2);
      assertThat(node.get(path).json().get("data").get("n").asInt()).isEqualTo(2);
    }

    @Test
    void aCurrentIfMatchWritesForEveryWriteMethod() {
      String path = doc();
      node.put(path, "{\"n\":1}");

      var put = node.put(path, "{\"n\":2}", "If-Match", "\"1\"");
      var patch = node.mergePatch(path, "{\"n\":3}", "If-Match", "\"2\"");
      var stalePatch = node.mergePatch(path, "{\"n\":4}", "If-Match", "\"2\"");
      var staleDelete = node.delete(path, "If-Match", "\"1\"");
      var delete = node.delete(path, "If-Match", "\"3\"");

      assertThat(put.status()).isEqualTo(200);
      assertThat(patch.status()).isEqualTo(200);
      assertThat(stalePatch.status()).isEqualTo(412);
      assertThat(staleDelete.status()).isEqualTo(412);
      assertThat(delete.status()).isEqualTo(200);
    }

    @Test
    void aWeakIfMatchNeverMatches() {
      String path = doc();
      node.put(path, "{\"n\":1}");

      assertThat(node.put(path, "{\"n\":2}", "If-Match", "W/\"1\"").status()).isEqualTo(412);
    }

    @Test
    void ifMatchStarRequiresTheDocumentToExist() {
      String path = doc();

      var missing = node.put(path, "{\"n\":1}", "If-Match", "*");
      node.put(path, "{\"n\":1}");
      var present = node.put(path, "{\"n\":2}", "If-Match", "*");

      assertThat(missing.status()).isEqualTo(412);
      assertThat(node.get(path).version()).isEqualTo(2);
      assertThat(present.status()).isEqualTo(200);
    }

    @Test
    void ifNoneMatchStarMakesAPutCreateOnly() {
      String path = doc();

      var first = node.put(path, "{\"n\":1}", "If-None-Match", "*");
      var second = node.put(path, "{\"n\":2}", "If-None-Match", "*");

      assertThat(first.status()).isEqualTo(201);
      assertThat(second.status()).isEqualTo(412);
      assertThat(second.problem()).isEqualTo("already-exists");
      assertThat(node.get(path).json().get("data").get("n").asInt()).isEqualTo(1);
    }

    @Test
    void aGetWithTheCurrentETagIs304() {
      String path = doc();
      node.put(path, "{\"n\":1}");

      var notModified = node.get(path, "If-None-Match", "\"1\"");
      node.put(path, "{\"n\":2}");
      var modified = node.get(path, "If-None-Match", "\"1\"");

      assertThat(notModified.status()).isEqualTo(304);
      assertThat(notModified.header("ETag")).hasValue("\"1\"");
      assertThat(notModified.body()).isEmpty();
      assertThat(modified.status()).isEqualTo(200);
      assertThat(modified.header("ETag")).hasValue("\"2\"");
    }

    @Test
    void aMalformedIfMatchIs400() {
      String path = doc();
      node.put(path, "{\"n\":1}");

      var refused = node.put(path, "{\"n\":2}", "If-Match", "1");

      assertThat(refused.status()).isEqualTo(400);
      assertThat(refused.problem()).isEqualTo("invalid-parameter");
      assertThat(node.get(path).version()).isEqualTo(1);
    }
  }

  @Nested
  class Idempotency {

    @Test
    void aRetriedPostReturnsTheFirstResultAndWritesNothing() {
      String key = UUID.randomUUID().toString();

      var first = node.post("/v1/orders", "{\"total\":10}", "Idempotency-Key", key);
      var retry = node.post("/v1/orders", "{\"total\":10}", "Idempotency-Key", key);

      assertThat(first.status()).isEqualTo(201);
      assertThat(retry.status()).isEqualTo(201);
      assertThat(retry.header("Location")).isEqualTo(first.header("Location"));
      assertThat(retry.body()).isEqualTo(first.body());
      String location = first.header("Location").orElseThrow();
      assertThat(node.get(location + "/events").json().get("items")).hasSize(1);
    }

    @Test
    void aRetryAfterLaterWritesReturnsTheFirstResultNotTheCurrentState() {
      String path = doc();
      var first = node.put(path, "{\"n\":1}", "Idempotency-Key", "put-1");
      node.put(path, "{\"n\":2}");

      var retry = node.put(path, "{\"n\":1}", "Idempotency-Key", "put-1");

      assertThat(retry.status()).isEqualTo(201);
      assertThat(retry.version()).isEqualTo(1);
      assertThat(retry.json().get("data")).isEqualTo(first.json().get("data"));
      assertThat(node.get(path).version()).isEqualTo(2);
    }

    @Test
    void aKeyReusedForADifferentRequestIs422() {
      String path = doc();
      node.put(path, "{\"n\":1}", "Idempotency-Key", "k");

      var refused = node.put(path, "{\"n\":999}", "Idempotency-Key", "k");

      assertThat(refused.status()).isEqualTo(422);
      assertThat(refused.problem()).isEqualTo("idempotency-key-reused");
      assertThat(node.get(path).json().get("data").get("n").asInt()).isEqualTo(1);
    }

    @Test
    void retriedPatchesAndDeletesWriteOnce() {
      String path = doc();
      node.put(path, "{\"n\":1}");

      node.mergePatch(path, "{\"m\":1}", "Idempotency-Key", "p");
      var patchRetry = node.mergePatch(path, "{\"m\":1}", "Idempotency-Key", "p");
      node.delete(path, "Idempotency-Key", "d");
      var deleteRetry = node.delete(path, "Idempotency-Key", "d");

      assertThat(patchRetry.status()).isEqualTo(200);
      assertThat(patchRetry.version()).isEqualTo(2);
      assertThat(deleteRetry.status()).isEqualTo(200);
      assertThat(deleteRetry.version()).isEqualTo(3);
      assertThat(node.get(path + "/events").json().get("items")).hasSize(3);
    }

    @Test
    void aMalformedKeyIs400() {
      var refused = node.put(doc(), "{}", "Idempotency-Key", "x".repeat(256));

      assertThat(refused.status()).isEqualTo(400);
      assertThat(refused.problem()).isEqualTo("invalid-parameter");
    }
  }

  @Nested
  class History {

    @Test
    void eventsArePagedOldestFirstWithMetadata() {
      String path = doc();
      node.put(path, "{\"n\":1}", "X-Request-Id", "req-one");
      node.mergePatch(path, "{\"n\":2}");
      node.jsonPatch(path, "[{\"op\":\"replace\",\"path\":\"/n\",\"value\":3}]");
      node.delete(path);
      node.put(path, "{\"n\":5}");

      var first = node.get(path + "/events?limit=2");
      var second = node.get(path + "/events?limit=2&after=" + first.json().get("next").asLong());
      var last = node.get(path + "/events?limit=2&after=4");
      var beyond = node.get(path + "/events?after=5");

      JsonNode items = first.json().get("items");
      assertThat(items).hasSize(2);
      assertThat(items.get(0).get("version").asLong()).isEqualTo(1);
      assertThat(items.get(0).get("type").asText()).isEqualTo("created");
      assertThat(items.get(0).get("requestId").asText()).isEqualTo("req-one");
      assertThat(items.get(0).get("timestamp").asText()).endsWith("Z");
      assertThat(items.get(0).get("change").get("data").get("n").asInt()).isEqualTo(1);
      assertThat(items.get(1).get("type").asText()).isEqualTo("patched");
      assertThat(items.get(1).get("change").get("contentType").asText())
          .isEqualTo("application/merge-patch+json");
      assertThat(first.json().get("next").asLong()).isEqualTo(2);
      assertThat(second.json().get("items").get(0).get("version").asLong()).isEqualTo(3);
      assertThat(second.json().get("items").get(1).get("type").asText()).isEqualTo("deleted");
      assertThat(last.json().get("items")).hasSize(1);
      assertThat(last.json().get("next").isNull()).isTrue();
      assertThat(beyond.status()).isEqualTo(200);
      assertThat(beyond.json().get("items")).isEmpty();
    }

    @Test
    void theEventsOfADocumentThatNeverExistedAre404() {
      var missing = node.get(doc() + "/events");

      assertThat(missing.status()).isEqualTo(404);
      assertThat(missing.problem()).isEqualTo("not-found");
    }

    @Test
    void aBadPageParameterIs400() {
      String path = doc();
      node.put(path, "{}");

      assertThat(node.get(path + "/events?limit=0").problem()).isEqualTo("invalid-parameter");
      assertThat(node.get(path + "/events?after=-1").problem()).isEqualTo("invalid-parameter");
      assertThat(node.get(path + "/events?limit=x").problem()).isEqualTo("invalid-parameter");
    }

    @Test
    void aPastVersionReadsAsItWas() {
      String path = doc();
      node.put(path, "{\"n\":1}");
      node.put(path, "{\"n\":2}");

      var v1 = node.get(path + "?version=1");
      var v3 = node.get(path + "?version=3");

      assertThat(v1.status()).isEqualTo(200);
      assertThat(v1.header("ETag")).hasValue("\"1\"");
      assertThat(v1.json().get("data").get("n").asInt()).isEqualTo(1);
      assertThat(v3.status()).isEqualTo(404);
      assertThat(v3.problem()).isEqualTo("version-not-found");
    }

    @Test
    void aPastInstantReadsTheVersionCurrentThen() {
      String path = doc();
      var v1 = node.put(path, "{\"n\":1}");
      var v2 = node.put(path, "{\"n\":2}");
      String createdAt = v1.json().get("updatedAt").asText();
      String replacedAt = v2.json().get("updatedAt").asText();

      var atV1 = node.get(path + "?at=" + createdAt);
      var atV2 = node.get(path + "?at=" + replacedAt);
      var before = node.get(path + "?at=2000-01-01T00:00:00Z");

      assertThat(atV1.version()).isEqualTo(1);
      assertThat(atV2.version()).isEqualTo(2);
      assertThat(before.status()).isEqualTo(404);
    }

    @Test
    void aPastVersionThatIsADeletionIs404Deleted() {
      String path = doc();
      node.put(path, "{\"n\":1}");
      node.delete(path);

      assertThat(node.get(path + "?version=2").problem()).isEqualTo("deleted");
    }

    @Test
    void badTimeTravelParametersAre400() {
      String path = doc();
      node.put(path, "{}");

      assertThat(node.get(path + "?version=0").problem()).isEqualTo("invalid-parameter");
      assertThat(node.get(path + "?version=abc").problem()).isEqualTo("invalid-parameter");
      assertThat(node.get(path + "?at=yesterday").problem()).isEqualTo("invalid-parameter");
      assertThat(node.get(path + "?version=1&at=2026-01-01T00:00:00Z").problem())
          .isEqualTo("invalid-parameter");
    }

    @Test
    void aRevertWritesANewVersionEqualToTheOldOne() {
      String path = doc();
      node.put(path, "{\"n\":1}");
      node.put(path, "{\"n\":2,\"extra\":true}");

      var reverted = node.post(path + "/revert", "{\"version\":1}");

      assertThat(reverted.status()).isEqualTo(200);
      assertThat(reverted.version()).isEqualTo(3);
      assertThat(reverted.json().get("data").toString()).isEqualTo("{\"n\":1}");
      JsonNode event = node.get(path + "/events?after=2").json().get("items").get(0);
      assertThat(event.get("type").asText()).isEqualTo("reverted");
      assertThat(event.get("change").get("toVersion").asLong()).isEqualTo(1);
    }

    @Test
    void aRevertOfADeletedDocumentBringsItBack() {
      String path = doc();
      node.put(path, "{\"n\":1}");
      node.delete(path);

      var reverted = node.post(path + "/revert", "{\"version\":1}");

      assertThat(reverted.status()).isEqualTo(200);
      assertThat(node.get(path).json().get("data").get("n").asInt()).isEqualTo(1);
    }

    @Test
    void aRevertThatCannotBeDoneChangesNothing() {
      String path = doc();
      node.put(path, "{\"n\":1}");
      node.delete(path);
      node.put(path, "{\"n\":3}");

      var toDeletion = node.post(path + "/revert", "{\"version\":2}");
      var toFuture = node.post(path + "/revert", "{\"version\":9}");
      var stale = node.post(path + "/revert", "{\"version\":1}", "If-Match", "\"1\"");
      var badBody = node.post(path + "/revert", "{\"version\":\"one\"}");
      var missing = node.post(doc() + "/revert", "{\"version\":1}");

      assertThat(toDeletion.status()).isEqualTo(422);
      assertThat(toDeletion.problem()).isEqualTo("not-revertible");
      assertThat(toFuture.problem()).isEqualTo("version-not-found");
      assertThat(stale.status()).isEqualTo(412);
      assertThat(badBody.problem()).isEqualTo("invalid-parameter");
      assertThat(missing.problem()).isEqualTo("not-found");
      assertThat(node.get(path).version()).isEqualTo(3);
    }
  }

  @Nested
  class BadInput {

    @Test
    void malformedJsonIs400AndSaysWhere() {
      var refused = node.put(doc(), "{\"a\":");

      assertThat(refused.status()).isEqualTo(400);
      assertThat(refused.problem()).isEqualTo("malformed-json");
      assertThat(refused.json().get("detail").asText()).contains("line 1");
    }

    @Test
    void trailingGarbageAfterTheJsonIs400() {
      assertThat(node.put(doc(), "{} {}").problem()).isEqualTo("malformed-json");
    }

    @Test
    void anEmptyBodyIs400() {
      assertThat(node.put(doc(), "").problem()).isEqualTo("malformed-json");
    }

    @Test
    void jsonThatIsNotAnObjectIs422() {
      for (String body : new String[] {"[1,2]", "\"text\"", "42", "null"}) {
        var refused = node.put(doc(), body);
        assertThat(refused.status()).as(body).isEqualTo(422);
        assertThat(refused.problem()).isEqualTo("not-an-object");
      }
    }

    @Test
    void anUnsupportedContentTypeIs415() {
      String path = doc();

      var plain = node.send("PUT", path, "text/plain", "{}");
      var none = node.send("PUT", path, null, "{}");

      assertThat(plain.status()).isEqualTo(415);
      assertThat(plain.problem()).isEqualTo("unsupported-media-type");
      assertThat(none.status()).isEqualTo(415);
      assertThat(node.get(path).status()).isEqualTo(404);
    }

    @Test
    void aBodyOverTheLimitIs413AndWritesNothing() {
      String path = doc();
      String big = "{\"s\":\"" + "x".repeat(70 * 1024) + "\"}";

      var refused = node.put(path, big);

      assertThat(refused.status()).isEqualTo(413);
      assertThat(refused.problem()).isEqualTo("body-too-large");
      assertThat(node.get(path).status()).isEqualTo(404);
    }

    @Test
    void aChunkedBodyOverTheLimitIs413Too() {
      String path = doc();
      byte[] big = ("{\"s\":\"" + "x".repeat(70 * 1024) + "\"}").getBytes();
      HttpRequest request =
          node.request(path)
              .header("Content-Type", "application/json")
              .PUT(
                  HttpRequest.BodyPublishers.ofInputStream(
                      () -> new java.io.ByteArrayInputStream(big)))
              .build();

      var refused = node.send(request);

      assertThat(refused.status()).isEqualTo(413);
      assertThat(refused.problem()).isEqualTo("body-too-large");
      assertThat(node.get(path).status()).isEqualTo(404);
    }

    @Test
    void invalidAndReservedNamesAre400BeforeAnyActor() {
      assertThat(node.put("/v1/_system/x", "{}").problem()).isEqualTo("invalid-name");
      assertThat(node.put("/v1/notes/_x", "{}").problem()).isEqualTo("invalid-name");
      assertThat(node.put("/v1/no%7Cpe/x", "{}").problem()).isEqualTo("invalid-name");
      assertThat(node.put("/v1/notes/" + "i".repeat(129), "{}").problem())
          .isEqualTo("invalid-name");
      assertThat(node.get("/v1/notes/a%20b").problem()).isEqualTo("invalid-name");
      assertThat(node.post("/v1/_other", "{}").problem()).isEqualTo("invalid-name");
      assertThat(node.post("/v1/_changes", "{}").problem()).isEqualTo("method-not-allowed");
    }

    @Test
    void anUnknownPathIs404AndAWrongMethodIs405WithAllow() {
      var unknown = node.get("/v2/anything");
      var wrongMethod = node.send("POST", doc(), "application/json", "{}");

      assertThat(unknown.status()).isEqualTo(404);
      assertThat(unknown.problem()).isEqualTo("no-such-route");
      assertThat(wrongMethod.status()).isEqualTo(405);
      assertThat(wrongMethod.problem()).isEqualTo("method-not-allowed");
      assertThat(wrongMethod.header("Allow")).hasValue("GET, PUT, PATCH, DELETE");
      String collection = doc().substring(0, doc().lastIndexOf('/'));
      assertThat(node.send("DELETE", collection, "application/json", "{}").header("Allow"))
          .hasValue("GET, POST");
    }

    @Test
    void unknownDocumentsAre404() {
      var missing = node.get(doc());

      assertThat(missing.status()).isEqualTo(404);
      assertThat(missing.problem()).isEqualTo("not-found");
      assertThat(missing.json().get("instance").asText()).startsWith("/v1/notes/");
    }
  }

  @Nested
  class Operations {

    @Test
    void everyResponseCarriesARequestIdAndAClientsIdIsKept() {
      var generated = node.get("/health/alive");
      var kept = node.get("/v2/nothing", "X-Request-Id", "client-42");
      var unsafe = node.get("/health/alive", "X-Request-Id", "bad id with spaces");

      assertThat(generated.header("X-Request-Id")).isPresent();
      assertThat(kept.header("X-Request-Id")).hasValue("client-42");
      assertThat(unsafe.header("X-Request-Id").orElseThrow()).doesNotContain(" ");
    }

    @Test
    void theNodeIsAliveAndReady() {
      assertThat(node.get("/health/alive").json().get("status").asText()).isEqualTo("alive");
      assertThat(node.get("/health/ready").json().get("status").asText()).isEqualTo("ready");
    }

    @Test
    void theOpenApiDocumentIsServed() {
      var openApi = node.get("/openapi.json");

      assertThat(openApi.status()).isEqualTo(200);
      assertThat(openApi.json().get("openapi").asText()).startsWith("3.1");
    }
  }
}

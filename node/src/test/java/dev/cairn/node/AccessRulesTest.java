package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-collection access rules on a cluster of two nodes sharing one PostgreSQL journal: collections
 * are defined through node A and every request goes through node C, so a document's entity is often
 * on the other node and the caller travels with each command.
 */
class AccessRulesTest {

  private static final String SECRET = "the-access-rules-test-secret-of-32+-bytes";
  private static final List<TestNode> nodes = new ArrayList<>();
  private static TestNode a;
  private static TestNode c;

  private static final String[] ROOT = bearer("root", "admin");
  private static final String[] ALICE = bearer("alice");
  private static final String[] BOB = bearer("bob");
  private static final String[] ERIN = bearer("erin", "editor");

  @BeforeAll
  static void startCluster(@TempDir Path dataDir) throws Exception {
    nodes.addAll(
        TestNode.cluster(
            dataDir, 2, Map.of("cairn.auth.mode", "jwt", "cairn.auth.jwt.secret", SECRET)));
    a = nodes.get(0);
    c = nodes.get(1);
    define(
        "posts",
        "{\"owner\":\"/author\",\"rules\":{\"read\":[\"public\"],\"create\":[\"authenticated\"],"
            + "\"update\":[\"owner\",\"role:editor\"],\"delete\":[\"owner\"]},"
            + "\"indexes\":{\"author\":{\"path\":\"/author\",\"type\":\"string\"}}}");
    define(
        "diary",
        "{\"owner\":\"/owner\",\"rules\":{\"read\":[\"owner\"],\"create\":[\"authenticated\"],"
            + "\"update\":[\"owner\"],\"delete\":[\"owner\"]}}");
    define("guestbook", "{\"rules\":{\"read\":[\"public\"],\"create\":[\"public\"]}}");
    // Definitions reach a node's registry in journal order: once the last is in force on C, all
    // are.
    String last = "zz" + UUID.randomUUID().toString().substring(0, 8);
    define(last, "{\"rules\":{\"read\":[\"public\"]}}");
    Await.until(
        "node C knows the rules defined through node A",
        () -> c.get("/v1/" + last + "/x").status() == 404);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
  }

  private static void define(String collection, String definition) {
    var defined = a.put("/v1/_collections/" + collection, definition, ROOT);
    assertThat(defined.status()).as(defined.body()).isIn(200, 201);
  }

  private static String[] bearer(String subject, String... roles) {
    try {
      JWTClaimsSet claims =
          new JWTClaimsSet.Builder()
              .subject(subject)
              .expirationTime(Date.from(Instant.now().plusSeconds(3600)))
              .claim("roles", List.of(roles))
              .build();
      SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
      jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
      return new String[] {"Authorization", "Bearer " + jwt.serialize()};
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void aPublicCollectionIsReadByAnyoneAndChangedOnlyAsItsRulesSay() {
    String post = "/v1/posts/" + unique("p");

    assertThat(c.put(post, "{\"author\":\"alice\",\"text\":\"hi\"}", ALICE).status())
        .isEqualTo(201);
    assertThat(c.get(post).status()).isEqualTo(200);
    var anonymousWrite = c.put(post, "{\"author\":\"alice\",\"text\":\"spam\"}");
    assertThat(anonymousWrite.status()).isEqualTo(401);
    assertThat(anonymousWrite.header("WWW-Authenticate"))
        .hasValueSatisfying(value -> assertThat(value).startsWith("Bearer"));
    var bobsWrite = c.put(post, "{\"author\":\"alice\",\"text\":\"bob was here\"}", BOB);
    assertThat(bobsWrite.status()).isEqualTo(403);
    assertThat(bobsWrite.problem()).isEqualTo("forbidden");
    assertThat(bobsWrite.header("ETag")).isEmpty();
    assertThat(c.mergePatch(post, "{\"text\":\"edited\"}", ERIN).status()).isEqualTo(200);
    var handedOver = c.mergePatch(post, "{\"author\":\"erin\"}", ERIN);
    assertThat(handedOver.status()).isEqualTo(403);
    assertThat(handedOver.json().get("detail").asText()).contains("only an administrator");
    assertThat(c.delete(post, ERIN).status()).isEqualTo(403);
    assertThat(c.delete(post, BOB).status()).isEqualTo(403);

    JsonNode document = c.get(post).json();
    assertThat(document.get("version").asLong()).as("only the allowed writes").isEqualTo(2);
    assertThat(document.get("data").get("text").asText()).isEqualTo("edited");
    assertThat(c.delete(post, ALICE).status()).isIn(200, 204);
  }

  @Test
  void aDocumentIsCreatedOnlyInTheCallersOwnName() {
    var forBob = c.put("/v1/posts/" + unique("p"), "{\"author\":\"bob\"}", ALICE);
    var unnamed = c.post("/v1/posts", "{\"text\":\"who?\"}", ALICE);
    var byRoot = c.put("/v1/posts/" + unique("p"), "{\"author\":\"bob\"}", ROOT);

    assertThat(forBob.status()).isEqualTo(403);
    assertThat(forBob.json().get("detail").asText()).contains("/author", "\"alice\"");
    assertThat(unnamed.status()).isEqualTo(403);
    assertThat(byRoot.status()).as("an administrator may").isEqualTo(201);
  }

  @Test
  void anAnonymousCallerWritesWhereTheRulesArePublicAndHistoryShowsIt() {
    var signed = c.post("/v1/guestbook", "{\"text\":\"lovely\"}");
    assertThat(signed.status()).isEqualTo(201);
    String path = "/v1/guestbook/" + signed.json().get("id").asText();

    assertThat(c.get(path + "/events").json().get("items").get(0).get("principal").asText())
        .isEqualTo("anonymous");
    assertThat(c.mergePatch(path, "{\"text\":\"changed\"}").status()).isEqualTo(401);
    assertThat(c.mergePatch(path, "{\"text\":\"changed\"}", BOB).status()).isEqualTo(200);
  }

  @Test
  void aPrivateDocumentIsNotFoundForAnyoneButItsOwnerWhateverTheyAsk() {
    String path = "/v1/diary/" + unique("d");
    assertThat(c.put(path, "{\"owner\":\"alice\",\"text\":\"secret\"}", ALICE).status())
        .isEqualTo(201);

    assertThat(c.get(path, ALICE).status()).isEqualTo(200);
    assertThat(c.get(path + "/events", ALICE).status()).isEqualTo(200);
    assertThat(c.get(path + "?version=1", ALICE).status()).isEqualTo(200);
    List<HttpResponseView> asBob =
        List.of(
            c.get(path, BOB),
            c.get(path + "?version=1", BOB),
            c.get(path + "?at=2030-01-01T00:00:00Z", BOB),
            c.get(path + "/events", BOB),
            c.put(path, "{\"owner\":\"bob\"}", BOB),
            c.mergePatch(path, "{\"text\":\"read it\"}", BOB),
            c.delete(path, BOB),
            c.post(path + "/revert", "{\"version\":1}", BOB));
    for (HttpResponseView response : asBob) {
      assertThat(response.status()).as(response.body()).isEqualTo(404);
      assertThat(response.problem()).isEqualTo("not-found");
      assertThat(response.header("ETag")).isEmpty();
      assertThat(response.body()).doesNotContain("secret");
    }
    assertThat(c.get(path).status()).isEqualTo(401);
    assertThat(c.get(path, ROOT).json().get("version").asLong())
        .as("nothing bob sent was written")
        .isEqualTo(1);
  }

  @Test
  void aRetriedWriteIsAnsweredWithItsFirstResultOnlyToACallerWhoMayReadIt() {
    String path = "/v1/diary/" + unique("d");
    String body = "{\"owner\":\"alice\",\"text\":\"only mine\"}";
    String[] key = {"Idempotency-Key", unique("k")};

    var first = c.put(path, body, concat(ALICE, key));
    var bobsReplay = c.put(path, body, concat(BOB, key));
    var alicesRetry = c.put(path, body, concat(ALICE, key));

    assertThat(first.status()).isEqualTo(201);
    assertThat(bobsReplay.status()).isEqualTo(404);
    assertThat(bobsReplay.body()).doesNotContain("only mine");
    assertThat(alicesRetry.status()).isEqualTo(201);
    assertThat(alicesRetry.version()).isEqualTo(1);
  }

  @Test
  void anIdempotencyKeyIsItsCallersOwn() {
    String path = "/v1/shared/" + unique("s");
    String[] key = {"Idempotency-Key", unique("k")};

    var alices = c.put(path, "{\"by\":\"alice\"}", concat(ALICE, key));
    var bobs = a.put(path, "{\"by\":\"bob\"}", concat(BOB, key));

    assertThat(alices.status()).isEqualTo(201);
    assertThat(bobs.status()).as("bob's own write, not a reuse of alice's key").isEqualTo(200);
    assertThat(bobs.version()).isEqualTo(2);
  }

  private static String[] concat(String[] first, String[] second) {
    String[] both = java.util.Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, both, first.length, second.length);
    return both;
  }

  @Test
  void listsAndTheChangeFeedShowEachCallerTheirOwnPrivateDocuments() throws Exception {
    Set<String> alices = new HashSet<>();
    Set<String> bobs = new HashSet<>();
    String batch = unique("b");
    for (int i = 0; i < 6; i++) {
      String id = batch + "-a" + i;
      TestNode through = i % 2 == 0 ? a : c;
      assertThat(through.put("/v1/diary/" + id, "{\"owner\":\"alice\"}", ALICE).status())
          .isEqualTo(201);
      alices.add(id);
    }
    for (int i = 0; i < 4; i++) {
      String id = batch + "-b" + i;
      TestNode through = i % 2 == 0 ? a : c;
      assertThat(through.put("/v1/diary/" + id, "{\"owner\":\"bob\"}", BOB).status())
          .isEqualTo(201);
      bobs.add(id);
    }

    Await.until(
        "the read model has every diary entry",
        () ->
            ids(c.get("/v1/diary?limit=1000", ROOT).json()).containsAll(alices)
                && ids(c.get("/v1/diary?limit=1000", ROOT).json()).containsAll(bobs));
    Set<String> bobSees = ids(c.get("/v1/diary?limit=1000", BOB).json());
    assertThat(bobSees).containsAll(bobs).doesNotContainAnyElementsOf(alices);
    assertThat(ids(c.get("/v1/diary?limit=1000&where._owner=alice", BOB).json())).isEmpty();
    assertThat(ids(c.get("/v1/diary?limit=1000&where._owner=alice", ROOT).json()))
        .containsAll(alices);
    assertThat(c.get("/v1/diary").status()).isEqualTo(401);

    // Alice's entries were written first: an unfiltered feed would start with them.
    Set<String> fed = new HashSet<>();
    for (TestClient.SseEvent event : c.events("/v1/diary/_changes", bobSees.size(), BOB)) {
      fed.add(event.json().get("id").asText());
    }
    assertThat(fed).isEqualTo(bobSees);
  }

  @Test
  void aRuleChangedThroughOneNodeIsEnforcedThroughTheOtherSoonAfter() throws Exception {
    String board = unique("board");
    List<String> paths = new ArrayList<>();
    for (int d = 0; d < 12; d++) {
      String path = "/v1/" + board + "/d" + d;
      assertThat(c.put(path, "{\"n\":" + d + "}", ALICE).status()).isEqualTo(201);
      paths.add(path);
    }

    define(board, "{\"rules\":{\"read\":[\"role:reader\"],\"update\":[\"role:editor\"]}}");
    long definedAt = System.nanoTime();
    Set<String> refused = new HashSet<>();
    Await.until(
        "reads of every document through the other node are refused",
        () -> {
          for (String path : paths) {
            if (!refused.contains(path) && c.get(path, ALICE).status() == 403) {
              refused.add(path);
            }
          }
          return refused.size() == paths.size();
        });
    long inForceMillis = (System.nanoTime() - definedAt) / 1_000_000;

    assertThat(c.mergePatch(paths.get(0), "{\"n\":-1}", ALICE).problem()).isEqualTo("forbidden");
    assertThat(c.mergePatch(paths.get(0), "{\"n\":-1}", ERIN).status()).isEqualTo(200);
    assertThat(c.get(paths.get(0), bearer("rita", "reader")).status()).isEqualTo(200);
    System.out.println(
        "AccessRulesTest: a rule written through one node was in force for reads of 12 documents"
            + " through another after "
            + inForceMillis
            + " ms");
  }

  private static Set<String> ids(JsonNode page) {
    Set<String> ids = new HashSet<>();
    page.get("items").forEach(item -> ids.add(item.get("id").asText()));
    return ids;
  }
}

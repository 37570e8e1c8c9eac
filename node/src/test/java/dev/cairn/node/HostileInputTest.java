package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The requests that once crashed a node, poisoned what it had stored, or slipped past its routes
 * (issue 11), each against a real node on a real port: every one is a 4xx problem, writes nothing
 * it should not, and leaves the node serving.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputTest {

  private TestNode node;

  @BeforeAll
  void start(@TempDir Path dataDir) throws Exception {
    node =
        TestNode.start(
            dataDir,
            Map.of(
                "cairn.limits.body-read-timeout", "1s",
                "cairn.limits.max-streams-per-client", 2,
                "cairn.limits.max-streams", 3));
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
  }

  /** The node still answers, and a document written before is still there. */
  private void stillServing() {
    assertThat(node.get("/health/alive").status()).isEqualTo(200);
    node.put("/v1/canary/c", "{\"alive\":true}");
    assertThat(node.get("/v1/canary/c").json().at("/data/alive").asBoolean()).isTrue();
  }

  @Nested
  class Schemas {

    @Test
    void aSchemaThatRefersToItselfWithoutEndIsRefusedWhenDefined() {
      var defined = node.put("/v1/_collections/boom", "{\"schema\":{\"$ref\":\"#\"}}");

      assertThat(defined.status()).isEqualTo(422);
      assertThat(defined.problem()).isEqualTo("invalid-definition");
      assertThat(node.get("/v1/_collections/boom").status()).isEqualTo(404);
      stillServing();
    }

    @Test
    void aSchemaThatRecursesForSomeDocumentsRefusesThoseWrites() {
      node.put(
          "/v1/_collections/loops",
          "{\"schema\":{\"properties\":{\"a\":{\"$ref\":\"#/properties/a\"}}}}");

      var refused = node.put("/v1/loops/x", "{\"a\":1}");
      var accepted = node.put("/v1/loops/y", "{\"b\":1}");

      assertThat(refused.status()).isEqualTo(422);
      assertThat(refused.problem()).isEqualTo("limit-exceeded");
      assertThat(node.get("/v1/loops/x").status()).isEqualTo(404);
      assertThat(accepted.status()).isEqualTo(201);
      stillServing();
    }

    @Test
    void referencesOutsideTheSchemaAreRefused() {
      var defined =
          node.put("/v1/_collections/leaky", "{\"schema\":{\"$ref\":\"classpath:logback.xml\"}}");

      assertThat(defined.status()).isEqualTo(422);
      assertThat(defined.json().at("/errors/0/path").asText()).isEqualTo("/schema/$ref");
    }

    @Test
    void aSchemaNestedFiveHundredDeepIsRefusedAsTooDeep() {
      String schema = "{\"items\":".repeat(500) + "{}" + "}".repeat(500);

      var defined = node.put("/v1/_collections/deep", "{\"schema\":" + schema + "}");

      assertThat(defined.status()).isEqualTo(422);
      assertThat(defined.problem()).isEqualTo("limit-exceeded");
    }

    @Test
    void aPatternThatBacktracksIsStoppedAndTheDocumentAnswersOtherRequests() {
      node.put(
          "/v1/_collections/slow",
          "{\"schema\":{\"properties\":{\"s\":{\"type\":\"string\",\"pattern\":\"^(a+)+$\"}}}}");
      node.put("/v1/slow/x", "{\"s\":\"aaa\"}");

      var refused = node.put("/v1/slow/x", "{\"s\":\"" + "a".repeat(30_000) + "!\"}");

      assertThat(refused.status()).isEqualTo(422);
      assertThat(refused.json().get("detail").asText()).contains("cairn.limits.validation-timeout");
      assertThat(node.get("/v1/slow/x").json().at("/data/s").asText()).isEqualTo("aaa");
    }
  }

  @Nested
  class Documents {

    @Test
    void copiesIntoItselfThatWouldDoubleTheDocumentWriteNothing() {
      node.put("/v1/h/copies", "{\"a\":{\"b\":1}}");
      StringBuilder patch = new StringBuilder("[");
      for (int i = 0; i < 30; i++) {
        patch
            .append(i == 0 ? "" : ",")
            .append("{\"op\":\"copy\",\"from\":\"\",\"path\":\"/c")
            .append(i)
            .append("\"}");
      }

      var refused = node.jsonPatch("/v1/h/copies", patch + "]");

      assertThat(refused.status()).isEqualTo(422);
      assertThat(refused.problem()).isEqualTo("limit-exceeded");
      assertThat(node.get("/v1/h/copies").header("ETag")).hasValue("\"1\"");
      stillServing();
    }

    @Test
    void aPatchThatWouldNestTheDocumentTooDeeplyWritesNothingAndHistoryStaysReadable() {
      node.put("/v1/h/deepens", "{\"a\":".repeat(30) + "{}" + "}".repeat(30));
      String value = "{\"b\":".repeat(40) + "{}" + "}".repeat(40);

      var refused =
          node.jsonPatch(
              "/v1/h/deepens",
              "[{\"op\":\"add\",\"path\":\"" + "/a".repeat(30) + "/b\",\"value\":" + value + "}]");

      assertThat(refused.status()).isEqualTo(422);
      assertThat(refused.json().get("detail").asText()).contains("cairn.limits.max-depth");
      assertThat(node.get("/v1/h/deepens/events").status()).isEqualTo(200);
      assertThat(node.get("/v1/h/deepens?version=1").status()).isEqualTo(200);
    }

    @Test
    void aDocumentNestedAThousandLevelsIsRefusedAtOnce() {
      String deep = "{\"a\":".repeat(999) + "{}" + "}".repeat(999);

      var refused = node.put("/v1/h/thousand", deep);

      assertThat(refused.status()).isEqualTo(422);
      assertThat(refused.problem()).isEqualTo("limit-exceeded");
    }

    @Test
    void numbersBeyondADoubleAreRefused() {
      for (String number : new String[] {"1e2147483648", "1e999999999", "-1e-2147483649"}) {
        var refused = node.put("/v1/h/numbers", "{\"n\":" + number + "}");

        assertThat(refused.status()).as(number).isEqualTo(422);
        assertThat(refused.problem()).isEqualTo("limit-exceeded");
      }
      assertThat(node.get("/v1/h/numbers").status()).isEqualTo(404);
    }

    @Test
    void loneSurrogatesInValuesAndNamesAreMalformed() {
      var inValue = node.put("/v1/h/surrogates", "{\"s\":\"\\ud800\"}");
      var inName = node.put("/v1/h/surrogates", "{\"\\udfff\":1}");

      assertThat(inValue.status()).isEqualTo(400);
      assertThat(inValue.problem()).isEqualTo("malformed-json");
      assertThat(inName.status()).isEqualTo(400);
      stillServing();
    }

    @Test
    void aRevertToAVersionBeyondALongIsRefusedNotWrappedAround() {
      node.put("/v1/h/reverts", "{\"v\":1}");
      node.put("/v1/h/reverts", "{\"v\":2}");

      var refused = node.post("/v1/h/reverts/revert", "{\"version\":18446744073709551617}");

      assertThat(refused.status()).isEqualTo(400);
      assertThat(node.get("/v1/h/reverts").json().at("/data/v").asInt()).isEqualTo(2);
    }

    @Test
    void aSnapshotIntervalBeyondALongIsRefusedNotWrappedAround() {
      var refused = node.put("/v1/_collections/wraps", "{\"snapshotEvery\":18446744073709551617}");

      assertThat(refused.status()).isEqualTo(422);
      assertThat(refused.json().at("/errors/0/path").asText()).isEqualTo("/snapshotEvery");
    }

    @Test
    void aMemberNamedTwiceIsRefused() {
      var refused = node.put("/v1/h/twice", "{\"a\":1,\"a\":2}");

      assertThat(refused.status()).isEqualTo(400);
      assertThat(refused.problem()).isEqualTo("malformed-json");
    }
  }

  @Nested
  class Http {

    @Test
    void aBodyShorterThanItsContentLengthGets408AndTheConnectionCloses() throws IOException {
      var exchange =
          RawHttp.send(
              node.port(),
              RawHttp.bytes(
                  "PUT /v1/h/short HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n",
                  "Content-Length: 100\r\n\r\n{\"a\":1}"),
              10_000);

      assertThat(exchange.statuses()).containsExactly(408);
      assertThat(exchange.hasHeader("Content-Type: application/problem+json")).isTrue();
      assertThat(exchange.closedByServer()).isTrue();
    }

    @Test
    void dotSegmentsAreRefusedEncodedOrNot() throws IOException {
      for (String path :
          new String[] {"/v1/%2E%2E/admin/cluster", "/v1/../admin/cluster", "/v1/notes/%2e/x"}) {
        var exchange =
            RawHttp.send(
                node.port(), RawHttp.bytes("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n"), 5_000);

        assertThat(exchange.statuses()).as(path).containsExactly(400);
        assertThat(exchange.body()).contains("malformed-request");
      }
    }

    @Test
    void aHeaderThatSwallowsTheNextLineIsRefusedAndNothingAfterItIsServed() throws IOException {
      String smuggled = "GET /admin/cluster HTTP/1.1\r\nHost: x\r\n\r\n";
      for (int lead : new int[] {0xC3, 0xE0, 0xF0}) {
        var exchange =
            RawHttp.send(
                node.port(),
                RawHttp.bytes(
                    "POST /v1/h/smuggle HTTP/1.1\r\nHost: x\r\nX-A: abc" + (char) lead + "\r\n",
                    "Content-Length: " + smuggled.length() + "\r\n",
                    "Content-Type: application/json\r\n\r\n",
                    smuggled),
                5_000);

        assertThat(exchange.statuses()).as("lead byte %x", lead).containsExactly(400);
        assertThat(exchange.text()).doesNotContain("members");
        assertThat(exchange.closedByServer()).isTrue();
      }
    }

    @Test
    void errorsOfTheHttpLayerItselfAreProblems() throws IOException {
      var noHost = RawHttp.send(node.port(), RawHttp.bytes("GET /v1/h/x HTTP/1.1\r\n\r\n"), 5_000);
      var badHeader =
          RawHttp.send(
              node.port(),
              RawHttp.bytes("GET /v1/h/x HTTP/1.1\r\nHost: x\r\nBad Name: y\r\n\r\n"),
              5_000);
      var method =
          RawHttp.send(
              node.port(), RawHttp.bytes("FOO /v1/h/x HTTP/1.1\r\nHost: x\r\n\r\n"), 5_000);
      var longUri =
          RawHttp.send(
              node.port(),
              RawHttp.bytes("GET /v1/h/" + "a".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n\r\n"),
              5_000);
      var bigHeader =
          RawHttp.send(
              node.port(),
              RawHttp.bytes(
                  "GET /v1/h/x HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(9000) + "\r\n\r\n"),
              5_000);
      var version =
          RawHttp.send(node.port(), RawHttp.bytes("GET / HTTP/1.7\r\nHost: x\r\n\r\n"), 5_000);

      assertThat(noHost.statuses()).containsExactly(400);
      assertThat(badHeader.statuses()).containsExactly(400);
      assertThat(method.statuses()).containsExactly(501);
      assertThat(longUri.statuses()).containsExactly(414);
      assertThat(bigHeader.statuses()).containsExactly(431);
      assertThat(version.statuses()).containsExactly(505);
      for (var exchange : List.of(noHost, badHeader, method, longUri, bigHeader, version)) {
        assertThat(exchange.hasHeader("Content-Type: application/problem+json"))
            .as(exchange.text())
            .isTrue();
        assertThat(exchange.body()).startsWith("{\"type\":\"https://cairn.dev/problems/");
      }
    }
  }

  @Nested
  class Streams {

    @Test
    void aClientHoldsAtMostItsShareOfChangeFeedStreams() throws Exception {
      InetAddress client = InetAddress.getByName("127.0.0.1");
      List<Socket> open = new ArrayList<>();
      try {
        // Streams of other tests hold their slots until the node next writes to them.
        Await.until(
            "two streams of one client are open",
            () -> {
              try {
                Socket stream = openStream(client, -1);
                if (statusOf(stream) == 200) {
                  open.add(stream);
                } else {
                  stream.close();
                }
                return open.size() == 2;
              } catch (IOException e) {
                return false;
              }
            });
        Socket third = openStream(client, 429);
        String refusal = rest(third);
        third.close();

        assertThat(refusal).contains("Retry-After").contains("cairn.limits.max-streams-per-client");
      } finally {
        for (Socket socket : open) {
          socket.close();
        }
      }
    }

    @Test
    void theNodeKeepsConnectionsForOrdinaryRequestsWhenItsStreamsAreFull() throws Exception {
      List<Socket> open = new ArrayList<>();
      try {
        // Streams of other tests may still hold slots until the node next writes to them.
        int refusedAt = -1;
        for (int client = 2; client <= 5 && refusedAt < 0; client++) {
          Socket stream = openStream(InetAddress.getByName("127.0.0." + client), -1);
          open.add(stream);
          if (statusOf(stream) == 429) {
            refusedAt = client;
          }
        }

        assertThat(refusedAt).as("a fourth client's stream is refused").isBetween(2, 5);
        assertThat(rest(open.get(open.size() - 1))).contains("cairn.limits.max-streams)");
        assertThat(node.get("/health/alive").status()).isEqualTo(200);
      } finally {
        for (Socket socket : open) {
          socket.close();
        }
      }
    }

    /** A change-feed request from {@code client}; {@code expected} is checked unless negative. */
    private Socket openStream(InetAddress client, int expected) throws IOException {
      Socket socket = new Socket();
      socket.bind(new InetSocketAddress(client, 0));
      socket.connect(new InetSocketAddress("127.0.0.1", node.port()));
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              "GET /v1/_changes?since=0 HTTP/1.1\r\nHost: x\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      if (expected >= 0) {
        assertThat(statusOf(socket)).isEqualTo(expected);
      }
      return socket;
    }

    /** The headers and body after the status line of a response that has a Content-Length. */
    private String rest(Socket socket) throws IOException {
      InputStream in = socket.getInputStream();
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        head.append((char) in.read());
      }
      java.util.regex.Matcher length =
          java.util.regex.Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
      assertThat(length.find()).as(head.toString()).isTrue();
      return head
          + new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.UTF_8);
    }

    private int statusOf(Socket socket) throws IOException {
      InputStream in = socket.getInputStream();
      StringBuilder line = new StringBuilder();
      for (int c; (c = in.read()) >= 0 && c != '\n'; ) {
        line.append((char) c);
      }
      return Integer.parseInt(line.substring(9, 12));
    }
  }
}

package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Behind a proxy every request comes from the proxy's address. A node that trusts the proxy ({@code
 * CAIRN_TRUSTED_PROXIES}) counts each request against the client its {@code X-Forwarded-For} names;
 * a node that does not ignores the header, which a client could otherwise fill with a new address
 * for every request. The test's own address, 127.0.0.1, plays the proxy; anonymous callers are
 * limited by address to 2 requests an hour.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrustedProxiesTest {

  @TempDir static Path dir;
  private TestNode behindProxy;
  private TestNode direct;

  @BeforeAll
  void start() throws Exception {
    Map<String, Object> limited = Map.of("cairn.limits.rate-limit", "2/1h");
    behindProxy =
        TestNode.start(
            dir.resolve("proxied"),
            Map.of(
                "cairn.limits.rate-limit", "2/1h",
                "cairn.http.trusted-proxies", "127.0.0.0/8, ::1"));
    direct = TestNode.start(dir.resolve("direct"), limited);
  }

  @AfterAll
  void stop() throws Exception {
    behindProxy.close();
    direct.close();
  }

  private static int get(TestNode node, String forwardedFor) {
    return node.get("/openapi.json", "X-Forwarded-For", forwardedFor).status();
  }

  @Test
  void aTrustedProxysClientsEachHaveTheirOwnBudget() {
    assertThat(get(behindProxy, "203.0.113.7")).isEqualTo(200);
    assertThat(get(behindProxy, "203.0.113.7")).isEqualTo(200);
    assertThat(get(behindProxy, "203.0.113.7")).as("the client's budget is spent").isEqualTo(429);

    assertThat(get(behindProxy, "203.0.113.8")).as("another client").isEqualTo(200);
    assertThat(get(behindProxy, "203.0.113.9, 127.0.0.1"))
        .as("past every trusted hop, the first untrusted address is the client")
        .isEqualTo(200);
    assertThat(get(behindProxy, "203.0.113.9, 127.0.0.1")).isEqualTo(200);
    assertThat(get(behindProxy, "203.0.113.9")).isEqualTo(429);
  }

  @Test
  void whatAClientWritesLeftOfItsOwnAddressIsNotBelieved() {
    // The client sent "X-Forwarded-For: 198.51.100.1"; the proxy appended the client's own address.
    assertThat(get(behindProxy, "198.51.100.1, 192.0.2.44")).isEqualTo(200);
    assertThat(get(behindProxy, "198.51.100.2, 192.0.2.44")).isEqualTo(200);
    assertThat(get(behindProxy, "198.51.100.3, 192.0.2.44"))
        .as("counted against 192.0.2.44 however it fills the header")
        .isEqualTo(429);
    assertThat(get(behindProxy, "not-an-address"))
        .as("a hop that is no address leaves the proxy as the client")
        .isEqualTo(200);
  }

  @Test
  void withoutTrustedProxiesTheHeaderIsIgnored() {
    assertThat(get(direct, "203.0.113.1")).isEqualTo(200);
    assertThat(get(direct, "203.0.113.2")).isEqualTo(200);
    assertThat(get(direct, "203.0.113.3")).isEqualTo(429);
  }
}

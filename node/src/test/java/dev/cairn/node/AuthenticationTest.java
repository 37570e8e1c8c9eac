package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bearer tokens through a real port: secure by default, and the attacks on JWT verification, each a
 * 401 that writes nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthenticationTest {

  private static final String SECRET = "a-test-secret-of-at-least-32-bytes!!";
  private static final String ISSUER = "https://issuer.example";
  private static final String AUDIENCE = "cairn-tests";

  private TestNode hs256;
  private TestNode jwks;
  private RSAKey rsa;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    hs256 =
        TestNode.start(
            dir.resolve("hs256"),
            Map.of(
                "cairn.auth.mode", "jwt",
                "cairn.auth.jwt.secret", SECRET,
                "cairn.auth.jwt.issuer", ISSUER,
                "cairn.auth.jwt.audience", AUDIENCE));
    rsa = new RSAKeyGenerator(2048).keyID("k1").generate();
    Path keys = dir.resolve("jwks.json");
    Files.writeString(keys, new JWKSet(rsa.toPublicJWK()).toString());
    jwks =
        TestNode.start(
            dir.resolve("jwks"),
            Map.of("cairn.auth.mode", "jwt", "cairn.auth.jwt.jwks-file", keys.toString()));
  }

  @AfterAll
  void stop() throws Exception {
    jwks.close();
    hs256.close();
  }

  /** A token the HS256 node accepts, with the claims given changed. */
  private static String token(String subject, List<String> roles, Map<String, Object> changes)
      throws Exception {
    return sign(claims(subject, roles, changes), SECRET);
  }

  private static JWTClaimsSet claims(
      String subject, List<String> roles, Map<String, Object> changes) {
    Instant now = Instant.now();
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .subject(subject)
            .issuer(ISSUER)
            .audience(AUDIENCE)
            .expirationTime(Date.from(now.plusSeconds(600)))
            .claim("roles", roles);
    changes.forEach(claims::claim);
    return claims.build();
  }

  private static String sign(JWTClaimsSet claims, String secret) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
    return jwt.serialize();
  }

  private static String[] bearer(String token) {
    return new String[] {"Authorization", "Bearer " + token};
  }

  @Nested
  class SecureByDefault {

    @Test
    void anAnonymousClientCanNeitherReadNorWriteNorReachAdmin() {
      var write = hs256.put("/v1/notes/anon", "{\"a\":1}");
      var read = hs256.get("/v1/notes/anon");
      var list = hs256.get("/v1/notes");
      var admin = hs256.get("/admin/cluster");
      var define = hs256.put("/v1/_collections/notes", "{}");

      for (var response : List.of(write, read, list, admin, define)) {
        assertThat(response.status()).as(response.toString()).isEqualTo(401);
        assertThat(response.problem()).isEqualTo("unauthorized");
        assertThat(response.header("WWW-Authenticate")).hasValue("Bearer realm=\"cairn\"");
      }
    }

    @Test
    void healthAndTheApiDescriptionAreOpenForProbes() {
      assertThat(hs256.get("/health/alive").status()).isEqualTo(200);
      assertThat(hs256.get("/health/ready").status()).isEqualTo(200);
      assertThat(hs256.get("/openapi.json").status()).isEqualTo(200);
    }

    @Test
    void aUserWritesAndTheEventNamesThem() throws Exception {
      String[] alice = bearer(token("alice", List.of(), Map.of()));

      var written = hs256.put("/v1/notes/by-alice", "{\"a\":1}", alice);
      var events = hs256.get("/v1/notes/by-alice/events", alice);

      assertThat(written.status()).isEqualTo(201);
      assertThat(events.json().at("/items/0/principal").asText()).isEqualTo("alice");
    }

    @Test
    void adminEndpointsAndDefinitionsNeedTheAdminRole() throws Exception {
      String[] user = bearer(token("bob", List.of("editor"), Map.of()));
      String[] admin = bearer(token("root", List.of("admin"), Map.of()));

      assertThat(hs256.get("/admin/cluster", user).problem()).isEqualTo("forbidden");
      assertThat(hs256.put("/v1/_collections/guarded", "{}", user).status()).isEqualTo(403);
      assertThat(hs256.get("/health/read-model", user).status()).isEqualTo(403);
      assertThat(hs256.get("/admin/cluster", admin).status()).isEqualTo(200);
      assertThat(hs256.put("/v1/_collections/guarded", "{}", admin).status()).isEqualTo(201);
    }

    @Test
    void aTokenInTheQueryStringIsNotRead() throws Exception {
      String token = token("alice", List.of(), Map.of());

      var response = hs256.get("/v1/notes/by-alice?access_token=" + token);

      assertThat(response.status()).isEqualTo(401);
    }
  }

  /** Each attack is refused with 401 invalid-token and writes nothing. */
  @Nested
  class Attacks {

    private void refused(TestNode node, String token, String attack) throws Exception {
      String path = "/v1/attacks/" + attack;
      var response = node.put(path, "{\"a\":1}", bearer(token));

      assertThat(response.status()).as(attack + ": " + response).isEqualTo(401);
      assertThat(response.problem()).isEqualTo("invalid-token");
      assertThat(response.header("WWW-Authenticate"))
          .hasValue("Bearer realm=\"cairn\", error=\"invalid_token\"");
      String admin =
          node == hs256
              ? token("root", List.of("admin"), Map.of())
              : rs256(claims("root", List.of("admin"), Map.of()), rsa, "k1");
      assertThat(node.get(path, bearer(admin)).status())
          .as(attack + " wrote nothing")
          .isEqualTo(404);
    }

    @Test
    void expired() throws Exception {
      refused(
          hs256,
          sign(
              new JWTClaimsSet.Builder(claims("alice", List.of(), Map.of()))
                  .expirationTime(Date.from(Instant.now().minusSeconds(120)))
                  .build(),
              SECRET),
          "expired");
    }

    @Test
    void notYetValid() throws Exception {
      refused(
          hs256,
          sign(
              new JWTClaimsSet.Builder(claims("alice", List.of(), Map.of()))
                  .notBeforeTime(Date.from(Instant.now().plusSeconds(600)))
                  .build(),
              SECRET),
          "not-yet-valid");
    }

    @Test
    void withoutExpiry() throws Exception {
      refused(
          hs256,
          sign(
              new JWTClaimsSet.Builder(claims("alice", List.of(), Map.of()))
                  .expirationTime(null)
                  .build(),
              SECRET),
          "no-exp");
    }

    @Test
    void wrongIssuerOrAudience() throws Exception {
      refused(
          hs256,
          sign(
              new JWTClaimsSet.Builder(claims("alice", List.of(), Map.of()))
                  .issuer("https://evil")
                  .build(),
              SECRET),
          "wrong-iss");
      refused(
          hs256,
          sign(
              new JWTClaimsSet.Builder(claims("alice", List.of(), Map.of()))
                  .audience("other")
                  .build(),
              SECRET),
          "wrong-aud");
    }

    @Test
    void signedWithAnotherSecret() throws Exception {
      refused(
          hs256,
          sign(claims("alice", List.of(), Map.of()), "another-secret-of-at-least-32-bytes!"),
          "other-secret");
    }

    @Test
    void tamperedPayload() throws Exception {
      String[] parts = token("alice", List.of(), Map.of()).split("\\.");
      String admin =
          Base64URL.encode(claims("alice", List.of("admin"), Map.of()).toString()).toString();

      refused(hs256, parts[0] + "." + admin + "." + parts[2], "tampered-payload");
    }

    @Test
    void tamperedSignature() throws Exception {
      String token = token("alice", List.of(), Map.of());
      char last = token.charAt(token.length() - 2);

      refused(
          hs256,
          token.substring(0, token.length() - 2)
              + (last == 'A' ? 'B' : 'A')
              + token.charAt(token.length() - 1),
          "tampered-signature");
    }

    @Test
    void algNone() throws Exception {
      refused(
          hs256, new PlainJWT(claims("alice", List.of("admin"), Map.of())).serialize(), "alg-none");
      refused(
          jwks,
          new PlainJWT(claims("alice", List.of("admin"), Map.of())).serialize(),
          "alg-none-jwks");
    }

    @Test
    void hs256SignedWithTheRsaPublicKey() throws Exception {
      SignedJWT jwt =
          new SignedJWT(
              new JWSHeader(JWSAlgorithm.HS256), claims("alice", List.of("admin"), Map.of()));
      jwt.sign(new MACSigner(rsa.toPublicJWK().toRSAPublicKey().getEncoded()));

      refused(jwks, jwt.serialize(), "hs-rs-confusion");
    }

    @Test
    void unknownKid() throws Exception {
      refused(jwks, rs256(claims("alice", List.of(), Map.of()), rsa, "k2"), "unknown-kid");
    }

    @Test
    void embeddedJwk() throws Exception {
      RSAKey attacker = new RSAKeyGenerator(2048).keyID("k1").generate();
      SignedJWT jwt =
          new SignedJWT(
              new JWSHeader.Builder(JWSAlgorithm.RS256)
                  .keyID("k1")
                  .jwk(attacker.toPublicJWK())
                  .build(),
              claims("alice", List.of("admin"), Map.of()));
      jwt.sign(new RSASSASigner(attacker));

      refused(jwks, jwt.serialize(), "embedded-jwk");
    }

    @Test
    void unknownCriticalHeader() throws Exception {
      SignedJWT jwt =
          new SignedJWT(
              new JWSHeader.Builder(JWSAlgorithm.HS256)
                  .criticalParams(Set.of("exp-ext"))
                  .customParam("exp-ext", 1)
                  .build(),
              claims("alice", List.of(), Map.of()));
      jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));

      refused(hs256, jwt.serialize(), "unknown-crit");
    }

    @Test
    void oversizeIsRefusedBeforeItIsRead() throws Exception {
      String token = token("alice", List.of("admin"), Map.of("pad", "x".repeat(9000)));

      var response = hs256.put("/v1/attacks/oversize", "{\"a\":1}", bearer(token));

      assertThat(response.status()).isEqualTo(431);
      assertThat(response.problem()).isEqualTo("headers-too-large");
      assertThat(
              hs256
                  .get("/v1/attacks/oversize", bearer(token("root", List.of("admin"), Map.of())))
                  .status())
          .isEqualTo(404);
    }

    @Test
    void aValidRs256TokenIsAccepted() throws Exception {
      var written =
          jwks.put(
              "/v1/attacks/accepted",
              "{\"a\":1}",
              bearer(rs256(claims("alice", List.of(), Map.of()), rsa, "k1")));

      assertThat(written.status()).isEqualTo(201);
    }
  }

  @Test
  void bearerTokensFromTheClustersOwnSecretComeFromTheTokenCommandWhileTheNodeRuns(
      @TempDir Path dir) throws Exception {
    try (TestNode node = TestNode.start(dir, Map.of("cairn.auth.mode", "jwt"))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      PrintStream stdout = System.out;
      int exit;
      try {
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        exit =
            Main.commandLine()
                .execute(
                    "token",
                    "--data-dir",
                    dir.toString(),
                    "--subject",
                    "carol",
                    "--role",
                    "admin",
                    "--ttl",
                    "10m");
      } finally {
        System.setOut(stdout);
      }
      String token = out.toString(StandardCharsets.UTF_8).strip();

      assertThat(exit).isEqualTo(0);
      assertThat(node.get("/admin/cluster", bearer(token)).status()).isEqualTo(200);
      assertThat(node.get("/admin/cluster").status()).isEqualTo(401);
      assertThat(Files.readString(dir.resolve("jwt-secret"))).doesNotContain(token);
    }
  }

  /**
   * An identity provider's keys at a URL, as Keycloak publishes them: EC keys, the roles in {@code
   * realm_access.roles}, served by a real HTTP server on a real port.
   */
  @Test
  void tokensOfAnIdentityProviderAreCheckedWithTheKeysAtItsJwksUrl(@TempDir Path dir)
      throws Exception {
    ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("e1").generate();
    HttpServer idp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    byte[] keys = new JWKSet(ec.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
    idp.createContext(
        "/certs",
        exchange -> {
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, keys.length);
          exchange.getResponseBody().write(keys);
          exchange.close();
        });
    idp.start();
    String url = "http://127.0.0.1:" + idp.getAddress().getPort() + "/certs";
    try (TestNode node =
        TestNode.start(
            dir,
            Map.of(
                "cairn.auth.mode", "jwt",
                "cairn.auth.jwt.jwks-url", url,
                "cairn.auth.jwt.roles-claim", "realm_access.roles"))) {
      String admin =
          es256(
              claims("dana", List.of(), Map.of("realm_access", Map.of("roles", List.of("admin")))),
              ec);
      String user = es256(claims("erin", List.of("admin"), Map.of()), ec);

      assertThat(node.get("/admin/cluster", bearer(admin)).status()).isEqualTo(200);
      var notAdmin = node.get("/admin/cluster", bearer(user));
      assertThat(notAdmin.status()).isEqualTo(403);
      assertThat(notAdmin.problem()).isEqualTo("forbidden");
      assertThat(node.put("/v1/notes/e", "{\"a\":1}", bearer(user)).status()).isEqualTo(201);
    } finally {
      idp.stop(0);
    }
  }

  @Test
  void whenTheJwksUrlDoesNotAnswerATokenCannotBeCheckedAndTheAnswerIs503(@TempDir Path dir)
      throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("e1").generate();
    try (TestNode node =
        TestNode.start(
            dir,
            Map.of(
                "cairn.auth.mode",
                "jwt",
                "cairn.auth.jwt.jwks-url",
                "http://127.0.0.1:" + closed + "/certs"))) {
      var response =
          node.get("/v1/notes/x", bearer(es256(claims("dana", List.of(), Map.of()), ec)));

      assertThat(response.status()).isEqualTo(503);
      assertThat(response.problem()).isEqualTo("unavailable");
      assertThat(response.header("Retry-After")).isPresent();
      assertThat(node.get("/v1/notes/x").status()).isEqualTo(401);
    }
  }

  private static String es256(JWTClaimsSet claims, ECKey key) throws Exception {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims);
    jwt.sign(new ECDSASigner(key));
    return jwt.serialize();
  }

  private static String rs256(JWTClaimsSet claims, RSAKey key, String kid) throws Exception {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).type(JOSEObjectType.JWT).build(),
            claims);
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }
}

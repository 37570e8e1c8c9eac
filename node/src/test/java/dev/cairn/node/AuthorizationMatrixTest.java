package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.cairn.protocol.Json;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every operation of the OpenAPI document, called by every kind of caller, answers as its {@code
 * x-cairn-access} says: the matrix is generated from the document, so an operation added there is
 * checked here, and {@link OpenApiContractTest} fails for a route the document does not name.
 *
 * <p>Document operations run against a collection whose rules tell the callers apart: documents
 * belong to {@code user}, {@code auditor} may read and delete but not update, {@code other} owns
 * nothing.
 */
class AuthorizationMatrixTest {

  private static final String SECRET = "the-authorization-matrix-secret-32-bytes+";
  private static final String COLLECTION = "matrix";
  private static final String RULES =
      "{\"owner\":\"/owner\",\"rules\":{\"read\":[\"owner\",\"role:auditor\"],"
          + "\"create\":[\"authenticated\"],\"update\":[\"owner\"],"
          + "\"delete\":[\"owner\",\"role:auditor\"]}}";

  /** Who calls. */
  private enum Caller {
    ANONYMOUS(null),
    USER("user"),
    OTHER("other"),
    AUDITOR("auditor", "auditor"),
    ADMIN("root", "admin");

    final String subject;
    final String[] roles;

    Caller(String subject, String... roles) {
      this.subject = subject;
      this.roles = roles;
    }

    String[] headers() {
      if (subject == null) {
        return new String[0];
      }
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
  }

  /**
   * What a caller should get: let in (any answer but 401 and 403, and for an existing document not
   * 404 either), or refused with a status.
   */
  private record Expected(Integer refusal, boolean found) {
    static final Expected IN = new Expected(null, false);
    static final Expected IN_TO_THE_DOCUMENT = new Expected(null, true);

    static Expected refused(int status) {
      return new Expected(status, false);
    }

    boolean matches(int status) {
      if (refusal != null) {
        return status == refusal;
      }
      return status != 401 && status != 403 && !(found && status == 404);
    }

    @Override
    public String toString() {
      return refusal == null ? "let in" : "refused with " + refusal;
    }
  }

  @TempDir static Path dataDir;
  static TestNode node;
  static JsonNode openApi;

  @BeforeAll
  static void start() throws Exception {
    node =
        TestNode.start(dataDir, Map.of("cairn.auth.mode", "jwt", "cairn.auth.jwt.secret", SECRET));
    try (InputStream in = AuthorizationMatrixTest.class.getResourceAsStream("/openapi.json")) {
      openApi = Json.mapper().readTree(in);
    }
    assertThat(node.put("/v1/_collections/" + COLLECTION, RULES, Caller.ADMIN.headers()).status())
        .isEqualTo(201);
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  @Test
  void everyOperationLetsInExactlyTheCallersItsAccessNames() {
    List<String> wrong = new ArrayList<>();
    List<Runnable> last = new ArrayList<>();
    int checked = 0;
    Iterator<Map.Entry<String, JsonNode>> paths = openApi.get("paths").fields();
    while (paths.hasNext()) {
      Map.Entry<String, JsonNode> path = paths.next();
      Iterator<Map.Entry<String, JsonNode>> operations = path.getValue().fields();
      while (operations.hasNext()) {
        Map.Entry<String, JsonNode> operation = operations.next();
        if (!operation.getValue().has("operationId")) {
          continue;
        }
        String method = operation.getKey();
        String access = operation.getValue().path("x-cairn-access").asText("");
        assertThat(access).as(method + " " + path.getKey() + " says who may call it").isNotEmpty();
        for (Caller caller : Caller.values()) {
          Expected expected = expected(access, path.getKey(), caller);
          Runnable check =
              () -> {
                HttpResponseView response = call(method, path.getKey(), caller);
                if (!expected.matches(response.status())) {
                  wrong.add(
                      method.toUpperCase()
                          + " "
                          + path.getKey()
                          + " by "
                          + caller
                          + ": expected "
                          + expected
                          + ", got "
                          + response);
                }
              };
          if (path.getKey().equals("/admin/cluster/leave") && caller == Caller.ADMIN) {
            last.add(check); // the node leaves its cluster
          } else {
            check.run();
          }
          checked++;
        }
      }
    }
    last.forEach(Runnable::run);

    assertThat(wrong).as("answers that do not follow x-cairn-access").isEmpty();
    assertThat(checked).isGreaterThanOrEqualTo(100);
  }

  private static Expected expected(String access, String path, Caller caller) {
    boolean authenticated = caller != Caller.ANONYMOUS;
    switch (access) {
      case "public":
        return Expected.IN;
      case "authenticated":
        return authenticated ? Expected.IN : Expected.refused(401);
      case "admin", "role:metrics":
        // No caller of the matrix holds the role metrics but the administrator, who holds all.
        return !authenticated
            ? Expected.refused(401)
            : caller == Caller.ADMIN ? Expected.IN : Expected.refused(403);
      default:
        break;
    }
    assertThat(access).startsWith("rule:");
    if (path.equals("/v1/_changes")) {
      // Each change passes the read rule of its collection; the stream itself is anyone's.
      return Expected.IN;
    }
    if (!authenticated) {
      return Expected.refused(401);
    }
    if (!path.contains("{id}")) {
      // A list or a feed holds what the caller may read; a POST creates in the caller's name.
      return Expected.IN;
    }
    String operation = access.equals("rule:create-or-update") ? "update" : access.substring(5);
    boolean owner = caller == Caller.USER || caller == Caller.ADMIN;
    boolean auditor = caller == Caller.AUDITOR;
    boolean allowed =
        switch (operation) {
          case "read", "delete" -> owner || auditor;
          case "update" -> owner;
          default -> throw new AssertionError("unknown rule operation " + operation);
        };
    if (allowed) {
      return Expected.IN_TO_THE_DOCUMENT;
    }
    // Who may not even read the document is told it does not exist.
    return auditor ? Expected.refused(403) : Expected.refused(404);
  }

  /**
   * The operation with concrete parameters: a fresh document of {@code user} for document paths, a
   * collection of its own for definition paths, and an address no member has.
   */
  private static HttpResponseView call(String method, String template, Caller caller) {
    String id = "m-" + UUID.randomUUID();
    if (template.contains("{id}")) {
      assertThat(
              node.put(
                      "/v1/" + COLLECTION + "/" + id,
                      "{\"owner\":\"user\",\"v\":1}",
                      Caller.ADMIN.headers())
                  .status())
          .isEqualTo(201);
    }
    String path =
        template
            .replace("{collection}", COLLECTION)
            .replace("{id}", id)
            .replace("{name}", "matrix-definitions")
            .replace("{address}", "127.0.0.1:1")
            .replace("{projection}", "no-such-projection")
            .replace("{offset}", "1")
            .replace("{operation}", "no-such-operation");
    String[] headers = caller.headers();
    if (method.equals("get") && path.endsWith("_changes")) {
      return node.statusOf(node.request(path, headers).GET().build());
    }
    String body =
        switch (method) {
          case "put" -> path.startsWith("/v1/_collections") ? "{}" : "{\"owner\":\"user\",\"v\":2}";
          case "patch" -> "{\"v\":3}";
          case "post" ->
              path.endsWith("/revert")
                  ? "{\"version\":1}"
                  : "{\"owner\":\"" + (caller.subject == null ? "" : caller.subject) + "\"}";
          default -> null;
        };
    String contentType =
        method.equals("patch") ? "application/merge-patch+json" : "application/json";
    return node.send(method.toUpperCase(), path, body == null ? null : contentType, body, headers);
  }
}

package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.protocol.Json;
import dev.cairn.protocol.Problem;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAPI document and the routes agree: every documented operation is served, every other
 * method on a documented path is 405, and every problem type the server can answer is documented.
 */
class OpenApiContractTest {

  private static final Set<String> METHODS = Set.of("get", "put", "post", "patch", "delete");

  /** Operations that would take the node under test out of its cluster. */
  private static final Set<String> DESTRUCTIVE = Set.of("post /admin/cluster/leave");

  @TempDir static Path dataDir;
  static TestNode node;
  static JsonNode openApi;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start(dataDir);
    try (InputStream in = OpenApiContractTest.class.getResourceAsStream("/openapi.json")) {
      openApi = Json.mapper().readTree(in);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  @Test
  void theDocumentIsOpenApi31() {
    assertThat(openApi.get("openapi").asText()).isEqualTo("3.1.0");
    assertThat(openApi.get("paths").size()).isGreaterThanOrEqualTo(7);
  }

  @Test
  void everyDocumentedOperationIsARoute() {
    List<String> missing = new ArrayList<>();
    forEachOperation(
        (path, method) -> {
          if (DESTRUCTIVE.contains(method + " " + path)) {
            // Calling it would stop this node; an Allow header naming it shows the route instead.
            var probe = call("get", concrete(path));
            if (!probe.header("Allow").orElse("").toLowerCase().contains(method)) {
              missing.add(method.toUpperCase() + " " + path + " -> " + probe);
            }
            return;
          }
          var response = call(method, concrete(path));
          if (isProblem(response, "no-such-route") || isProblem(response, "method-not-allowed")) {
            missing.add(method.toUpperCase() + " " + path + " -> " + response);
          }
        });
    assertThat(missing).as("documented but not served").isEmpty();
  }

  @Test
  void everyUndocumentedMethodOnADocumentedPathIs405() {
    List<String> undocumented = new ArrayList<>();
    Iterator<String> paths = openApi.get("paths").fieldNames();
    while (paths.hasNext()) {
      String path = paths.next();
      Set<String> documented = documentedMethods(path);
      for (String method : METHODS) {
        if (!documented.contains(method)) {
          var response = call(method, concrete(path));
          if (!isProblem(response, "method-not-allowed")) {
            undocumented.add(method.toUpperCase() + " " + path + " -> " + response);
          }
        }
      }
    }
    assertThat(undocumented).as("served but not documented").isEmpty();
  }

  @Test
  void theAllowHeaderListsExactlyTheDocumentedMethods() {
    Iterator<String> paths = openApi.get("paths").fieldNames();
    while (paths.hasNext()) {
      String path = paths.next();
      Set<String> documented = documentedMethods(path);
      String probe =
          METHODS.stream().filter(m -> !documented.contains(m)).findFirst().orElseThrow();
      Set<String> allowed =
          Set.of(call(probe, concrete(path)).header("Allow").orElseThrow().split(", ")).stream()
              .map(String::toLowerCase)
              .collect(Collectors.toSet());
      assertThat(allowed).as(path).isEqualTo(documented);
    }
  }

  @Test
  void everyProblemTypeIsDocumented() {
    String text = openApi.toString();
    for (Problem problem : Problem.values()) {
      assertThat(text).as(problem.name()).contains(problem.slug());
    }
  }

  private interface OperationVisitor {
    void visit(String path, String method);
  }

  private static void forEachOperation(OperationVisitor visitor) {
    Iterator<String> paths = openApi.get("paths").fieldNames();
    while (paths.hasNext()) {
      String path = paths.next();
      documentedMethods(path).forEach(method -> visitor.visit(path, method));
    }
  }

  private static Set<String> documentedMethods(String path) {
    Set<String> methods = new java.util.HashSet<>();
    openApi.get("paths").get(path).fieldNames().forEachRemaining(methods::add);
    methods.retainAll(METHODS);
    return methods;
  }

  private static String concrete(String path) {
    return path.replace("{collection}", "contract")
        .replace("{id}", UUID.randomUUID().toString())
        .replace("{name}", "contract")
        // No member listens on port 1, so member actions are answered without acting.
        .replace("{address}", "127.0.0.1:1")
        .replace("{projection}", "documents")
        .replace("{offset}", "1")
        .replace("{operation}", "no-such-operation");
  }

  private static HttpResponseView call(String method, String path) {
    if (method.equals("get") && path.endsWith("_changes")) {
      // An event stream never ends: its status and headers are the answer.
      return node.statusOf(node.request(path).GET().build());
    }
    String contentType =
        method.equals("patch") ? "application/merge-patch+json" : "application/json";
    String body = method.equals("get") || method.equals("delete") ? null : "{\"version\":1}";
    return node.send(method.toUpperCase(), path, body == null ? null : contentType, body);
  }

  private static boolean isProblem(HttpResponseView response, String slug) {
    return response.contentType().startsWith("application/problem+json")
        && response.problem().equals(slug);
  }
}

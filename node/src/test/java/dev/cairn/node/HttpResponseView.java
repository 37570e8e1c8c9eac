package dev.cairn.node;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.protocol.Json;
import java.net.http.HttpResponse;
import java.util.Optional;

/** An HTTP response as the tests read it. */
record HttpResponseView(int status, java.net.http.HttpHeaders headers, String body) {

  static HttpResponseView of(HttpResponse<String> response) {
    return new HttpResponseView(response.statusCode(), response.headers(), response.body());
  }

  JsonNode json() {
    try {
      return Json.mapper().readTree(body);
    } catch (Exception e) {
      throw new AssertionError("not JSON (status " + status + "): " + body, e);
    }
  }

  Optional<String> header(String name) {
    return headers.firstValue(name);
  }

  String contentType() {
    return header("Content-Type").orElse("");
  }

  long version() {
    return json().get("version").asLong();
  }

  /** The problem type's slug, for problem responses. */
  String problem() {
    if (!contentType().startsWith("application/problem+json")) {
      throw new AssertionError("not a problem (status " + status + ", " + contentType() + ")");
    }
    String type = json().get("type").asText();
    return type.substring(type.lastIndexOf('/') + 1);
  }

  @Override
  public String toString() {
    return status + " " + body;
  }
}

package dev.cairn.node;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A real HTTP client for one node, with the requests the tests make. */
class TestClient {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final URI base;

  TestClient(int httpPort) {
    this.base = URI.create("http://127.0.0.1:" + httpPort);
  }

  URI uri(String path) {
    return base.resolve(path);
  }

  HttpResponseView get(String path, String... headers) {
    return send(request(path, headers).GET().build());
  }

  HttpResponseView delete(String path, String... headers) {
    return send(request(path, headers).DELETE().build());
  }

  HttpResponseView put(String path, String json, String... headers) {
    return send("PUT", path, "application/json", json, headers);
  }

  HttpResponseView post(String path, String json, String... headers) {
    return send("POST", path, "application/json", json, headers);
  }

  HttpResponseView mergePatch(String path, String json, String... headers) {
    return send("PATCH", path, "application/merge-patch+json", json, headers);
  }

  HttpResponseView jsonPatch(String path, String json, String... headers) {
    return send("PATCH", path, "application/json-patch+json", json, headers);
  }

  HttpResponseView send(
      String method, String path, String contentType, String body, String... headers) {
    HttpRequest.Builder builder =
        request(path, headers)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      builder.header("Content-Type", contentType);
    }
    return send(builder.build());
  }

  HttpResponseView send(HttpRequest request) {
    try {
      return HttpResponseView.of(HTTP.send(request, HttpResponse.BodyHandlers.ofString()));
    } catch (IOException e) {
      throw new AssertionError("request failed: " + request, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  HttpRequest.Builder request(String path, String... headers) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30));
    for (int i = 0; i < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    return builder;
  }
}

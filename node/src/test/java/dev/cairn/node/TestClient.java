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

  int port() {
    return base.getPort();
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

  /** Status and headers only, the body left unread: for streams that do not end. */
  HttpResponseView statusOf(HttpRequest request) {
    try {
      HttpResponse<java.io.InputStream> response =
          HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
      response.body().close();
      return new HttpResponseView(response.statusCode(), response.headers(), "");
    } catch (IOException e) {
      throw new AssertionError("request failed: " + request, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** One Server-Sent Event as a client receives it. */
  record SseEvent(String id, String event, String data) {
    com.fasterxml.jackson.databind.JsonNode json() {
      try {
        return dev.cairn.protocol.Json.mapper().readTree(data);
      } catch (Exception e) {
        throw new AssertionError("not JSON: " + data, e);
      }
    }
  }

  /**
   * Connects to an event stream, reads {@code count} events (heartbeats are not events) and
   * disconnects, as a client whose connection drops would.
   */
  java.util.List<SseEvent> events(String path, int count, String... headers) {
    java.util.concurrent.CompletableFuture<java.util.List<SseEvent>> read =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> readEvents(path, count, headers));
    try {
      return read.get(60, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      read.cancel(true);
      throw new AssertionError("fewer than " + count + " events from " + path + " within 60 s");
    } catch (java.util.concurrent.ExecutionException e) {
      throw new AssertionError("event stream failed: " + path, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private java.util.List<SseEvent> readEvents(String path, int count, String... headers) {
    java.util.List<SseEvent> events = new java.util.ArrayList<>();
    HttpRequest request =
        request(path, headers).header("Accept", "text/event-stream").GET().build();
    try (java.util.stream.Stream<String> lines =
        HTTP.send(request, HttpResponse.BodyHandlers.ofLines()).body()) {
      java.util.Iterator<String> it = lines.iterator();
      String id = null;
      String event = null;
      StringBuilder data = new StringBuilder();
      while (events.size() < count && it.hasNext()) {
        String line = it.next();
        if (line.isEmpty()) {
          if (data.length() > 0) {
            events.add(new SseEvent(id, event, data.toString()));
          }
          id = null;
          event = null;
          data.setLength(0);
        } else if (line.startsWith("id:")) {
          id = line.substring(3).trim();
        } else if (line.startsWith("event:")) {
          event = line.substring(6).trim();
        } else if (line.startsWith("data:")) {
          data.append(line.substring(5));
        }
      }
    } catch (IOException e) {
      throw new AssertionError("event stream failed: " + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    return events;
  }

  HttpRequest.Builder request(String path, String... headers) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30));
    for (int i = 0; i < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    return builder;
  }
}

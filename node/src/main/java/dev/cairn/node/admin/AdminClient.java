package dev.cairn.node.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.protocol.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import picocli.CommandLine.Option;

/**
 * How {@code cairn admin} reaches a node: its URL, the bearer token, and for HTTPS with a private
 * CA that CA's certificate. Each has an environment variable, so scripts set them once.
 */
final class AdminClient {

  /** A node answered with a problem; its detail says why. */
  static final class Refused extends Exception {
    final int status;

    Refused(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  @Option(
      names = "--url",
      defaultValue = "${env:CAIRN_URL:-http://127.0.0.1:8080}",
      description = "the node to talk to (CAIRN_URL; default http://127.0.0.1:8080)")
  String url;

  @Option(
      names = "--token",
      defaultValue = "${env:CAIRN_TOKEN}",
      description = "a bearer token with the role admin (CAIRN_TOKEN)")
  String token;

  @Option(
      names = "--cacert",
      defaultValue = "${env:CAIRN_CACERT}",
      description = "PEM certificate of the CA to trust for https (CAIRN_CACERT)")
  Path cacert;

  private HttpClient http;

  HttpClient http() throws IOException {
    if (http == null) {
      HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
      if (cacert != null) {
        builder.sslContext(trusting(cacert));
      }
      http = builder.build();
    }
    return http;
  }

  HttpRequest.Builder request(String path, Map<String, Object> query) {
    String parameters =
        query.entrySet().stream()
            .filter(e -> e.getValue() != null)
            .map(
                e ->
                    e.getKey()
                        + "="
                        + URLEncoder.encode(e.getValue().toString(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(
            URI.create(
                url.replaceAll("/+$", "") + path + (parameters.isEmpty() ? "" : "?" + parameters)));
    if (token != null && !token.isBlank()) {
      builder.header("Authorization", "Bearer " + token.strip());
    }
    return builder;
  }

  /** GETs {@code path} and returns its JSON. */
  JsonNode get(String path, Map<String, Object> query) throws IOException, Refused {
    return json(send(request(path, query).GET().build()));
  }

  /** POSTs {@code body} (JSON) to {@code path} and returns the answer's JSON. */
  JsonNode post(String path, String body) throws IOException, Refused {
    return json(
        send(
            request(path, Map.of())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build()));
  }

  HttpResponse<InputStream> send(HttpRequest request) throws IOException, Refused {
    try {
      HttpResponse<InputStream> response =
          http().send(request, HttpResponse.BodyHandlers.ofInputStream());
      if (response.statusCode() >= 400) {
        throw refused(response);
      }
      return response;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (java.net.ConnectException e) {
      throw new IOException("no node answers at " + url + " (--url or CAIRN_URL)", e);
    }
  }

  static Map<String, Object> query(Object... namesAndValues) {
    Map<String, Object> query = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      query.put((String) namesAndValues[i], namesAndValues[i + 1]);
    }
    return query;
  }

  private static JsonNode json(HttpResponse<InputStream> response) throws IOException {
    try (InputStream body = response.body()) {
      return Json.mapper().readTree(body);
    }
  }

  private Refused refused(HttpResponse<InputStream> response) throws IOException {
    String text;
    try (InputStream body = response.body()) {
      text = new String(body.readAllBytes(), StandardCharsets.UTF_8);
    }
    String detail = text;
    try {
      JsonNode problem = Json.mapper().readTree(text);
      if (problem.hasNonNull("detail")) {
        detail = problem.get("detail").asText();
      }
    } catch (IOException e) {
      // not a problem body: show it as it is
    }
    if (response.statusCode() == 401 && (token == null || token.isBlank())) {
      detail += " (pass --token or set CAIRN_TOKEN, e.g. from bin/cairn token --role admin)";
    }
    return new Refused(response.statusCode(), response.statusCode() + ": " + detail);
  }

  private static SSLContext trusting(Path pem) throws IOException {
    try (InputStream in = Files.newInputStream(pem)) {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int i = 0;
      for (var certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trust.setCertificateEntry("ca-" + i++, certificate);
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return context;
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException("cannot trust " + pem + ": " + e.getMessage(), e);
    }
  }
}

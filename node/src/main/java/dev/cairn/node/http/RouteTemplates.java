package dev.cairn.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Which of the API's paths a request is for, as its template ({@code /v1/{collection}/{id}}): what
 * metrics and access logs name a request by, so that they never hold a document's id and the number
 * of series stays that of the API. The templates are the paths of the OpenAPI document the node
 * serves, so they cannot drift from the routes the contract test checks.
 */
final class RouteTemplates {

  /** What a path that matches none of the API's paths is counted as. */
  static final String UNMATCHED = "unmatched";

  /** A template and the values its parameters took in one path. */
  record Match(String template, Map<String, String> parameters) {}

  private static final Match CONSOLE = new Match("/console/*", Map.of());

  private record Template(String text, String[] segments) {
    /** Literal segments first: {@code /v1/_changes} wins over {@code /v1/{collection}}. */
    int literals() {
      int n = 0;
      for (String segment : segments) {
        n += segment.startsWith("{") ? 0 : 1;
      }
      return n;
    }
  }

  private final List<Template> templates;

  RouteTemplates(Iterable<String> paths) {
    List<Template> all = new ArrayList<>();
    for (String path : paths) {
      all.add(new Template(path, split(path)));
    }
    all.sort(Comparator.comparingInt(Template::literals).reversed());
    this.templates = List.copyOf(all);
  }

  /** The templates of the OpenAPI document on the class path. */
  static RouteTemplates ofOpenApi() {
    try (InputStream in = RouteTemplates.class.getResourceAsStream("/openapi.json")) {
      if (in == null) {
        throw new IllegalStateException("openapi.json is missing from the class path");
      }
      JsonNode paths = new ObjectMapper().readTree(in).path("paths");
      List<String> names = new ArrayList<>();
      for (Iterator<String> it = paths.fieldNames(); it.hasNext(); ) {
        names.add(it.next());
      }
      return new RouteTemplates(names);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The template {@code path} matches, with its parameters, or {@link #UNMATCHED} and none. */
  Match match(String path) {
    if (path.equals("/console") || path.startsWith("/console/")) {
      return CONSOLE; // the console's static files, not part of the API's description
    }
    String[] segments = split(path);
    for (Template template : templates) {
      if (template.segments().length != segments.length) {
        continue;
      }
      Map<String, String> parameters = null;
      boolean matches = true;
      for (int i = 0; i < segments.length && matches; i++) {
        String expected = template.segments()[i];
        if (expected.startsWith("{")) {
          if (segments[i].isEmpty()) {
            matches = false;
          } else {
            if (parameters == null) {
              parameters = new HashMap<>(4);
            }
            parameters.put(expected.substring(1, expected.length() - 1), segments[i]);
          }
        } else {
          matches = expected.equals(segments[i]);
        }
      }
      if (matches) {
        return new Match(template.text(), parameters == null ? Map.of() : parameters);
      }
    }
    return new Match(UNMATCHED, Map.of());
  }

  private static String[] split(String path) {
    String trimmed = path.startsWith("/") ? path.substring(1) : path;
    return trimmed.isEmpty() ? new String[0] : trimmed.split("/", -1);
  }
}

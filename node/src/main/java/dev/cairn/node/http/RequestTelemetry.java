package dev.cairn.node.http;

import dev.cairn.persistence.CairnMetrics;
import dev.cairn.protocol.access.Principal;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * What every request leaves behind: its duration in {@code cairn_http_requests_seconds} (by method,
 * route template and status class, never by a document's id) and one access-log line on the logger
 * {@code cairn.access} (with {@code CAIRN_ACCESS_LOG=info}), whose MDC carries the request id,
 * trace, caller, collection and document for JSON logs.
 */
final class RequestTelemetry {

  static final String ACCESS_LOGGER = "cairn.access";

  private static final Logger access = LoggerFactory.getLogger(ACCESS_LOGGER);

  private static final Duration[] BUCKETS = {
    Duration.ofMillis(1),
    Duration.ofMillis(2),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10)
  };

  private static final String[] STATUS_CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};

  private final MeterRegistry registry;
  private final RouteTemplates templates;
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();

  RequestTelemetry(MeterRegistry registry, RouteTemplates templates) {
    this.registry = registry;
    this.templates = templates;
  }

  /** One request on its way: what is known when it arrives, and who it turned out to be from. */
  final class Exchange {
    private final long started = System.nanoTime();
    private final String method;
    private final String path;
    private final RouteTemplates.Match route;
    private final String requestId;
    private final TraceContext trace;
    private volatile Principal caller = Principal.ANONYMOUS;

    private Exchange(HttpRequest request, String requestId, TraceContext trace) {
      this.method = request.method().name();
      this.path = request.getUri().path();
      this.route = templates.match(path);
      this.requestId = requestId;
      this.trace = trace;
    }

    void identified(Principal principal) {
      this.caller = principal;
    }

    /** Records the answer; returns it unchanged. */
    HttpResponse answered(HttpResponse response) {
      long nanos = System.nanoTime() - started;
      int status = response.status().intValue();
      timer(method, route.template(), status).record(nanos, TimeUnit.NANOSECONDS);
      if (access.isInfoEnabled()) {
        log(status, nanos, response.entity().getContentLengthOption());
      }
      return response;
    }

    private void log(int status, long nanos, OptionalLong bytes) {
      String millis = String.format("%.1f", nanos / 1e6);
      String size = bytes.isPresent() ? Long.toString(bytes.getAsLong()) : "-";
      try (var ignored = mdc()) {
        MDC.put("method", method);
        MDC.put("route", route.template());
        MDC.put("status", Integer.toString(status));
        MDC.put("durationMs", millis);
        MDC.put("bytes", size);
        access.info(
            "{} {} {} {} ms {} B {} {}",
            method,
            path,
            status,
            millis,
            size,
            caller.subject(),
            requestId);
      } finally {
        MDC.remove("method");
        MDC.remove("route");
        MDC.remove("status");
        MDC.remove("durationMs");
        MDC.remove("bytes");
      }
    }

    /** The request's identity in the MDC of this thread until the result is closed. */
    LogContext mdc() {
      return new LogContext(
          requestId,
          trace,
          caller.subject(),
          first(route.parameters(), "collection", "name"),
          route.parameters().get("id"));
    }
  }

  Exchange begin(HttpRequest request, String requestId, TraceContext trace) {
    return new Exchange(request, requestId, trace);
  }

  private Timer timer(String method, String route, int status) {
    String statusClass = STATUS_CLASSES[Math.max(0, Math.min(4, status / 100 - 1))];
    return timers.computeIfAbsent(
        method + ' ' + route + ' ' + statusClass,
        key ->
            Timer.builder(CairnMetrics.PREFIX + "http.requests")
                .description("HTTP requests this node answered, by route template")
                .tag("method", method)
                .tag("route", route)
                .tag("status", statusClass)
                .serviceLevelObjectives(BUCKETS)
                .register(registry));
  }

  private static String first(Map<String, String> values, String... names) {
    for (String name : names) {
      String value = values.get(name);
      if (value != null) {
        return value;
      }
    }
    return null;
  }
}

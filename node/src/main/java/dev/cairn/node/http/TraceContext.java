package dev.cairn.node.http;

import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/**
 * A request's place in a distributed trace, after W3C Trace Context: the {@code traceparent} a
 * client or proxy sent, kept when it is well formed. Cairn does not record spans itself; it keeps
 * the trace id in its log lines and in the metadata of the events the request writes, and names its
 * own part of the trace with a span id of its own, so an OpenTelemetry agent or a log search can
 * join Cairn's work to the caller's.
 *
 * @param traceId 32 lowercase hex digits, never all zeros
 * @param parentId the caller's span, 16 hex digits
 * @param spanId this request's span in Cairn, 16 hex digits
 * @param flags the caller's trace flags (2 hex digits), {@code 01} when it samples
 */
record TraceContext(String traceId, String parentId, String spanId, String flags) {

  static final String HEADER = "traceparent";

  private static final Pattern TRACEPARENT =
      Pattern.compile("([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?");

  /** The request's trace context, or empty when it has none or one that is not well formed. */
  static Optional<TraceContext> of(HttpRequest request) {
    return request.getHeader(HEADER).flatMap(h -> parse(h.value()));
  }

  static Optional<TraceContext> parse(String traceparent) {
    var match = TRACEPARENT.matcher(traceparent.trim());
    if (!match.matches()) {
      return Optional.empty();
    }
    String version = match.group(1);
    String traceId = match.group(2);
    String parentId = match.group(3);
    // Version ff is invalid; version 00 has nothing after the flags; ids of zeros are invalid.
    if (version.equals("ff")
        || (version.equals("00") && match.group(5) != null)
        || traceId.chars().allMatch(c -> c == '0')
        || parentId.chars().allMatch(c -> c == '0')) {
      return Optional.empty();
    }
    return Optional.of(new TraceContext(traceId, parentId, newSpanId(), match.group(4)));
  }

  private static String newSpanId() {
    long id;
    do {
      id = ThreadLocalRandom.current().nextLong();
    } while (id == 0);
    return String.format("%016x", id);
  }
}

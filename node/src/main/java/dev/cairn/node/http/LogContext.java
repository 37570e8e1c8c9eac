package dev.cairn.node.http;

import org.slf4j.MDC;

/**
 * A request's identity in the logging MDC of the current thread while something is logged for it:
 * {@code requestId}, {@code traceId} and {@code spanId}, {@code principal}, {@code collection} and
 * {@code document}. JSON log lines carry them as fields; closing takes them out again, so they
 * never leak onto another request's lines on a shared thread.
 */
final class LogContext implements AutoCloseable {

  private static final String[] KEYS = {
    "requestId", "traceId", "spanId", "principal", "collection", "document"
  };

  LogContext(
      String requestId, TraceContext trace, String principal, String collection, String document) {
    put("requestId", requestId);
    if (trace != null) {
      put("traceId", trace.traceId());
      put("spanId", trace.spanId());
    }
    put("principal", principal);
    put("collection", collection);
    put("document", document);
  }

  private static void put(String key, String value) {
    if (value != null) {
      MDC.put(key, value);
    }
  }

  @Override
  public void close() {
    for (String key : KEYS) {
      MDC.remove(key);
    }
  }
}

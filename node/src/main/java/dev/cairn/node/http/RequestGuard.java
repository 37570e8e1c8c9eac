package dev.cairn.node.http;

import java.util.Locale;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.RawRequestURI;

/**
 * Refuses, before any route runs, requests whose framing or path cannot be trusted to mean what the
 * client (or a proxy in front of Cairn) took them to mean. Each is answered with 400 and the
 * connection is closed (see {@link ProblemResponses}).
 *
 * <ul>
 *   <li>A header value with anything but visible ASCII, space and tab. Pekko HTTP 1.3.0 reads a
 *       byte from 0xC0 upwards as the start of a UTF-8 sequence even when the bytes after it are
 *       the line's CRLF, so such a header swallows the line end, and with it the next header (a
 *       Content-Length, say): the body is then read as a second request, which is request
 *       smuggling. Whatever it swallowed, the value it parses holds a character from 0x80 up (the
 *       lead byte, or what it decoded to) and often the CR or LF itself; RFC 9110 section 5.5 lets
 *       a server refuse both. Values of obs-text are refused with them (docs/security.md).
 *   <li>A path with a "." or ".." segment, percent-encoded or not: Pekko resolves them, so {@code
 *       /v1/%2E%2E/admin/cluster} would reach the admin routes past a proxy rule on {@code /admin}.
 *       The raw request target (the {@code Raw-Request-URI} header Pekko adds first) is checked.
 * </ul>
 */
final class RequestGuard {

  private RequestGuard() {}

  /** Why the request is refused, or empty if it may be routed. */
  static Optional<String> refusal(HttpRequest request) {
    for (HttpHeader header : request.getHeaders()) {
      if (header instanceof RawRequestURI) {
        continue;
      }
      String value = header.value();
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if ((c < ' ' && c != '\t') || c >= 0x7f) {
          return Optional.of(
              "the value of the header "
                  + header.name()
                  + " holds the character U+"
                  + String.format("%04X", (int) c)
                  + "; header values must be visible ASCII characters, spaces and tabs");
        }
      }
    }
    return request
        .getHeader(RawRequestURI.class)
        .map(RawRequestURI::uri)
        .filter(RequestGuard::hasDotSegment)
        .map(
            uri ->
                "the path has a '.' or '..' segment (possibly percent-encoded, as %2E); Cairn does"
                    + " not resolve them: send the path you mean");
  }

  private static boolean hasDotSegment(String target) {
    int end = target.length();
    for (char stop : new char[] {'?', '#'}) {
      int at = target.indexOf(stop);
      if (at >= 0 && at < end) {
        end = at;
      }
    }
    String path = target.substring(0, end);
    int scheme = path.indexOf("://");
    if (scheme >= 0) {
      // absolute-form (a request to a proxy): the path starts after the authority
      int slash = path.indexOf('/', scheme + 3);
      path = slash < 0 ? "" : path.substring(slash);
    }
    for (String segment : path.split("/", -1)) {
      String decoded = segment.toLowerCase(Locale.ROOT).replace("%2e", ".");
      if (decoded.equals(".") || decoded.equals("..")) {
        return true;
      }
    }
    return false;
  }
}

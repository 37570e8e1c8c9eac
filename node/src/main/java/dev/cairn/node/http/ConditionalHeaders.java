package dev.cairn.node.http;

import dev.cairn.protocol.Problem;
import dev.cairn.protocol.command.Preconditions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/**
 * ETags and the conditional headers. A document's ETag is its version in quotes ({@code "7"}), a
 * strong validator: two representations with the same version are byte-for-byte the same.
 */
final class ConditionalHeaders {

  /** A version no document has, standing in for an entity tag that can never match. */
  private static final long NEVER = -1;

  private static final Pattern ENTITY_TAG = Pattern.compile("\\s*(W/)?\"([^\"]*)\"\\s*");

  private ConditionalHeaders() {}

  static String etag(long version) {
    return "\"" + version + "\"";
  }

  /** The preconditions of a write, from {@code If-Match} and {@code If-None-Match}. */
  static Preconditions forWrite(HttpRequest request) {
    return forWrite(header(request, "If-Match"), header(request, "If-None-Match"));
  }

  static Preconditions forWrite(Optional<String> ifMatch, Optional<String> ifNoneMatch) {
    boolean mustNotExist = false;
    if (ifNoneMatch.isPresent()) {
      if (!ifNoneMatch.get().trim().equals("*")) {
        throw new ApiException(
            Problem.INVALID_PARAMETER,
            "on a write, If-None-Match supports only * (create only if the document does not"
                + " exist); use If-Match with an ETag to update a known version");
      }
      mustNotExist = true;
    }
    if (ifMatch.isEmpty()) {
      return new Preconditions(List.of(), false, mustNotExist);
    }
    if (ifMatch.get().trim().equals("*")) {
      return new Preconditions(List.of(), true, mustNotExist);
    }
    return new Preconditions(versions(ifMatch.get(), "If-Match", true), false, mustNotExist);
  }

  /** Whether a GET's {@code If-None-Match} matches the current version, so 304 is the answer. */
  static boolean notModified(HttpRequest request, long version) {
    return notModified(header(request, "If-None-Match"), version);
  }

  static boolean notModified(Optional<String> ifNoneMatch, long version) {
    if (ifNoneMatch.isEmpty()) {
      return false;
    }
    return ifNoneMatch.get().trim().equals("*")
        || versions(ifNoneMatch.get(), "If-None-Match", false).contains(version);
  }

  /**
   * The versions named by a list of entity tags. Weak tags never match under If-Match (RFC 9110
   * strong comparison); tags that are no version of ours never match anything.
   */
  private static List<Long> versions(String header, String name, boolean strong) {
    List<Long> versions = new ArrayList<>();
    for (String tag : header.split(",")) {
      Matcher m = ENTITY_TAG.matcher(tag);
      if (!m.matches()) {
        throw new ApiException(
            Problem.INVALID_PARAMETER,
            name
                + " must be * or a list of entity tags such as \"3\" (the ETag of a response),"
                + " not "
                + header);
      }
      boolean weak = m.group(1) != null;
      versions.add(weak && strong ? NEVER : parseVersion(m.group(2)));
    }
    return versions;
  }

  private static long parseVersion(String opaque) {
    try {
      return Long.parseLong(opaque);
    } catch (NumberFormatException e) {
      return NEVER;
    }
  }

  private static Optional<String> header(HttpRequest request, String name) {
    return request.getHeader(name).map(h -> h.value());
  }
}

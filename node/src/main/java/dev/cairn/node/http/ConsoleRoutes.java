package dev.cairn.node.http;

import dev.cairn.protocol.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The admin console: the static files under {@code console/} on the class path (inside the node's
 * jar), served at {@code /console/} by every node. {@code GET /console} redirects to {@code
 * /console/}, which is {@code index.html}; {@code /console/<file>} is that file.
 *
 * <p>The files are public, as {@code /openapi.json} is: they hold no data and no secret, only the
 * page and the code that runs in the browser, and every call that code makes to the API carries the
 * bearer token the user signed in with. So they are served to anonymous clients, and a token is
 * neither needed nor read here.
 *
 * <p>What the browser may do with them is held tight by a {@code Content-Security-Policy}: scripts,
 * styles, images and connections only from this node ({@code 'self'}), no inline script or style,
 * no plugins, no framing. A file name is letters, digits, {@code -} and {@code _} in segments
 * separated by {@code /} with a known extension, so no path can leave {@code console/} (dot
 * segments are refused before any route by {@link RequestGuard} too); anything else is 404. Each
 * answer carries an {@code ETag} (a digest of the file) and {@code Cache-Control: no-cache}, so a
 * browser revalidates and gets 304 until a new jar serves other bytes.
 */
public final class ConsoleRoutes extends ApiDirectives {

  /** Also read by the console's tests, which hold the served files to it. */
  public static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none';"
          + " form-action 'self'; frame-ancestors 'none'";

  private static final String ROOT = "console/";

  private static final Pattern FILE =
      Pattern.compile("([a-z0-9][a-z0-9_-]*/)*[a-z0-9][a-z0-9_-]*\\.(html|js|css|svg|png)");

  private static final Map<String, ContentType> TYPES =
      Map.of(
          "html", ContentTypes.TEXT_HTML_UTF8,
          "js", MediaTypes.APPLICATION_JAVASCRIPT.toContentType(HttpCharsets.UTF_8),
          "css", MediaTypes.TEXT_CSS.toContentType(HttpCharsets.UTF_8),
          "svg", MediaTypes.IMAGE_SVG_XML.toContentType(),
          "png", MediaTypes.IMAGE_PNG.toContentType());

  private static final List<HttpHeader> HEADERS =
      List.of(
          RawHeader.create("Content-Security-Policy", CONTENT_SECURITY_POLICY),
          RawHeader.create("X-Content-Type-Options", "nosniff"),
          RawHeader.create("Referrer-Policy", "no-referrer"),
          RawHeader.create("Cache-Control", "no-cache"));

  /** A file as served: its bytes, type and ETag. */
  private record Asset(byte[] bytes, ContentType type, String etag) {}

  /** Files read once each, on first request; an empty value is a name with no file. */
  private final Map<String, Optional<Asset>> assets = new ConcurrentHashMap<>();

  public Route route() {
    return pathPrefix(
        "console",
        () ->
            get(
                () ->
                    respondWithHeaders(
                        HEADERS,
                        () ->
                            concat(
                                pathEnd(
                                    () ->
                                        redirect(
                                            Uri.create("/console/"),
                                            StatusCodes.MOVED_PERMANENTLY)),
                                pathSingleSlash(() -> file("index.html")),
                                path(PathMatchers.remaining(), this::file)))));
  }

  private Route file(String name) {
    Optional<Asset> asset =
        FILE.matcher(name).matches()
            ? assets.computeIfAbsent(name, ConsoleRoutes::load)
            : Optional.empty();
    if (asset.isEmpty()) {
      return extractUri(
          uri ->
              complete(
                  ProblemResponses.of(
                      Problem.NO_SUCH_ROUTE,
                      "the console has no file " + uri.path() + "; it starts at /console/",
                      uri.path())));
    }
    Asset found = asset.get();
    return optionalHeaderValueByName(
        "If-None-Match",
        ifNoneMatch -> {
          HttpResponse response =
              ifNoneMatch.filter(tags -> matches(tags, found.etag())).isPresent()
                  ? HttpResponse.create().withStatus(StatusCodes.NOT_MODIFIED)
                  : HttpResponse.create().withEntity(found.type(), found.bytes());
          return complete(response.addHeader(RawHeader.create("ETag", found.etag())));
        });
  }

  private static boolean matches(String ifNoneMatch, String etag) {
    for (String tag : ifNoneMatch.split(",")) {
      String t = tag.trim();
      if (t.equals("*") || t.equals(etag) || t.equals("W/" + etag)) {
        return true;
      }
    }
    return false;
  }

  private static Optional<Asset> load(String name) {
    try (InputStream in = ConsoleRoutes.class.getClassLoader().getResourceAsStream(ROOT + name)) {
      if (in == null) {
        return Optional.empty();
      }
      byte[] bytes = in.readAllBytes();
      String extension = name.substring(name.lastIndexOf('.') + 1);
      return Optional.of(new Asset(bytes, TYPES.get(extension), etag(bytes)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String etag(byte[] bytes) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}

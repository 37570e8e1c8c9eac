package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.node.http.ConsoleRoutes;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's files as a node serves them, without a browser: open to anonymous clients, each
 * with its content type, a strict Content-Security-Policy and an ETag; nothing else under {@code
 * /console/} (404 problems, no way out of the directory); and nothing in them that would make a
 * browser fetch from anywhere but the node.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleAssetsTest {

  private static final String SECRET = "a-console-assets-secret-of-32-bytes!";

  /** The one absolute URL the files may hold: SVG's namespace name, which is never fetched. */
  private static final String SVG_NAMESPACE = "http://www.w3.org/2000/svg";

  @TempDir static Path dir;

  private TestNode node;
  private List<String> files;

  @BeforeAll
  void start() throws Exception {
    node =
        TestNode.start(
            dir.resolve("node"), Map.of("cairn.auth.mode", "jwt", "cairn.auth.jwt.secret", SECRET));
    files = consoleFiles();
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
  }

  @Test
  void everyFileIsServedToAnAnonymousClientWithItsTypeAStrictPolicyAndAnEtag() {
    assertThat(files).contains("index.html", "app.js", "api.js", "console.css", "pages/cluster.js");
    for (String file : files) {
      HttpResponseView served = node.get("/console/" + file);
      assertThat(served.status()).as(file).isEqualTo(200);
      assertThat(served.contentType()).as(file).startsWith(expectedType(file));
      assertThat(served.header("Content-Security-Policy"))
          .as(file)
          .contains(ConsoleRoutes.CONTENT_SECURITY_POLICY);
      assertThat(served.header("X-Content-Type-Options")).contains("nosniff");
      assertThat(served.header("Cache-Control")).contains("no-cache");
      String etag = served.header("ETag").orElseThrow();
      assertThat(node.get("/console/" + file, "If-None-Match", etag).status())
          .as(file + " revalidated")
          .isEqualTo(304);
    }
  }

  @Test
  void theConsoleStartsAtItsDirectoryWithTheIndex() {
    HttpResponseView bare = node.get("/console");
    assertThat(bare.status()).isEqualTo(301);
    assertThat(bare.header("Location")).contains("/console/");
    HttpResponseView index = node.get("/console/");
    assertThat(index.status()).isEqualTo(200);
    assertThat(index.contentType()).startsWith("text/html");
    assertThat(index.body()).contains("<script type=\"module\" src=\"app.js\"></script>");
  }

  @Test
  void anUnknownFileOrAPathOutOfTheDirectoryIs404OrRefused() {
    for (String path :
        List.of(
            "/console/nope.js",
            "/console/index.htm",
            "/console/app.js.map",
            "/console/pages/",
            "/console/%2e%2e/openapi.json",
            "/console/..%2Fapplication.conf",
            "/console/pages/%2E%2E/%2E%2E/logback.xml",
            "/console/application.conf",
            "/console/.hidden.js")) {
      HttpResponseView answer = node.get(path);
      assertThat(answer.status()).as(path).isIn(400, 404);
      assertThat(answer.contentType()).as(path).startsWith("application/problem+json");
      assertThat(answer.body()).as(path).doesNotContain("pekko").doesNotContain("<configuration");
    }
    assertThat(node.get("/console/nope.js").problem()).isEqualTo("no-such-route");
    assertThat(node.post("/console/app.js", "{}").status()).isEqualTo(405);
  }

  @Test
  void thePolicyAllowsNothingButTheNodeAndNoInlineCode() {
    String policy = ConsoleRoutes.CONTENT_SECURITY_POLICY;
    assertThat(policy)
        .contains("default-src 'self'")
        .contains("script-src 'self'")
        .contains("connect-src 'self'")
        .contains("frame-ancestors 'none'")
        .doesNotContain("unsafe-inline")
        .doesNotContain("unsafe-eval")
        .doesNotContain("http:")
        .doesNotContain("https:");
  }

  @Test
  void nothingInTheFilesPointsOutsideTheNode() {
    List<String> outside = new ArrayList<>();
    Pattern attribute = Pattern.compile("\\s(?:src|href|action)\\s*=\\s*[\"']([^\"']*)[\"']");
    Pattern cssUrl = Pattern.compile("url\\(\\s*[\"']?([^\"')]*)");
    Pattern cssImport = Pattern.compile("@import");
    Pattern jsImport =
        Pattern.compile(
            "(?m)(?:^\\s*import\\b[^;]*?\\bfrom|\\bimport\\s*\\()\\s*['\"]([^'\"]+)['\"]");
    Pattern absolute = Pattern.compile("(?i)(?:[a-z][a-z0-9+.-]*:)?//[^\\s'\"`)]+");
    for (String file : files) {
      String text = node.get("/console/" + file).body();
      if (file.endsWith(".html")) {
        collect(attribute, text, file, outside);
        assertThat(text).as(file + ": inline script").doesNotContainPattern("<script(?![^>]*src=)");
        assertThat(text).as(file + ": inline style").doesNotContainPattern("\\sstyle\\s*=");
        assertThat(text).as(file + ": inline handlers").doesNotContainPattern("\\son[a-z]+\\s*=");
      }
      if (file.endsWith(".css")) {
        collect(cssUrl, text, file, outside);
        assertThat(text).as(file).doesNotContainPattern(cssImport);
      }
      if (file.endsWith(".js")) {
        Matcher imports = jsImport.matcher(text);
        while (imports.find()) {
          if (!imports.group(1).startsWith("./") && !imports.group(1).startsWith("../")) {
            outside.add(file + ": import " + imports.group(1));
          }
        }
        assertThat(text).as(file).doesNotContain("innerHTML").doesNotContain("eval(");
      }
      Matcher urls = absolute.matcher(text);
      while (urls.find()) {
        if (!urls.group().equals(SVG_NAMESPACE)
            && !urls.group().startsWith("//")
            && !isComment(text, urls.start())) {
          outside.add(file + ": " + urls.group());
        }
      }
    }
    assertThat(outside).as("references to anything but the node").isEmpty();
  }

  private static void collect(Pattern pattern, String text, String file, List<String> outside) {
    Matcher m = pattern.matcher(text);
    while (m.find()) {
      String target = m.group(1);
      if (target.startsWith("//") || target.matches("(?i)[a-z][a-z0-9+.-]*:.*")) {
        outside.add(file + ": " + target);
      }
    }
  }

  /** Whether the match at {@code at} is in a line comment of JavaScript (`// ...`). */
  private static boolean isComment(String text, int at) {
    int lineStart = text.lastIndexOf('\n', at) + 1;
    return text.substring(lineStart, at).trim().startsWith("//");
  }

  private static String expectedType(String file) {
    String extension = file.substring(file.lastIndexOf('.') + 1);
    return switch (extension) {
      case "html" -> "text/html; charset=UTF-8";
      case "js" -> "application/javascript; charset=UTF-8";
      case "css" -> "text/css; charset=UTF-8";
      case "svg" -> "image/svg+xml";
      case "png" -> "image/png";
      default -> throw new AssertionError("a console file of unknown type: " + file);
    };
  }

  /** Every file under console/ on the test class path (the module's resources). */
  static List<String> consoleFiles() throws URISyntaxException, java.io.IOException {
    Path root = Path.of(ConsoleAssetsTest.class.getClassLoader().getResource("console").toURI());
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString().replace('\\', '/'))
          .sorted()
          .toList();
    }
  }
}

package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.node.security.Tokens;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The admin console in a real browser (Debian's headless Chromium, driven by Selenium) against a
 * real node with JWT authentication: an operator signs in, defines a collection and sees the node's
 * validation error next to the field, writes documents through the console and the API, steps
 * through a history and a diff, reverts, watches the live feed receive a change made through the
 * API, pauses and resumes a projection, rebuilds the read model to completion with the progress bar
 * moving, and an expired token leads back to sign-in. Each page is photographed into {@code
 * docs/console/}.
 *
 * <p>The steps build on each other, in order. Without Chromium and chromedriver the test is
 * skipped, unless {@code -Dcairn.browser.required=true} or {@code CAIRN_BROWSER_REQUIRED=true} says
 * that this run must have them (CI), when it fails instead.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {

  private static final String SECRET = "a-console-browser-secret-of-32-bytes";
  private static final Path SCREENSHOTS = Path.of("..", "docs", "console");
  private static final List<String> CHROMIUM =
      List.of("/usr/bin/chromium", "/usr/bin/chromium-browser");
  private static final List<String> DRIVER =
      List.of("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");

  @TempDir static Path dir;

  private TestNode node;
  private ChromeDriver browser;
  private WebDriverWait wait;
  private String[] admin;
  private Path downloads;

  @BeforeAll
  void start() throws Exception {
    Optional<String> chromium = firstExisting(CHROMIUM);
    Optional<String> driver = firstExisting(DRIVER);
    if (chromium.isEmpty() || driver.isEmpty()) {
      String why =
          "needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)";
      if (Boolean.getBoolean("cairn.browser.required")
          || "true".equals(System.getenv("CAIRN_BROWSER_REQUIRED"))) {
        fail("the console's browser test " + why);
      }
      assumeTrue(false, "skipped: the console's browser test " + why);
    }
    node =
        TestNode.start(
            dir.resolve("node"),
            // Imports answered 202 once read: the page follows them to their report.
            Map.of(
                "cairn.auth.mode",
                "jwt",
                "cairn.auth.jwt.secret",
                SECRET,
                "cairn.admin.import-wait",
                "0s"));
    admin = new String[] {"Authorization", "Bearer " + token("tester", Duration.ofHours(1))};
    downloads = Files.createDirectories(dir.resolve("downloads"));
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.get());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,1000",
        "--lang=en-GB");
    // The export is saved where the test finds it, without asking.
    options.setExperimentalOption(
        "prefs",
        Map.of(
            "download.default_directory",
            downloads.toString(),
            "download.prompt_for_download",
            false));
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(driver.get()))
            .usingAnyFreePort()
            .build();
    browser = new ChromeDriver(service, options);
    wait = new WebDriverWait(browser, Duration.ofSeconds(30));
    // Pages re-render parts of themselves (a refresh after an action): look again when they do.
    wait.ignoring(StaleElementReferenceException.class);
    Files.createDirectories(SCREENSHOTS);
  }

  @AfterAll
  void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (node != null) {
      node.close();
    }
  }

  private static String token(String subject, Duration ttl) {
    return Tokens.hs256(SECRET, subject, List.of("admin"), ttl, "roles", "", "");
  }

  private static Optional<String> firstExisting(List<String> paths) {
    return paths.stream().filter(p -> Files.isExecutable(Path.of(p))).findFirst();
  }

  @Test
  @Order(1)
  void anOperatorSignsInWithAPastedTokenAndReachesEveryPageFromTheStartPage() throws Exception {
    browser.get(node.uri("/console").toString());
    WebElement field = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
    assertThat(browser.getCurrentUrl()).endsWith("/console/#/sign-in");
    shot("sign-in");

    field.sendKeys(admin[1].substring("Bearer ".length()));
    browser.findElement(By.id("sign-in")).click();

    titled("Cairn console");
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(By.id("start-status"), "members up"));
    List<String> links = new ArrayList<>();
    for (WebElement link : browser.findElements(By.cssSelector("main .cards a"))) {
      links.add(link.getAttribute("href").replaceAll(".*#", "#"));
    }
    assertThat(links)
        .containsExactly(
            "#/cluster", "#/collections", "#/documents", "#/live", "#/replay", "#/health");
    assertThat(browser.findElement(By.id("who-name")).getText()).contains("tester");
    shot("start");
  }

  @Test
  @Order(2)
  void aDefinitionTheNodeRefusesShowsItsErrorNextToTheFieldAndACorrectedOneIsSaved()
      throws Exception {
    visit("collections", "Collections");
    browser.findElement(By.id("new-collection")).click();
    titled("New collection");
    browser.findElement(By.id("def-name")).sendKeys("products");
    type(
        "def-schema",
        "{\"type\":\"object\",\"required\":[\"price\"],\"properties\":{\"price\":{\"type\":\"numbr\"}}}");
    type(
        "def-indexes",
        "{\"price\":{\"path\":\"/price\",\"type\":\"number\"},\"status\":{\"path\":\"/status\",\"type\":\"string\"}}");
    browser.findElement(By.id("save-definition")).click();

    wait.until(ExpectedConditions.attributeToBe(By.id("def-schema"), "aria-invalid", "true"));
    String error = browser.findElement(By.id("def-schema-error")).getText();
    assertThat(error).contains("/schema");
    assertThat(browser.findElement(By.id("def-indexes")).getAttribute("aria-invalid")).isNull();
    assertThat(node.get("/v1/_collections/products", admin).status()).isEqualTo(404);
    shot("collection-validation-error");

    type(
        "def-schema",
        "{\"type\":\"object\",\"required\":[\"price\"],\"properties\":{\"price\":{\"type\":\"number\",\"minimum\":0}}}");
    browser.findElement(By.id("save-definition")).click();

    titled("Collection products");
    assertThat(browser.findElement(By.id("main")).getText()).contains("/price").contains("status");
    shot("collection");
    visit("collections", "Collections");
    assertThat(browser.findElement(By.id("main")).getText()).contains("products");
    shot("collections");
  }

  @Test
  @Order(3)
  void documentsAreWrittenThroughTheConsoleAndTheApiAndListedWithSortFilterAndPages()
      throws Exception {
    visit("documents/products/_new", "New document in products");
    browser.findElement(By.id("doc-id")).sendKeys("p1");
    type("doc-content", "{\"price\": -1}");
    browser.findElement(By.id("create-document")).click();
    wait.until(ExpectedConditions.attributeToBe(By.id("doc-content"), "aria-invalid", "true"));
    assertThat(browser.findElement(By.id("doc-content-error")).getText()).contains("/price");
    shot("document-schema-violation");

    type("doc-content", "{\"price\": 12, \"status\": \"open\"}");
    browser.findElement(By.id("create-document")).click();
    titled("products/p1");

    assertThat(node.put("/v1/products/p2", "{\"price\":30,\"status\":\"open\"}", admin).status())
        .isEqualTo(201);
    assertThat(
            node.mergePatch("/v1/products/p1", "{\"price\":15}", with("X-Request-Id", "req-patch"))
                .status())
        .isEqualTo(200);
    assertThat(
            node.put(
                    "/v1/products/p1",
                    "{\"price\":20,\"status\":\"sold\"}",
                    with("X-Request-Id", "req-from-test"))
                .status())
        .isEqualTo(200);
    // p1 and p2 may live in different slices of the read model: wait for each.
    Await.until(
        "the read model has both, p1 at version 3",
        () ->
            node.get("/v1/products?where.status=sold", admin).body().contains("\"version\":3")
                && node.get("/v1/products?where.status=open", admin)
                    .body()
                    .contains("\"id\":\"p2\""));

    visit("documents/products?sort=-price&limit=1", "Documents in products");
    assertThat(rowIds()).containsExactly("p2");
    browser.findElement(By.id("next-page")).click();
    wait.until(d -> rowIds().equals(List.of("p1")));

    visit("documents/products", "Documents in products");
    browser.findElement(By.id("value-status")).sendKeys("sold");
    browser.findElement(By.id("apply-filters")).click();
    wait.until(
        d -> d.getCurrentUrl().contains("where.status=sold") && rowIds().equals(List.of("p1")));
    visit("documents/products?sort=-price", "Documents in products");
    assertThat(rowIds()).containsExactly("p2", "p1");
    shot("documents");
  }

  @Test
  @Order(4)
  void aHistoryIsSteppedThroughVersionByVersionAndTwoVersionsAreCompared() throws Exception {
    visit("documents/products/p1", "products/p1");
    versionShown(3);
    assertThat(text("version-state")).contains("sold");
    WebElement newest = browser.findElement(By.cssSelector("#timeline li[data-version='3']"));
    assertThat(newest.getText()).contains("tester").contains("req-from-test").contains("replaced");

    browser.findElement(By.id("older")).click();
    versionShown(2);
    assertThat(text("version-state")).contains("15");
    WebElement change =
        browser.findElement(By.cssSelector("#version-change tr[data-path='/price']"));
    assertThat(change.getText()).contains("changed").contains("12").contains("15");

    browser.findElement(By.id("older")).click();
    versionShown(1);
    browser.findElement(By.id("newer")).click();
    versionShown(2);

    new Select(browser.findElement(By.id("compare-from"))).selectByValue("1");
    new Select(browser.findElement(By.id("compare-to"))).selectByValue("3");
    browser.findElement(By.id("compare")).click();
    wait.until(
        ExpectedConditions.presenceOfElementLocated(
            By.cssSelector("#diff-result tr[data-path='/status']")));
    assertThat(text("diff-result")).contains("/price").contains("open").contains("sold");
    shot("document-history");
  }

  @Test
  @Order(5)
  void aRevertWritesANewVersionEqualToTheChosenOne() throws Exception {
    visit("documents/products/p1", "products/p1");
    versionShown(3);
    browser.findElement(By.cssSelector("#timeline button[data-version='1']")).click();
    versionShown(1);
    browser.findElement(By.id("revert")).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm-ok")));
    shot("revert-confirmation");
    browser.findElement(By.id("confirm-ok")).click();

    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(By.id("current-title"), "version 4"));
    assertThat(text("document-notice")).contains("version 4").contains("version 1");
    JsonNode reverted = node.get("/v1/products/p1", admin).json();
    assertThat(reverted.get("version").asLong()).isEqualTo(4);
    assertThat(reverted.get("data").get("price").asInt()).isEqualTo(12);
    JsonNode history = node.get("/v1/products/p1/events", admin).json().get("items");
    assertThat(history.get(3).get("type").asText()).isEqualTo("reverted");
    assertThat(history.get(3).get("principal").asText()).isEqualTo("tester");
  }

  @Test
  @Order(6)
  void theLiveFeedReceivesAChangeMadeThroughTheApi() throws Exception {
    visit("live", "Live");
    browser.findElement(By.id("live-collection")).sendKeys("products");
    browser.findElement(By.id("live-start")).click();
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(By.id("live-status"), "Connected"));

    assertThat(node.put("/v1/products/p9", "{\"price\":9}", admin).status()).isEqualTo(201);

    WebElement received =
        wait.until(
            ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#live-feed li[data-id='p9']")));
    assertThat(received.getText()).contains("products/p9").contains("created").contains("tester");
    assertThat(browser.findElements(By.cssSelector("#live-feed li[data-id='p1']")))
        .as("from now on: no earlier change")
        .isEmpty();
    shot("live");
  }

  @Test
  @Order(7)
  void aProjectionIsPausedAndResumed() throws Exception {
    visit("replay", "Replay tools");
    By documents = By.cssSelector("section[data-projection='documents']");
    wait.until(ExpectedConditions.attributeToBe(documents, "data-state", "running"));
    browser.findElement(By.id("pause-documents")).click();
    wait.until(ExpectedConditions.attributeToBe(documents, "data-state", "paused"));
    assertThat(node.get("/admin/projections", admin).body()).contains("\"paused\"");
    shot("replay-paused");
    browser.findElement(By.id("resume-documents")).click();
    wait.until(ExpectedConditions.attributeToBe(documents, "data-state", "running"));
    assertThat(node.get("/admin/projections", admin).body()).doesNotContain("\"paused\"");
  }

  @Test
  @Order(8)
  void aRebuildRunsToCompletionWithTheProgressBarMoving() throws Exception {
    seed(300);
    visit("replay", "Replay tools");
    // Held to 100 events a second, the rebuild of some 350 events takes a few seconds, in which
    // the page polls it every quarter second and the node reports every half.
    type("rebuild-rate", "100");
    browser.findElement(By.id("rebuild-start")).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm-ok"))).click();

    By bar = By.id("rebuild-progress");
    wait.ignoring(StaleElementReferenceException.class)
        .until(
            d -> {
              double value = Double.parseDouble(d.findElement(bar).getAttribute("value"));
              return value > 0.0 && value < 1.0;
            });
    assertThat(text("rebuild-text")).contains("Rebuilding").contains("events/s").contains("left");
    shot("replay-rebuilding");
    new WebDriverWait(browser, Duration.ofSeconds(120))
        .ignoring(StaleElementReferenceException.class)
        .until(ExpectedConditions.attributeToBe(bar, "data-state", "done"));
    List<Double> seen = new ArrayList<>();
    for (String fraction : browser.findElement(bar).getAttribute("data-seen").split(" ")) {
      seen.add(Double.parseDouble(fraction));
    }
    assertThat(seen.get(0)).as("the bar starts below full: " + seen).isLessThan(1.0);
    assertThat(seen).as("it is seen part-way").anyMatch(f -> f > 0.0 && f < 1.0);
    assertThat(seen.get(seen.size() - 1)).isEqualTo(1.0);
    assertThat(seen).as("it only moves forward").isSorted();
    assertThat(Double.parseDouble(browser.findElement(bar).getAttribute("value"))).isEqualTo(1.0);
    assertThat(text("rebuild-text")).contains("Rebuild done").contains("switched to the");
    browser.executeScript(
        "arguments[0].scrollIntoView({block: 'center'});", browser.findElement(bar));
    shot("replay-rebuilt");
  }

  @Test
  @Order(9)
  void anExportIsDownloadedImportedBackWithItsConflictReportedAndACollectionChecked()
      throws Exception {
    visit("replay/backup", "Export and import");
    type("export-collection", "seeded");
    browser.findElement(By.cssSelector("#export-form button[type=submit]")).click();
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.id("export-status"), "Exported 300 events"));
    String exported = node.get("/admin/export?collection=seeded", admin).body();
    Path downloaded = downloads.resolve("cairn-export-seeded.ndjson");
    wait.until(d -> Files.exists(downloaded));
    assertThat(Files.readString(downloaded)).as("the file saved").isEqualTo(exported);

    // The same events back, but one of them changed: that document's history conflicts.
    List<String> lines = new ArrayList<>(List.of(exported.split("\n")));
    int changed = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains("\"s5\"") && lines.get(i).contains("\"n\":5")) {
        lines.set(i, lines.get(i).replace("\"n\":5", "\"n\":-5"));
        changed = i;
      }
    }
    assertThat(changed).as("the line of s5 in " + lines.get(0)).isNotNegative();
    Path file = dir.resolve("changed.ndjson");
    Files.writeString(file, String.join("\n", lines) + "\n");
    browser.findElement(By.id("import-file")).sendKeys(file.toString());
    browser.findElement(By.cssSelector("#import-form button[type=submit]")).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm-ok"))).click();
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(By.id("import-status"), "Imported"));
    assertThat(text("import-status"))
        .contains("Imported 0 events, skipped 299 already there, 1 conflicting")
        .contains("seeded/s5");
    String[] sent =
        browser.findElement(By.id("import-progress")).getAttribute("data-seen").split(" ");
    assertThat(Double.parseDouble(sent[sent.length - 1])).as("all of the file sent").isEqualTo(1.0);
    assertThat(node.get("/v1/seeded/s5", admin).json().get("data").get("n").asInt())
        .as("the conflicting document is left alone")
        .isEqualTo(5);
    JsonNode audited = node.get("/admin/audit?limit=1", admin).json().get("items").get(0);
    assertThat(audited.get("operation").asText()).isEqualTo("import");
    assertThat(audited.get("status").asInt())
        .as("answered 202 and followed at its operation")
        .isEqualTo(202);
    shot("import-conflict");

    visit("replay/check", "Replay check");
    type("check-collection", "products");
    browser.findElement(By.cssSelector("#check-form button[type=submit]")).click();
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(By.id("check-result"), "documents"));
    assertThat(text("check-result")).contains("0 undecodable").contains("0 invalid");
    shot("replay-check");
  }

  @Test
  @Order(10)
  void theOtherPagesShowTheClusterTheJournalTheAuditTrailAndHealth() throws Exception {
    visit("cluster", "Cluster");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("shard-map")));
    assertThat(text("main")).contains("up").contains("this node").contains("shards");
    browser.findElement(By.cssSelector("main tr[data-address] button.secondary")).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm-cancel")));
    assertThat(text("confirm-message")).contains("hands its shards");
    shot("cluster-leave-confirmation");
    browser.findElement(By.id("confirm-cancel")).click();
    wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("confirm-cancel")));
    shot("cluster");

    visit("replay/journal?collection=products", "Journal");
    assertThat(text("main")).contains("products/p1").contains("reverted");
    shot("journal");
    visit("replay/audit", "Audit trail");
    assertThat(text("main")).contains("pause").contains("resume").contains("rebuild-projection");
    shot("audit");
    visit("health", "Health");
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("ready-state"), "ready"));
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.id("figures"), "Requests per second"));
    shot("health");

    // Everything the browser fetched came from the node.
    Object resources =
        ((JavascriptExecutor) browser)
            .executeScript(
                "return performance.getEntriesByType('resource').map(e => e.name)"
                    + ".concat([location.href]);");
    assertThat((List<?>) resources)
        .isNotEmpty()
        .allSatisfy(url -> assertThat(url.toString()).startsWith(node.uri("/").toString()));
  }

  @Test
  @Order(11)
  void theConsoleIsReadableAt390PixelsAndInTheDark() throws Exception {
    browser.executeCdpCommand(
        "Emulation.setDeviceMetricsOverride",
        Map.of("width", 390, "height", 844, "deviceScaleFactor", 1, "mobile", true));
    try {
      visit("documents/products/p1", "products/p1");
      versionShown(4);
      assertThat(noSidewaysScroll()).as("no page-wide horizontal scrolling at 390 px").isTrue();
      shot("document-390px");
      visit("", "Cairn console");
      assertThat(noSidewaysScroll()).isTrue();
    } finally {
      browser.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
    }
    browser.executeCdpCommand(
        "Emulation.setEmulatedMedia",
        Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
    try {
      visit("documents/products/p1", "products/p1");
      versionShown(4);
      String background =
          (String)
              browser.executeScript(
                  "return getComputedStyle(document.documentElement).backgroundColor;");
      assertThat(background).isEqualTo("rgb(17, 22, 29)");
      shot("document-dark");
    } finally {
      browser.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features", List.of()));
    }
  }

  @Test
  @Order(12)
  void anExpiredTokenLeadsBackToSignInAndSigningOutForgetsTheToken() throws Exception {
    browser.executeScript(
        "sessionStorage.setItem('cairn.token', arguments[0]);",
        token("tester", Duration.ofMinutes(-10)));
    visit("collections", "Sign in");
    assertThat(text("sign-in-notice")).contains("refused").contains("invalid-token");
    assertThat(browser.executeScript("return sessionStorage.getItem('cairn.token');")).isNull();
    shot("signed-out-by-401");

    browser.findElement(By.id("token")).sendKeys(admin[1].substring("Bearer ".length()));
    browser.findElement(By.id("sign-in")).click();
    titled("Collections");
    browser.findElement(By.id("sign-out")).click();
    titled("Sign in");
    assertThat(text("sign-in-notice")).contains("Signed out");
    assertThat(browser.executeScript("return sessionStorage.getItem('cairn.token');")).isNull();
    assertThat(browser.findElement(By.id("nav")).isDisplayed()).isFalse();
  }

  // ---- helpers -----------------------------------------------------------------------------

  private String[] with(String... more) {
    String[] all = new String[admin.length + more.length];
    System.arraycopy(admin, 0, all, 0, admin.length);
    System.arraycopy(more, 0, all, admin.length, more.length);
    return all;
  }

  /** Goes to the page at {@code #/hash} and waits until it has rendered with {@code title}. */
  private void visit(String hash, String title) {
    Object before = browser.executeScript("return document.getElementById('main')?.dataset.ready;");
    String target = node.uri("/console/").toString() + "#/" + hash;
    if (target.equals(browser.getCurrentUrl())) {
      // The same hash again is no navigation: render the page anew, as a reload of it would.
      browser.executeScript("window.dispatchEvent(new HashChangeEvent('hashchange'));");
    } else {
      browser.get(target);
    }
    wait.until(
        d ->
            !String.valueOf(before)
                    .equals(
                        String.valueOf(
                            browser.executeScript(
                                "return document.getElementById('main').dataset.ready;")))
                || title.equals("Sign in"));
    titled(title);
  }

  private void titled(String title) {
    wait.until(ExpectedConditions.textToBe(By.id("page-title"), title));
    wait.until(d -> browser.findElement(By.id("main")).getAttribute("aria-busy") == null);
  }

  private void versionShown(int version) {
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.id("version-title"), "Version " + version + " of"));
  }

  private void type(String id, String text) {
    WebElement field = browser.findElement(By.id(id));
    field.clear();
    field.sendKeys(text);
  }

  private String text(String id) {
    return browser.findElement(By.id(id)).getText();
  }

  private List<String> rowIds() {
    List<String> ids = new ArrayList<>();
    for (WebElement row : browser.findElements(By.cssSelector("main tr[data-id]"))) {
      ids.add(row.getAttribute("data-id"));
    }
    return ids;
  }

  private boolean noSidewaysScroll() {
    return (Boolean)
        browser.executeScript(
            "return document.documentElement.scrollWidth <= window.innerWidth + 1;");
  }

  private void shot(String name) throws Exception {
    Files.write(SCREENSHOTS.resolve(name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
  }

  /** {@code count} more documents through the API, so that a rebuild has something to do. */
  private void seed(int count) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> writes = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        int n = i;
        writes.add(
            pool.submit(
                () -> {
                  // A busy machine may make a write wait past the ask timeout: 503, retry.
                  int status = 503;
                  for (int attempt = 0; attempt < 5 && status == 503; attempt++) {
                    status = node.put("/v1/seeded/s" + n, "{\"n\":" + n + "}", admin).status();
                  }
                  return status;
                }));
      }
      for (Future<Integer> write : writes) {
        assertThat(write.get()).isEqualTo(201);
      }
    } finally {
      pool.shutdown();
    }
  }
}

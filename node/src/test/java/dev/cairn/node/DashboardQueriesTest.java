package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cairn.node.security.Tokens;
import dev.cairn.persistence.Database;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboards in {@code deploy/grafana/} and the alert rules in {@code
 * deploy/prometheus/alerts.yaml} (docs/dashboards.md) read only series a live node exports: every
 * metric name in every PromQL expression is in a scrape of a node after traffic. A renamed meter, a
 * typo in a query or a series the node never had fails here, naming the file, the expression and
 * the series, rather than as an empty panel or an alert that can never fire.
 *
 * <p>Names are taken from the expressions by {@link PromQlNames}, a small tokenizer of PromQL (and
 * of Grafana's variables and {@code label_values(...)}); its own tests are at the end.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardQueriesTest {

  private static final String SECRET = "a-dashboard-test-secret-of-32-bytes!";

  private static final Path ROOT = Path.of("..");
  private static final Path GRAFANA = ROOT.resolve("deploy/grafana");
  private static final Path ALERTS = ROOT.resolve("deploy/prometheus/alerts.yaml");
  private static final Path RUNBOOK = ROOT.resolve("docs/operations.md");

  /** Prometheus' own series about each scrape, not the node's. */
  private static final Set<String> PROMETHEUS_SERIES = Set.of("up");

  /**
   * Series a node exports only while something happens: a rebuild running, a garbage collection
   * having paused the JVM, the read side sampled. The scrape waits for them, so that a query of
   * them is checked rather than excused.
   */
  private static final List<String> CONDITIONAL_SERIES =
      List.of(
          "cairn_admin_operation_progress",
          "jvm_gc_pause_seconds_count",
          "cairn_projection_failing");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @TempDir static Path dir;

  private TestNode node;
  private Set<String> exported;

  @BeforeAll
  void startANodeMakeTrafficAndScrapeIt() throws Exception {
    node =
        TestNode.start(
            dir.resolve("node"), Map.of("cairn.auth.mode", "jwt", "cairn.auth.jwt.secret", SECRET));
    String[] admin = bearer("root", "admin");
    for (int i = 0; i < 3; i++) {
      assertThat(node.put("/v1/watched/doc-" + i, "{\"n\":" + i + "}", admin).status())
          .isEqualTo(201);
    }
    assertThat(
            node.put("/v1/watched/doc-0", "{\"n\":9}", with(admin, "If-Match", "\"7\"")).status())
        .isEqualTo(412);
    assertThat(node.get("/v1/watched/doc-1", admin).status()).isEqualTo(200);
    assertThat(node.get("/v1/watched/absent", admin).status()).isEqualTo(404);
    aRebuildIsRunning();

    String[] prometheus = bearer("prometheus", "metrics");
    Await.until(
        "a scrape holding " + CONDITIONAL_SERIES,
        () -> {
          exported = exportedNames(node.get("/metrics", prometheus));
          if (!exported.contains("jvm_gc_pause_seconds_count")) {
            System.gc(); // a pause is exported once the JVM has had one
          }
          return exported.containsAll(CONDITIONAL_SERIES);
        });
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
  }

  @Test
  void everyQueryOfTheDashboardsNamesOnlySeriesTheNodeExports() throws IOException {
    Map<String, List<String>> queries = dashboardQueries();
    assertThat(queries).as("dashboards in " + GRAFANA).isNotEmpty();
    queries.forEach(
        (file, expressions) -> assertThat(expressions).as(file + "'s queries").isNotEmpty());

    assertThat(problems(queries)).isEmpty();
  }

  @Test
  void everyAlertRuleNamesOnlySeriesTheNodeExports() throws IOException {
    List<String> expressions = rules().stream().map(rule -> rule.path("expr").asText()).toList();
    assertThat(expressions).hasSizeGreaterThanOrEqualTo(8);

    assertThat(problems(Map.of(shown(ALERTS), expressions))).isEmpty();
  }

  @Test
  void aDashboardIsValidJsonWithUniquePanelIdsAndItsVariables() throws IOException {
    for (Path file : dashboards()) {
      JsonNode dashboard = JSON.readTree(file.toFile());
      List<JsonNode> panels = panels(dashboard);
      assertThat(panels).as(shown(file) + "'s panels").isNotEmpty();
      List<Integer> ids = panels.stream().map(p -> p.path("id").asInt(-1)).toList();
      assertThat(ids).as(shown(file) + ": panel ids").doesNotHaveDuplicates().doesNotContain(-1);
      for (JsonNode panel : panels) {
        String what = shown(file) + ", panel " + panel.path("id") + " " + panel.path("title");
        assertThat(panel.path("title").asText()).as(what + ": a title").isNotBlank();
        JsonNode grid = panel.path("gridPos");
        assertThat(grid.path("x").asInt() + grid.path("w").asInt())
            .as(what + ": within the 24 columns")
            .isBetween(1, 24);
        if (!panel.path("type").asText().equals("row")) {
          assertThat(panel.path("targets")).as(what + ": its queries").isNotEmpty();
          panel
              .path("targets")
              .forEach(target -> assertThat(target.path("expr").asText()).as(what).isNotBlank());
        }
      }
      Map<String, JsonNode> variables = new LinkedHashMap<>();
      dashboard
          .path("templating")
          .path("list")
          .forEach(v -> variables.put(v.path("name").asText(), v));
      assertThat(variables)
          .as(shown(file) + ": its variables")
          .containsKeys("DS_PROMETHEUS", "instance");
      assertThat(variables.get("DS_PROMETHEUS").path("type").asText()).isEqualTo("datasource");
      assertThat(variables.get("DS_PROMETHEUS").path("query").asText()).isEqualTo("prometheus");
    }
  }

  @Test
  void aDashboardsRatesUseGrafanasRateInterval() throws IOException {
    Pattern range = Pattern.compile("\\[([^\\]]*)\\]");
    List<String> problems = new ArrayList<>();
    dashboardQueries()
        .forEach(
            (file, expressions) -> {
              for (String expr : expressions) {
                Matcher m = range.matcher(expr);
                while (m.find()) {
                  if (!m.group(1).equals("$__rate_interval")) {
                    problems.add(file + ": [" + m.group(1) + "] in " + expr);
                  }
                }
              }
            });
    assertThat(problems).isEmpty();
  }

  @Test
  void everyAlertHasAnExpressionADurationASeverityASummaryAndARunbookSection() throws IOException {
    List<JsonNode> rules = rules();
    Set<String> sections = sectionAnchors(RUNBOOK);
    Set<String> names = new TreeSet<>();
    for (JsonNode rule : rules) {
      String what = shown(ALERTS) + ", rule " + rule;
      assertThat(rule.path("alert").asText()).as(what + ": alert").isNotBlank();
      assertThat(names.add(rule.path("alert").asText())).as(what + ": a unique name").isTrue();
      assertThat(rule.path("expr").asText()).as(what + ": expr").isNotBlank();
      assertThat(rule.path("for").asText()).as(what + ": for").matches("\\d+[smh]");
      assertThat(rule.path("labels").path("severity").asText())
          .as(what + ": labels.severity")
          .isIn("critical", "warning");
      assertThat(rule.path("annotations").path("summary").asText())
          .as(what + ": annotations.summary")
          .isNotBlank();
      String runbook = rule.path("annotations").path("runbook_url").asText();
      assertThat(runbook).as(what + ": annotations.runbook_url").startsWith("docs/operations.md#");
      assertThat(sections)
          .as(what + ": " + runbook + " is a section of " + shown(RUNBOOK))
          .contains(runbook.substring(runbook.indexOf('#') + 1));
    }
  }

  // The extractor's own specification: what counts as a series, and that a missing one is named.

  @Test
  void theNamesOfAQueryAreItsSeriesNotItsFunctionsLabelsDurationsOrVariables() {
    assertThat(
            PromQlNames.in(
                "histogram_quantile(0.99, sum by (le, route) (rate("
                    + "cairn_http_requests_seconds_bucket{instance=~\"$instance\",status=\"5xx\"}"
                    + "[$__rate_interval])))"))
        .containsExactly("cairn_http_requests_seconds_bucket");
    assertThat(
            PromQlNames.in(
                "(sum(rate(a_total{x=\"rate(b_total)\", y!~'c|d'}[5m])) or vector(0))"
                    + " / on (instance) group_left (pool) pool_max > bool 1e-3"))
        .containsExactly("a_total", "pool_max");
    assertThat(
            PromQlNames.in(
                "max without (slice) (deriv(lag_events[10m:1m] offset 1h30m)) > 0"
                    + " AND ON() absent(other_series) UNLESS ${instance} # a comment naming x"))
        .containsExactly("lag_events", "other_series");
    assertThat(PromQlNames.in("{__name__=\"by_matcher\", job=\"cairn\"} @ end()"))
        .containsExactly("by_matcher");
    assertThat(PromQlNames.in("up{job=\"cairn\"} == 0")).containsExactly("up");
    assertThat(PromQlNames.in("count(count by (rate) (rate))")).containsExactly("rate");
  }

  @Test
  void grafanasLabelValuesNamesTheSeriesOfItsFirstArgumentOnly() {
    assertThat(PromQlNames.inTemplate("label_values(cairn_cluster_members, instance)"))
        .containsExactly("cairn_cluster_members");
    assertThat(PromQlNames.inTemplate("label_values(sharded{pool=\"db\"}, pool)"))
        .containsExactly("sharded");
    assertThat(PromQlNames.inTemplate("label_values(instance)")).isEmpty();
    assertThat(PromQlNames.inTemplate("query_result(max by (instance) (members))"))
        .containsExactly("members");
  }

  @Test
  void aQueryOfAMadeUpSeriesIsReportedWithItsFileAndExpression() {
    String expr = "sum(rate(cairn_made_up_total[5m])) / sum(rate(cairn_real_total[5m]))";
    List<String> problems =
        problems(Map.of("deploy/x.json", List.of(expr)), Set.of("cairn_real_total"));

    assertThat(problems).hasSize(1);
    assertThat(problems.get(0)).contains("deploy/x.json", expr, "cairn_made_up_total");
    assertThat(problems(Map.of("deploy/x.json", List.of("vector(1)")), Set.of()))
        .singleElement(InstanceOfAssertFactories.STRING)
        .contains("names no series");
  }

  @Test
  void aQueryTheTokenizerCannotReadIsRefusedNotPassed() {
    assertThatThrownBy(() -> PromQlNames.in("rat(cairn_x_total[5m])"))
        .hasMessageContaining("unknown function rat");
    assertThatThrownBy(() -> PromQlNames.in("cairn_x{job=\"cairn}"))
        .hasMessageContaining("unterminated");
    assertThatThrownBy(() -> PromQlNames.in("rate(cairn_x[5m]")).hasMessageContaining("unbalanced");
  }

  // The node's scrape.

  private static String[] bearer(String subject, String... roles) {
    return new String[] {
      "Authorization",
      "Bearer "
          + Tokens.hs256(SECRET, subject, List.of(roles), Duration.ofHours(1), "roles", "", "")
    };
  }

  private static String[] with(String[] auth, String... more) {
    return Stream.concat(Stream.of(auth), Stream.of(more)).toArray(String[]::new);
  }

  /**
   * A rebuild as the database shows one running, so that its progress is exported; a real rebuild
   * of a few documents ends before a scrape can see it. Rebuilds counts an operation as running
   * until 30 s after its {@code updated_at}, here a minute ahead so that a slow machine still sees
   * it; nothing runs it, and the node's database ends with the test.
   */
  private void aRebuildIsRunning() throws Exception {
    try (Connection c = new Database(node.node().system()).connection();
        PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO admin_operation (id, kind, running_key, parameters, state,"
                    + " done_events, total_events, started_at, updated_at) VALUES"
                    + " ('dashboard', 'rebuild', NULL, '{}', 'running', 1, 4, ?, ?)")) {
      long now = System.currentTimeMillis();
      insert.setLong(1, now);
      insert.setLong(2, now + 60_000);
      insert.executeUpdate();
    }
  }

  /**
   * The metric names of a scrape: every sample's name ({@code _bucket}, {@code _count}, {@code
   * _sum} of a histogram; {@code _max} is a gauge of its own) and every family's name from its
   * {@code # TYPE} line (a histogram's base name).
   */
  private static Set<String> exportedNames(HttpResponseView scrape) {
    assertThat(scrape.status()).as(scrape.toString()).isEqualTo(200);
    Set<String> names = new TreeSet<>();
    for (String line : scrape.body().split("\n")) {
      if (line.startsWith("# TYPE ")) {
        names.add(line.split(" ")[2]);
      } else if (!line.isBlank() && !line.startsWith("#")) {
        names.add(line.split("[{ ]", 2)[0]);
      }
    }
    return names;
  }

  // The files' queries.

  private List<String> problems(Map<String, List<String>> queries) {
    Set<String> known = new TreeSet<>(exported);
    known.addAll(PROMETHEUS_SERIES);
    return problems(queries, known);
  }

  /** One line per query naming a series not in {@code known}, or no series at all. */
  private static List<String> problems(Map<String, List<String>> queries, Set<String> known) {
    List<String> problems = new ArrayList<>();
    queries.forEach(
        (file, expressions) -> {
          for (String expr : expressions) {
            Set<String> names =
                expr.startsWith("label_values(") || expr.startsWith("query_result(")
                    ? PromQlNames.inTemplate(expr)
                    : PromQlNames.in(expr);
            if (names.isEmpty()) {
              problems.add(file + ": the query names no series: " + expr);
            }
            for (String name : names) {
              if (!known.contains(name)) {
                problems.add(
                    file
                        + ": the query reads "
                        + name
                        + ", which the node does not export: "
                        + expr);
              }
            }
          }
        });
    return problems;
  }

  private static List<Path> dashboards() throws IOException {
    try (Stream<Path> files = Files.list(GRAFANA)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
    }
  }

  /** Each dashboard's queries: every {@code expr}, anywhere, and its query variables' queries. */
  private static Map<String, List<String>> dashboardQueries() throws IOException {
    Map<String, List<String>> queries = new LinkedHashMap<>();
    for (Path file : dashboards()) {
      JsonNode dashboard = JSON.readTree(file.toFile());
      List<String> expressions = new ArrayList<>();
      dashboard.findValues("expr").forEach(expr -> expressions.add(expr.asText()));
      for (JsonNode variable : dashboard.path("templating").path("list")) {
        if (variable.path("type").asText().equals("query")) {
          JsonNode query = variable.path("query");
          expressions.add(query.isTextual() ? query.asText() : query.path("query").asText());
          if (variable.hasNonNull("definition")) {
            expressions.add(variable.get("definition").asText());
          }
        }
      }
      queries.put(shown(file), expressions);
    }
    return queries;
  }

  /** Every panel, also those inside collapsed rows. */
  private static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> panels = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      panels.add(panel);
      panel.path("panels").forEach(panels::add);
    }
    return panels;
  }

  private static List<JsonNode> rules() throws IOException {
    JsonNode alerts = YAML.readTree(ALERTS.toFile());
    List<JsonNode> rules = new ArrayList<>();
    for (JsonNode group : alerts.path("groups")) {
      assertThat(group.path("name").asText()).as(shown(ALERTS) + ": a group's name").isNotBlank();
      group.path("rules").forEach(rules::add);
    }
    assertThat(rules).as(shown(ALERTS) + "'s rules").isNotEmpty();
    return rules;
  }

  /** The anchors GitHub gives a Markdown file's headings: "Split brain" is #split-brain. */
  private static Set<String> sectionAnchors(Path markdown) throws IOException {
    Set<String> anchors = new TreeSet<>();
    boolean code = false;
    for (String line : Files.readAllLines(markdown)) {
      if (line.startsWith("```")) {
        code = !code;
      } else if (!code && line.startsWith("#")) {
        anchors.add(
            line.replaceFirst("^#+\\s*", "")
                .strip()
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9 _-]", "")
                .replace(' ', '-'));
      }
    }
    return anchors;
  }

  private static String shown(Path file) {
    return ROOT.relativize(file).toString();
  }

  /**
   * The metric names a PromQL expression reads. It skips what is not one: strings, label matchers
   * (but a {@code __name__="..."} matcher names a series), the label lists of {@code by}, {@code
   * without}, {@code on}, {@code ignoring}, {@code group_left} and {@code group_right}, ranges and
   * durations, numbers, Grafana's variables ({@code $__rate_interval}, {@code ${instance}}), and
   * keywords, aggregation operators and functions. An identifier followed by {@code (} that is no
   * function of PromQL is refused, as are unbalanced brackets and unterminated strings: a query the
   * tokenizer cannot read fails the test instead of passing it unread.
   */
  static final class PromQlNames {

    private static final Set<String> AGGREGATIONS =
        Set.of(
            "sum",
            "min",
            "max",
            "avg",
            "group",
            "stddev",
            "stdvar",
            "count",
            "count_values",
            "bottomk",
            "topk",
            "quantile",
            "limitk",
            "limit_ratio");

    private static final Set<String> KEYWORDS =
        Set.of("and", "or", "unless", "bool", "offset", "inf", "nan", "atan2");

    private static final Set<String> LABEL_LISTS =
        Set.of("by", "without", "on", "ignoring", "group_left", "group_right");

    private static final Set<String> FUNCTIONS =
        Set.of(
            "abs",
            "absent",
            "absent_over_time",
            "acos",
            "acosh",
            "asin",
            "asinh",
            "atan",
            "atanh",
            "avg_over_time",
            "ceil",
            "changes",
            "clamp",
            "clamp_max",
            "clamp_min",
            "cos",
            "cosh",
            "count_over_time",
            "day_of_month",
            "day_of_week",
            "day_of_year",
            "days_in_month",
            "deg",
            "delta",
            "deriv",
            "double_exponential_smoothing",
            "end",
            "exp",
            "floor",
            "group_over_time",
            "histogram_avg",
            "histogram_count",
            "histogram_fraction",
            "histogram_quantile",
            "histogram_stddev",
            "histogram_stdvar",
            "histogram_sum",
            "holt_winters",
            "hour",
            "idelta",
            "increase",
            "irate",
            "label_join",
            "label_replace",
            "last_over_time",
            "ln",
            "log10",
            "log2",
            "mad_over_time",
            "max_over_time",
            "min_over_time",
            "minute",
            "month",
            "pi",
            "predict_linear",
            "present_over_time",
            "quantile_over_time",
            "rad",
            "rate",
            "resets",
            "round",
            "scalar",
            "sgn",
            "sin",
            "sinh",
            "sort",
            "sort_by_label",
            "sort_by_label_desc",
            "sort_desc",
            "sqrt",
            "start",
            "stddev_over_time",
            "stdvar_over_time",
            "sum_over_time",
            "tan",
            "tanh",
            "time",
            "timestamp",
            "vector",
            "year");

    private PromQlNames() {}

    /** The series of a Grafana query variable: {@code label_values(expr, label)} and the like. */
    static Set<String> inTemplate(String query) {
      String q = query.strip();
      if (q.startsWith("query_result(") && q.endsWith(")")) {
        return in(q.substring("query_result(".length(), q.length() - 1));
      }
      if (q.startsWith("label_values(") && q.endsWith(")")) {
        String arguments = q.substring("label_values(".length(), q.length() - 1);
        int comma = lastTopLevelComma(arguments);
        return comma < 0 ? Set.of() : in(arguments.substring(0, comma));
      }
      return in(q);
    }

    /** The series of a PromQL expression. */
    static Set<String> in(String expr) {
      Set<String> names = new TreeSet<>();
      Scanner s = new Scanner(expr);
      int depth = 0;
      while (s.more()) {
        char c = s.peek();
        if (Character.isWhitespace(c) || c == ',') {
          s.next();
        } else if (c == '#') {
          s.skipLine();
        } else if (c == '"' || c == '\'' || c == '`') {
          s.string();
        } else if (c == '[') {
          s.skipPast(']'); // a range or a subquery's: durations and variables only
        } else if (c == '{') {
          s.matchers(names);
        } else if (c == '$') {
          s.variable();
        } else if (Character.isDigit(c) || (c == '.' && Character.isDigit(s.peek(1)))) {
          s.number();
        } else if (Scanner.startsIdentifier(c)) {
          identifier(s, names);
        } else if (c == '(') {
          depth++;
          s.next();
        } else if (c == ')') {
          if (--depth < 0) {
            throw new IllegalArgumentException("unbalanced ) in " + expr);
          }
          s.next();
        } else if (c == '}' || c == ']') {
          throw new IllegalArgumentException("unbalanced " + c + " in " + expr);
        } else {
          s.next(); // an operator, or @
        }
      }
      if (depth != 0) {
        throw new IllegalArgumentException("unbalanced ( in " + expr);
      }
      return names;
    }

    private static void identifier(Scanner s, Set<String> names) {
      String word = s.identifier();
      String keyword = word.toLowerCase(Locale.ROOT);
      s.skipSpaces();
      if (LABEL_LISTS.contains(keyword)) {
        if (s.more() && s.peek() == '(') {
          s.skipPast(')');
        }
      } else if (KEYWORDS.contains(keyword) || AGGREGATIONS.contains(keyword)) {
        // an operator: its parenthesis is counted by the caller
      } else if (s.more() && s.peek() == '(') {
        if (!FUNCTIONS.contains(word)) {
          throw new IllegalArgumentException("unknown function " + word + " in " + s.text);
        }
      } else {
        names.add(word);
      }
    }

    private static int lastTopLevelComma(String arguments) {
      int depth = 0;
      int comma = -1;
      for (int i = 0; i < arguments.length(); i++) {
        char c = arguments.charAt(i);
        if (c == '(' || c == '{' || c == '[') {
          depth++;
        } else if (c == ')' || c == '}' || c == ']') {
          depth--;
        } else if (c == ',' && depth == 0) {
          comma = i;
        }
      }
      return comma;
    }

    /** A cursor over one expression. */
    private static final class Scanner {
      final String text;
      int at;

      Scanner(String text) {
        this.text = text;
      }

      boolean more() {
        return at < text.length();
      }

      char peek() {
        return text.charAt(at);
      }

      char peek(int ahead) {
        return at + ahead < text.length() ? text.charAt(at + ahead) : '\0';
      }

      void next() {
        at++;
      }

      static boolean startsIdentifier(char c) {
        return Character.isLetter(c) || c == '_' || c == ':';
      }

      static boolean inIdentifier(char c) {
        return startsIdentifier(c) || Character.isDigit(c);
      }

      String identifier() {
        int from = at;
        while (more() && inIdentifier(peek())) {
          at++;
        }
        return text.substring(from, at);
      }

      void skipSpaces() {
        while (more() && Character.isWhitespace(peek())) {
          at++;
        }
      }

      void skipLine() {
        while (more() && peek() != '\n') {
          at++;
        }
      }

      void skipPast(char close) {
        int from = at;
        while (more() && peek() != close) {
          if (peek() == '"' || peek() == '\'' || peek() == '`') {
            string();
          } else {
            at++;
          }
        }
        if (!more()) {
          throw new IllegalArgumentException(
              "unbalanced " + text.charAt(from) + " at " + from + " in " + text);
        }
        at++;
      }

      /** A string literal's value; escapes are kept as written. */
      String string() {
        char quote = peek();
        int from = ++at;
        while (more() && peek() != quote) {
          at += peek() == '\\' && quote != '`' ? 2 : 1;
        }
        if (!more()) {
          throw new IllegalArgumentException(
              "unterminated string at " + (from - 1) + " in " + text);
        }
        return text.substring(from, at++);
      }

      /** A number or a duration: 0.99, 1e-3, 0x1f, 5m, 1h30m. */
      void number() {
        while (more() && (Character.isLetterOrDigit(peek()) || peek() == '.' || peek() == '_')) {
          char c = peek();
          at++;
          if ((c == 'e' || c == 'E') && more() && (peek() == '+' || peek() == '-')) {
            at++;
          }
        }
      }

      /** A Grafana variable: $name, $__rate_interval, ${name} or ${name:format}. */
      void variable() {
        at++;
        if (more() && peek() == '{') {
          skipPast('}');
        } else {
          identifier();
        }
      }

      /** Label matchers {label op "value", ...}; a __name__ matcher, or a bare string, names. */
      void matchers(Set<String> names) {
        int from = at++;
        while (true) {
          skipSpaces();
          if (!more()) {
            throw new IllegalArgumentException("unbalanced { at " + from + " in " + text);
          }
          char c = peek();
          if (c == '}') {
            at++;
            return;
          }
          if (c == ',') {
            at++;
            continue;
          }
          String label;
          if (c == '"' || c == '\'' || c == '`') {
            label = string();
            skipSpaces();
            if (more() && (peek() == ',' || peek() == '}')) {
              names.add(label); // {"quoted.metric.name"}, Prometheus 3
              continue;
            }
          } else if (startsIdentifier(c)) {
            label = identifier();
          } else {
            throw new IllegalArgumentException("not a label matcher at " + at + " in " + text);
          }
          skipSpaces();
          int op = at;
          while (more() && (peek() == '=' || peek() == '!' || peek() == '~')) {
            at++;
          }
          String operator = text.substring(op, at);
          skipSpaces();
          if (operator.isEmpty() || !more() || "\"'`".indexOf(peek()) < 0) {
            throw new IllegalArgumentException("not a label matcher at " + op + " in " + text);
          }
          String value = string();
          if (label.equals("__name__") && operator.equals("=")) {
            names.add(value);
          }
        }
      }
    }
  }
}

package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The deployment under {@code deploy/} (docs/deployment.md) agrees with the node it deploys: every
 * {@code CAIRN_*} variable it sets is one the node reads, every port is the node's port for the
 * setting it stands for, probes and health checks ask the node's health endpoints, and the pieces
 * name each other correctly (secrets, seed nodes, HAProxy's servers, labels). The node's variables
 * and defaults are read from the files that define them, never copied here, so changing a default
 * in {@code cairn.conf} without the manifests fails this test.
 */
class DeploymentManifestsTest {

  /** The node module's tests run in {@code node/}. */
  static final Path ROOT = Path.of("..");

  static final Path DEPLOY = ROOT.resolve("deploy");
  static final Path DOCKERFILE = DEPLOY.resolve("Dockerfile");
  private static final Path ENTRYPOINT = DEPLOY.resolve("docker/cairn-entrypoint.sh");
  private static final Path COMPOSE = DEPLOY.resolve("compose.yaml");
  private static final Path ENV_EXAMPLE = DEPLOY.resolve(".env.example");
  private static final Path HAPROXY = DEPLOY.resolve("haproxy/haproxy.cfg");
  private static final Path KUBERNETES = DEPLOY.resolve("kubernetes");

  /** The image's own variable: the entrypoint reads it, the node does not. */
  private static final Set<String> ENTRYPOINT_VARIABLES = Set.of("CAIRN_JAR");

  /** Variables whose values are secrets: never written into a manifest. */
  private static final Set<String> SECRET_VARIABLES =
      Set.of("CAIRN_DB_PASSWORD", "CAIRN_JWT_SECRET");

  private static final Pattern VARIABLE = Pattern.compile("CAIRN_[A-Z0-9_]*[A-Z0-9]");
  private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{(CAIRN_[A-Z0-9_]*[A-Z0-9])");
  private static final Pattern SHELL_DEFAULT =
      Pattern.compile("\\$\\{(CAIRN_[A-Z0-9_]*[A-Z0-9]):-([^}]*)}");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The node's ports, each the setting it stands for and its name in the Kubernetes manifests. */
  enum NodePort {
    HTTP("cairn.http.port", "http"),
    CLUSTER("cairn.cluster.port", "remoting"),
    MANAGEMENT("pekko.management.http.port", "management");

    final String setting;
    final String kubernetesName;

    NodePort(String setting, String kubernetesName) {
      this.setting = setting;
      this.kubernetesName = kubernetesName;
    }

    static Optional<NodePort> named(String kubernetesName) {
      return Stream.of(values()).filter(p -> p.kubernetesName.equals(kubernetesName)).findFirst();
    }
  }

  private static NodeSettings node;
  private static Dockerfile image;
  private static String entrypoint;
  private static Map<String, JsonNode> composeServices;
  private static List<Manifest> kubernetes;

  @BeforeAll
  static void read() throws IOException {
    node = NodeSettings.read();
    image = Dockerfile.read(DOCKERFILE);
    entrypoint = Files.readString(ENTRYPOINT);
    composeServices = fields(documents(COMPOSE).get(0).path("services"));
    kubernetes = new ArrayList<>();
    for (Path file : files(KUBERNETES, ".yaml")) {
      for (JsonNode document : documents(file)) {
        kubernetes.add(new Manifest(file, document));
      }
    }
  }

  @Test
  void everyYamlFileUnderDeployParses() throws IOException {
    List<Path> yaml = files(DEPLOY, ".yaml", ".yml");
    assertThat(yaml).contains(COMPOSE, KUBERNETES.resolve("kustomization.yaml"));
    for (Path file : yaml) {
      assertThat(documents(file)).as(shown(file)).isNotEmpty();
    }
  }

  @Test
  void everyCairnVariableTheDeploymentSetsIsOneTheNodeReads() throws IOException {
    Set<String> known = new TreeSet<>(node.variables);
    known.addAll(ENTRYPOINT_VARIABLES);
    List<String> problems = new ArrayList<>();
    BiConsumer<String, String> check =
        (where, variable) -> {
          if (!known.contains(variable)) {
            problems.add(
                "%s: %s is not a variable the node reads (none of %s names it)"
                    .formatted(where, variable, NodeSettings.SOURCES));
          }
        };

    image.environment().keySet().forEach(v -> check.accept(shown(DOCKERFILE) + ", ENV", v));
    codeLines(entrypoint)
        .forEach(line -> matches(VARIABLE, line).forEach(v -> check.accept(shown(ENTRYPOINT), v)));
    for (Path file : files(DEPLOY, ".yaml", ".yml")) {
      for (JsonNode document : documents(file)) {
        variablesIn(document, shown(file), check);
      }
    }
    for (String line : codeLines(Files.readString(ENV_EXAMPLE))) {
      check.accept(shown(ENV_EXAMPLE), line.substring(0, line.indexOf('=')));
    }

    assertThat(problems).isEmpty();
    assertThat(ENTRYPOINT_VARIABLES)
        .as("the entrypoint's own variables are read by " + shown(ENTRYPOINT))
        .allMatch(v -> entrypoint.contains("${" + v + ":-"));
  }

  @Test
  void secretsAreNeverWrittenIntoAManifest() {
    List<String> problems = new ArrayList<>();
    for (String secret : SECRET_VARIABLES) {
      if (image.environment().containsKey(secret)) {
        problems.add(shown(DOCKERFILE) + ": ENV " + secret + " puts a secret into the image");
      }
      composeNodes()
          .forEach(
              (service, definition) -> {
                String value = environment(definition.path("environment")).get(secret);
                if (value != null && !value.startsWith("${")) {
                  problems.add(
                      "%s, service %s: %s must come from the environment (${%s:?...}), not be"
                              .formatted(shown(COMPOSE), service, secret, secret)
                          + " written here");
                }
              });
      for (PodTemplate pod : podTemplates()) {
        for (JsonNode env : pod.container().path("env")) {
          if (env.path("name").asText().equals(secret)
              && !env.path("valueFrom").has("secretKeyRef")) {
            problems.add(pod.where() + ": " + secret + " must come from a secretKeyRef");
          }
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void theImageExposesTheNodesPorts() {
    Map<NodePort, Integer> ports = node.ports(image.environment());
    assertThat(image.exposedPorts())
        .as(shown(DOCKERFILE) + ": EXPOSE, the node's " + describe(ports))
        .containsExactlyInAnyOrderElementsOf(ports.values());
  }

  @Test
  void theImageRunsItsEntrypointAsAnUnprivilegedUserWithItsDataOnAVolume() throws IOException {
    String user = image.last("USER").orElse("root").split(":")[0];
    assertThat(user).as(shown(DOCKERFILE) + ": USER").isNotIn("root", "0");

    List<String> entry = image.execForm("ENTRYPOINT");
    assertThat(entry)
        .as(shown(DOCKERFILE) + ": ENTRYPOINT is the script it copies from " + shown(ENTRYPOINT))
        .isNotEmpty();
    assertThat(image.copiedFrom(entry.get(0))).hasValue(ROOT.relativize(ENTRYPOINT).toString());
    assertThat(image.execForm("CMD")).as(shown(DOCKERFILE) + ": CMD").containsExactly("serve");

    String jar = image.destinationOf("node/target/cairn-node.jar").orElseThrow();
    assertThat(shellDefaults(entrypoint).get("CAIRN_JAR"))
        .as(shown(ENTRYPOINT) + ": the default of CAIRN_JAR is where the image has the jar")
        .isEqualTo(jar);

    String workdir = image.last("WORKDIR").orElse("/");
    String dataDir = node.in(image.environment()).getString("cairn.data-dir");
    String volume = Path.of(workdir).resolve(dataDir).normalize().toString();
    assertThat(image.volumes())
        .as(
            "%s: VOLUME holds the node's data directory (cairn.data-dir %s in WORKDIR %s)"
                .formatted(shown(DOCKERFILE), dataDir, workdir))
        .contains(volume);

    assertThat(image.buildContextSources())
        .as(shown(DOCKERFILE) + ": the build stage copies every module of the root pom.xml")
        .containsAll(modules());
  }

  @Test
  void theEntrypointAssumesTheNodesDefaults() {
    List<String> problems = new ArrayList<>();
    shellDefaults(entrypoint)
        .forEach(
            (variable, assumed) -> {
              for (String setting : node.settingsFedBy(variable)) {
                Config defaults = node.in(Map.of());
                String actual = defaults.hasPath(setting) ? defaults.getString(setting) : "";
                if (!actual.equals(assumed)) {
                  problems.add(
                      "%s: ${%s:-%s} but the node's default of %s is %s"
                          .formatted(shown(ENTRYPOINT), variable, assumed, setting, actual));
                }
              }
            });
    assertThat(problems).isEmpty();
    assertThat(node.settingsFedBy("CAIRN_HTTP_PORT")).contains(NodePort.HTTP.setting);
  }

  @Test
  void theImagesHealthCheckIsTheEntrypointAskingForAlive() {
    List<String> command = image.healthcheckCommand();
    assertThat(command)
        .as(shown(DOCKERFILE) + ": HEALTHCHECK runs the entrypoint's health check")
        .containsExactly(image.execForm("ENTRYPOINT").get(0), "healthcheck");
    assertThat(entrypoint)
        .as(shown(ENTRYPOINT) + ": the health check asks /health/alive")
        .contains("GET /health/alive HTTP/1.1");
  }

  @Test
  void composeNodesAreHealthCheckedAndWaitForAHealthyDatabase() {
    List<String> problems = new ArrayList<>();
    List<String> imageCheck = new ArrayList<>(List.of("CMD"));
    imageCheck.addAll(image.healthcheckCommand());
    composeNodes()
        .forEach(
            (service, definition) -> {
              List<String> test = strings(definition.path("healthcheck").path("test"));
              if (!test.equals(imageCheck)) {
                problems.add(
                    "%s, service %s: healthcheck.test is %s, not the image's %s"
                        .formatted(shown(COMPOSE), service, test, imageCheck));
              }
              String condition =
                  definition.path("depends_on").path("postgres").path("condition").asText();
              if (!condition.equals("service_healthy")) {
                problems.add(
                    "%s, service %s: depends_on postgres with condition %s, not service_healthy"
                        .formatted(shown(COMPOSE), service, condition));
              }
            });
    assertThat(strings(composeServices.get("postgres").path("healthcheck").path("test")))
        .as(shown(COMPOSE) + ", service postgres: healthcheck")
        .contains("pg_isready");
    assertThat(problems).isEmpty();
  }

  @Test
  void composeNodesPublishOnlyTheirOwnPorts() {
    List<String> problems = new ArrayList<>();
    composeNodes()
        .forEach(
            (service, definition) -> {
              Map<NodePort, Integer> ports = node.ports(composeEnvironment(definition));
              List<String> declared = new ArrayList<>(strings(definition.path("expose")));
              for (JsonNode port : definition.path("ports")) {
                declared.add(port.isObject() ? port.path("target").asText() : port.asText());
              }
              for (String port : declared) {
                int target = containerPort(port);
                if (!ports.containsValue(target)) {
                  problems.add(
                      "%s, service %s: port %s is none of the node's %s"
                          .formatted(shown(COMPOSE), service, port, describe(ports)));
                }
              }
            });
    assertThat(problems).isEmpty();
  }

  @Test
  void composeNodesFormOneClusterThroughSeedNodesTheyReach() {
    List<String> problems = new ArrayList<>();
    Map<String, String> clusterAddresses = new LinkedHashMap<>();
    Set<List<String>> seedLists = new LinkedHashSet<>();
    composeNodes()
        .forEach(
            (service, definition) -> {
              Config config = node.in(composeEnvironment(definition));
              String host = config.getString("cairn.cluster.host");
              String name = definition.path("hostname").asText(service);
              if (!host.equals(name)) {
                problems.add(
                    "%s, service %s: cluster host (CAIRN_CLUSTER_HOST) is %s, not its name %s"
                        .formatted(shown(COMPOSE), service, host, name));
              }
              clusterAddresses.put(host + ":" + config.getInt(NodePort.CLUSTER.setting), service);
              seedLists.add(seeds(config));
            });
    assertThat(seedLists)
        .as(shown(COMPOSE) + ": every node lists the same seed nodes, in the same order")
        .hasSize(1);
    List<String> seeds = seedLists.iterator().next();
    assertThat(seeds).as(shown(COMPOSE) + ": CAIRN_SEED_NODES").isNotEmpty();
    for (String seed : seeds) {
      if (!clusterAddresses.containsKey(seed)) {
        problems.add(
            "%s: seed node %s is no node's cluster host and port; the nodes are %s"
                .formatted(shown(COMPOSE), seed, clusterAddresses.keySet()));
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void haproxySendsToEveryNodesHttpPortAndChecksReadiness() throws IOException {
    HaproxyConfig haproxy = HaproxyConfig.read(HAPROXY);
    Map<String, String> nodeHttp = new LinkedHashMap<>();
    composeNodes()
        .forEach(
            (service, definition) ->
                nodeHttp.put(
                    service,
                    service + ":" + node.ports(composeEnvironment(definition)).get(NodePort.HTTP)));
    assertThat(haproxy.backends()).as(shown(HAPROXY) + ": backends").isNotEmpty();
    for (Map.Entry<String, List<String>> backend : haproxy.backends().entrySet()) {
      String where = shown(HAPROXY) + ", backend " + backend.getKey();
      assertThat(haproxy.servers(backend.getKey()))
          .as(where + ": a server for each node at its HTTP port (" + NodePort.HTTP.setting + ")")
          .containsExactlyInAnyOrderElementsOf(nodeHttp.values());
      assertThat(haproxy.healthCheckUri(backend.getKey()))
          .as(where + ": option httpchk")
          .hasValue("/health/ready");
      assertThat(backend.getValue()).as(where).contains("http-check expect status 200");
    }
  }

  @Test
  void kubernetesPortsAreTheNodesPorts() {
    List<String> problems = new ArrayList<>();
    List<PodTemplate> pods = podTemplates();
    assertThat(pods).as(shown(KUBERNETES) + ": a Deployment").isNotEmpty();
    for (PodTemplate pod : pods) {
      Map<NodePort, Integer> ports = node.ports(pod.environment(image.environment()));
      Map<String, Integer> containerPorts = pod.containerPorts();
      containerPorts.forEach(
          (name, number) -> {
            Optional<NodePort> port = NodePort.named(name);
            if (port.isEmpty()) {
              problems.add(
                  "%s: container port %s stands for none of the node's ports %s"
                      .formatted(
                          pod.where(),
                          name,
                          Stream.of(NodePort.values()).map(p -> p.kubernetesName).toList()));
            } else if (ports.get(port.get()) != number.intValue()) {
              problems.add(
                  "%s: container port %s is %d, but the node's %s is %d"
                      .formatted(
                          pod.where(), name, number, port.get().setting, ports.get(port.get())));
            }
          });
      for (String probe : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
        JsonNode httpGet = pod.container().path(probe).path("httpGet");
        if (!httpGet.isMissingNode()
            && !ports.get(NodePort.HTTP).equals(resolve(httpGet.path("port"), containerPorts))) {
          problems.add(
              "%s: %s port %s is not the HTTP port %d"
                  .formatted(
                      pod.where(), probe, httpGet.path("port").asText(), ports.get(NodePort.HTTP)));
        }
      }
      for (Manifest service : pod.servicesSelecting(kubernetes)) {
        for (JsonNode port : service.document().path("spec").path("ports")) {
          JsonNode target = port.has("targetPort") ? port.path("targetPort") : port.path("port");
          if (resolve(target, containerPorts) == null) {
            problems.add(
                "%s: targetPort %s is none of the pod's container ports %s"
                    .formatted(service.where(), target.asText(), containerPorts));
          }
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void kubernetesProbesAskTheHealthEndpoints() {
    for (PodTemplate pod : podTemplates()) {
      JsonNode container = pod.container();
      assertThat(container.path("readinessProbe").path("httpGet").path("path").asText())
          .as(pod.where() + ": readinessProbe")
          .isEqualTo("/health/ready");
      assertThat(container.path("livenessProbe").path("httpGet").path("path").asText())
          .as(pod.where() + ": livenessProbe")
          .isEqualTo("/health/alive");
      if (container.has("startupProbe")) {
        assertThat(container.path("startupProbe").path("httpGet").path("path").asText())
            .as(pod.where() + ": startupProbe")
            .isEqualTo("/health/alive");
      }
    }
  }

  @Test
  void everySecretKeyRefNamesTheSecretAndOneOfItsKeys() {
    Map<String, Set<String>> secrets = new LinkedHashMap<>();
    for (Manifest manifest : kubernetes) {
      if (manifest.kind().equals("Secret")) {
        Set<String> keys = new TreeSet<>(fields(manifest.document().path("stringData")).keySet());
        keys.addAll(fields(manifest.document().path("data")).keySet());
        secrets.put(manifest.name(), keys);
      }
    }
    assertThat(secrets).as(shown(KUBERNETES) + ": a Secret").isNotEmpty();
    List<String> problems = new ArrayList<>();
    Set<String> used = new TreeSet<>();
    for (PodTemplate pod : podTemplates()) {
      for (JsonNode env : pod.container().path("env")) {
        JsonNode ref = env.path("valueFrom").path("secretKeyRef");
        if (ref.isMissingNode()) {
          continue;
        }
        String name = ref.path("name").asText();
        String key = ref.path("key").asText();
        used.add(name + "/" + key);
        if (!secrets.getOrDefault(name, Set.of()).contains(key)) {
          problems.add(
              "%s: %s reads key %s of Secret %s, but the Secrets are %s"
                  .formatted(pod.where(), env.path("name").asText(), key, name, secrets));
        }
      }
    }
    assertThat(used).as(shown(KUBERNETES) + ": secretKeyRefs").isNotEmpty();
    secrets.forEach(
        (name, keys) ->
            keys.stream()
                .filter(key -> !used.contains(name + "/" + key))
                .forEach(key -> problems.add("Secret " + name + ": no pod reads key " + key)));
    assertThat(problems).isEmpty();
  }

  @Test
  void kubernetesPodsAreTheOnesBootstrapFindsAndTheirObjectsSelect() {
    for (PodTemplate pod : podTemplates()) {
      Map<String, String> environment = pod.environment(image.environment());
      Config config = node.in(environment);
      assertThat(config.getBoolean("cairn.cluster.kubernetes-bootstrap"))
          .as(pod.where() + ": CAIRN_KUBERNETES_BOOTSTRAP")
          .isTrue();
      String selector =
          config
              .getString("pekko.discovery.kubernetes-api.pod-label-selector")
              .formatted(
                  config.getString(
                      "pekko.management.cluster.bootstrap.contact-point-discovery.service-name"));
      String[] label = selector.split("=", 2);
      assertThat(pod.labels())
          .as(pod.where() + ": the label bootstrap lists pods by (" + selector + ")")
          .containsEntry(label[0], label[1]);
      assertThat(
              config.getInt(
                  "pekko.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr"))
          .as(pod.where() + ": CAIRN_REQUIRED_CONTACT_POINTS, at most the replicas")
          .isLessThanOrEqualTo(pod.replicas());
      assertThat(pod.valueFrom("CAIRN_CLUSTER_HOST").path("fieldRef").path("fieldPath").asText())
          .as(pod.where() + ": CAIRN_CLUSTER_HOST, the address other pods reach")
          .isEqualTo("status.podIP");

      String account = pod.template().path("spec").path("serviceAccountName").asText();
      assertThat(kubernetes)
          .as(pod.where() + ": its ServiceAccount " + account + ", bound to a Role")
          .anyMatch(m -> m.kind().equals("ServiceAccount") && m.name().equals(account))
          .anyMatch(
              m ->
                  m.kind().equals("RoleBinding")
                      && strings(m.document().path("subjects").findValues("name"))
                          .contains(account));
      for (Manifest selecting : kubernetes) {
        JsonNode selectorNode = selecting.selector();
        if (selectorNode != null) {
          assertThat(pod.labels())
              .as(selecting.where() + ": its selector matches " + pod.where())
              .containsAllEntriesOf(stringMap(selectorNode));
        }
      }
      assertThat(kubernetes)
          .as(shown(KUBERNETES) + ": a PodDisruptionBudget")
          .anyMatch(m -> m.kind().equals("PodDisruptionBudget"));
    }
  }

  @Test
  void theKustomizationListsEveryManifest() throws IOException {
    Path kustomization = KUBERNETES.resolve("kustomization.yaml");
    List<String> resources = strings(documents(kustomization).get(0).path("resources"));
    List<String> manifests =
        files(KUBERNETES, ".yaml").stream()
            .filter(file -> !file.equals(kustomization))
            .map(file -> file.getFileName().toString())
            .toList();
    assertThat(resources).as(shown(kustomization)).containsExactlyInAnyOrderElementsOf(manifests);
  }

  // --- the node's settings -------------------------------------------------------------------

  /** The node's variables and defaults, read from the files that define them. */
  static final class NodeSettings {

    static final String SOURCES =
        "cluster-config/src/main/resources/*.conf, node/src/main/resources/application.conf,"
            + " node/src/main/resources/logback.xml, bin/cairn";

    final Set<String> variables;
    private final Config files;

    private NodeSettings(Set<String> variables, Config files) {
      this.variables = variables;
      this.files = files;
    }

    static NodeSettings read() throws IOException {
      List<Path> conf =
          DeploymentManifestsTest.files(ROOT.resolve("cluster-config/src/main/resources"), ".conf");
      List<Path> sources = new ArrayList<>(conf);
      sources.add(ROOT.resolve("node/src/main/resources/application.conf"));
      sources.add(ROOT.resolve("node/src/main/resources/logback.xml"));
      sources.add(ROOT.resolve("bin/cairn"));
      Set<String> variables = new TreeSet<>();
      for (Path source : sources) {
        variables.addAll(matches(VARIABLE, Files.readString(source)));
      }
      Config files = ConfigFactory.empty();
      for (Path file : conf) {
        files = files.withFallback(ConfigFactory.parseFile(file.toFile()));
      }
      return new NodeSettings(variables, files);
    }

    /**
     * The node's configuration in an environment that sets these variables, and no others: the
     * environment is the fallback {@code ${?CAIRN_...}} is looked up in, as the node's own
     * environment is.
     */
    Config in(Map<String, String> environment) {
      return ConfigFactory.parseMap(environment)
          .withFallback(files)
          .resolve(ConfigResolveOptions.noSystem());
    }

    Map<NodePort, Integer> ports(Map<String, String> environment) {
      Config config = in(environment);
      Map<NodePort, Integer> ports = new LinkedHashMap<>();
      for (NodePort port : NodePort.values()) {
        ports.put(port, config.getInt(port.setting));
      }
      return ports;
    }

    /** The settings a variable sets: those that take its value when it is set. */
    List<String> settingsFedBy(String variable) {
      String marker = "\u0000" + variable;
      return in(Map.of(variable, marker)).entrySet().stream()
          .filter(e -> !e.getKey().equals(variable) && marker.equals(e.getValue().unwrapped()))
          .map(Map.Entry::getKey)
          .sorted()
          .toList();
    }
  }

  // --- the Dockerfile ------------------------------------------------------------------------

  /** One instruction of a Dockerfile, continuation lines joined. */
  record Instruction(String keyword, String arguments, int stage) {}

  /** A Dockerfile read line by line: its stages and the instructions of the image it builds. */
  static final class Dockerfile {

    private final List<Instruction> instructions;
    private final int lastStage;

    private Dockerfile(List<Instruction> instructions) {
      this.instructions = instructions;
      this.lastStage = instructions.stream().mapToInt(Instruction::stage).max().orElse(0);
    }

    static Dockerfile read(Path file) throws IOException {
      List<Instruction> instructions = new ArrayList<>();
      StringBuilder pending = new StringBuilder();
      int stage = 0;
      for (String line : Files.readAllLines(file)) {
        String trimmed = line.strip();
        if (pending.isEmpty() && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
          continue;
        }
        if (trimmed.endsWith("\\")) {
          pending.append(trimmed, 0, trimmed.length() - 1).append(' ');
          continue;
        }
        pending.append(trimmed);
        String[] parts = pending.toString().strip().split("\\s+", 2);
        pending.setLength(0);
        String keyword = parts[0].toUpperCase(java.util.Locale.ROOT);
        if (keyword.equals("FROM")) {
          stage++;
        }
        instructions.add(new Instruction(keyword, parts.length > 1 ? parts[1] : "", stage));
      }
      return new Dockerfile(instructions);
    }

    private Stream<Instruction> image(String keyword) {
      return instructions.stream()
          .filter(i -> i.stage() == lastStage && i.keyword().equals(keyword));
    }

    Optional<String> last(String keyword) {
      return image(keyword).map(Instruction::arguments).reduce((first, second) -> second);
    }

    /** ENV of the image: {@code ENV K=V K2=V2} or {@code ENV K V}. */
    Map<String, String> environment() {
      Map<String, String> environment = new LinkedHashMap<>();
      image("ENV")
          .forEach(
              env -> {
                String arguments = env.arguments();
                String first = arguments.split("\\s+", 2)[0];
                if (!first.contains("=")) {
                  environment.put(first, arguments.substring(first.length()).strip());
                  return;
                }
                for (String pair : arguments.split("\\s+")) {
                  String[] kv = pair.split("=", 2);
                  environment.put(kv[0], kv[1].replaceAll("^\"|\"$", ""));
                }
              });
      return environment;
    }

    List<Integer> exposedPorts() {
      return image("EXPOSE")
          .flatMap(i -> Stream.of(i.arguments().split("\\s+")))
          .map(port -> Integer.parseInt(port.replaceAll("/.*", "")))
          .toList();
    }

    List<String> volumes() {
      return image("VOLUME")
          .flatMap(
              i ->
                  i.arguments().startsWith("[")
                      ? json(i.arguments()).stream()
                      : Stream.of(i.arguments().split("\\s+")))
          .toList();
    }

    /** ENTRYPOINT or CMD in exec form (a JSON array). */
    List<String> execForm(String keyword) {
      return last(keyword).map(Dockerfile::json).orElse(List.of());
    }

    /** The command of HEALTHCHECK, after its options. */
    List<String> healthcheckCommand() {
      String arguments = last("HEALTHCHECK").orElse("NONE");
      Matcher cmd = Pattern.compile("(?:^|\\s)CMD\\s+(.*)$").matcher(arguments);
      if (!cmd.find()) {
        return List.of();
      }
      String command = cmd.group(1).strip();
      return command.startsWith("[") ? json(command) : List.of("/bin/sh", "-c", command);
    }

    /** Where the image has a file copied from the build context, by its path there. */
    Optional<String> copiedFrom(String destination) {
      return copies(lastStage)
          .filter(copy -> copy.get(copy.size() - 1).equals(destination))
          .map(copy -> copy.get(0))
          .findFirst();
    }

    /** Where the image has a file of an earlier stage, by its path in the build's sources. */
    Optional<String> destinationOf(String builtFile) {
      return copies(lastStage)
          .filter(copy -> copy.get(0).endsWith("/" + builtFile))
          .map(copy -> copy.get(copy.size() - 1))
          .findFirst();
    }

    /** What the build stages copy from the build context (the repository). */
    Set<String> buildContextSources() {
      Set<String> sources = new TreeSet<>();
      for (int stage = 1; stage < lastStage; stage++) {
        copies(stage).forEach(copy -> sources.addAll(copy.subList(0, copy.size() - 1)));
      }
      return sources;
    }

    /** The COPY instructions of a stage: sources then destination, options left out. */
    private Stream<List<String>> copies(int stage) {
      return instructions.stream()
          .filter(i -> i.stage() == stage && i.keyword().equals("COPY"))
          .map(
              i ->
                  Stream.of(i.arguments().split("\\s+"))
                      .filter(word -> !word.startsWith("--"))
                      .map(word -> word.replaceAll("/$", ""))
                      .toList());
    }

    private static List<String> json(String array) {
      try {
        return List.of(JSON.readValue(array, String[].class));
      } catch (IOException e) {
        throw new UncheckedIOException("not a JSON array of strings: " + array, e);
      }
    }
  }

  // --- HAProxy -------------------------------------------------------------------------------

  /** The sections of an HAProxy configuration, each its lines. */
  record HaproxyConfig(Map<String, List<String>> backends) {

    static HaproxyConfig read(Path file) throws IOException {
      Map<String, List<String>> backends = new LinkedHashMap<>();
      List<String> current = null;
      for (String line : Files.readAllLines(file)) {
        String trimmed = line.replaceAll("#.*", "").strip().replaceAll("\\s+", " ");
        if (trimmed.isEmpty()) {
          continue;
        }
        if (!Character.isWhitespace(line.charAt(0))) {
          String[] section = trimmed.split(" ");
          current =
              section[0].equals("backend") || section[0].equals("listen")
                  ? new ArrayList<>()
                  : null;
          if (current != null) {
            backends.put(section[1], current);
          }
        } else if (current != null) {
          current.add(trimmed);
        }
      }
      return new HaproxyConfig(backends);
    }

    /** Each server's address, host:port. */
    List<String> servers(String backend) {
      return backends.get(backend).stream()
          .filter(line -> line.startsWith("server "))
          .map(line -> line.split(" ")[2])
          .toList();
    }

    /**
     * The URI of {@code option httpchk [<method>] <uri>} or {@code http-check send ... uri <uri>}.
     */
    Optional<String> healthCheckUri(String backend) {
      for (String line : backends.get(backend)) {
        List<String> words = List.of(line.split(" "));
        if (line.startsWith("option httpchk ")) {
          return Optional.of(words.get(words.size() > 3 ? 3 : words.size() - 1));
        }
        if (line.startsWith("http-check send ") && words.contains("uri")) {
          return Optional.of(words.get(words.indexOf("uri") + 1));
        }
      }
      return Optional.empty();
    }
  }

  // --- Kubernetes and compose ----------------------------------------------------------------

  /** One document of a Kubernetes manifest file. */
  record Manifest(Path file, JsonNode document) {

    String kind() {
      return document.path("kind").asText();
    }

    String name() {
      return document.path("metadata").path("name").asText();
    }

    String where() {
      return shown(file) + ", " + kind() + " " + name();
    }

    /** The labels this object selects pods by, or null if it selects none. */
    JsonNode selector() {
      JsonNode spec = document.path("spec");
      return switch (kind()) {
        case "Service" -> spec.path("selector");
        case "Deployment", "StatefulSet", "PodDisruptionBudget" ->
            spec.path("selector").path("matchLabels");
        default -> null;
      };
    }
  }

  /** The pods of a Deployment or StatefulSet: its one container is the Cairn node. */
  record PodTemplate(Manifest owner, JsonNode template, int replicas) {

    String where() {
      return owner.where();
    }

    JsonNode container() {
      return template.path("spec").path("containers").path(0);
    }

    Map<String, String> labels() {
      return stringMap(template.path("metadata").path("labels"));
    }

    /** The image's environment and the container's literal values over it. */
    Map<String, String> environment(Map<String, String> imageEnvironment) {
      Map<String, String> environment = new LinkedHashMap<>(imageEnvironment);
      for (JsonNode env : container().path("env")) {
        if (env.has("value")) {
          environment.put(env.path("name").asText(), env.path("value").asText());
        }
      }
      return environment;
    }

    JsonNode valueFrom(String variable) {
      for (JsonNode env : container().path("env")) {
        if (env.path("name").asText().equals(variable)) {
          return env.path("valueFrom");
        }
      }
      return JSON.missingNode();
    }

    Map<String, Integer> containerPorts() {
      Map<String, Integer> ports = new LinkedHashMap<>();
      for (JsonNode port : container().path("ports")) {
        ports.put(port.path("name").asText(), port.path("containerPort").asInt());
      }
      return ports;
    }

    List<Manifest> servicesSelecting(List<Manifest> manifests) {
      return manifests.stream()
          .filter(m -> m.kind().equals("Service"))
          .filter(m -> labels().entrySet().containsAll(stringMap(m.selector()).entrySet()))
          .toList();
    }
  }

  private static List<PodTemplate> podTemplates() {
    return kubernetes.stream()
        .filter(m -> m.kind().equals("Deployment") || m.kind().equals("StatefulSet"))
        .map(
            m ->
                new PodTemplate(
                    m,
                    m.document().path("spec").path("template"),
                    m.document().path("spec").path("replicas").asInt(1)))
        .toList();
  }

  /** A port of a pod by name or number: its number, or null if the pod has no such port. */
  private static Integer resolve(JsonNode port, Map<String, Integer> containerPorts) {
    if (port.isInt() || port.asText().matches("\\d+")) {
      return containerPorts.containsValue(port.asInt()) ? port.asInt() : null;
    }
    return containerPorts.get(port.asText());
  }

  /** The compose services that run the image deploy/Dockerfile builds. */
  private static Map<String, JsonNode> composeNodes() {
    Set<String> nodeImages = new TreeSet<>();
    composeServices.forEach(
        (service, definition) -> {
          if (definition.path("build").path("dockerfile").asText().endsWith("Dockerfile")) {
            nodeImages.add(definition.path("image").asText(service));
          }
        });
    Map<String, JsonNode> nodes = new LinkedHashMap<>();
    composeServices.forEach(
        (service, definition) -> {
          if (definition.has("build") || nodeImages.contains(definition.path("image").asText())) {
            nodes.put(service, definition);
          }
        });
    assertThat(nodes).as(shown(COMPOSE) + ": services that run the Cairn image").isNotEmpty();
    return nodes;
  }

  /** The image's environment and the service's over it. */
  private static Map<String, String> composeEnvironment(JsonNode service) {
    Map<String, String> environment = new LinkedHashMap<>(image.environment());
    environment.putAll(environment(service.path("environment")));
    return environment;
  }

  /** A compose {@code environment}: a map, or a list of {@code K=V}. */
  private static Map<String, String> environment(JsonNode environment) {
    Map<String, String> variables = new LinkedHashMap<>();
    if (environment.isArray()) {
      for (JsonNode entry : environment) {
        String[] kv = entry.asText().split("=", 2);
        variables.put(kv[0], kv.length > 1 ? kv[1] : "");
      }
    } else {
      fields(environment).forEach((name, value) -> variables.put(name, value.asText()));
    }
    return variables;
  }

  /**
   * The container side of a compose port: {@code 8080}, {@code 8081:8080}, {@code
   * ip:8081:8080/tcp}.
   */
  private static int containerPort(String port) {
    String container = port.substring(port.lastIndexOf(':') + 1);
    return Integer.parseInt(container.replaceAll("/.*", ""));
  }

  private static List<String> seeds(Config config) {
    return Stream.of(config.getString("cairn.cluster.seed-nodes").split(","))
        .map(String::strip)
        .filter(seed -> !seed.isEmpty())
        .toList();
  }

  /**
   * Every {@code CAIRN_*} name a YAML document sets: a map key (compose's environment), the name of
   * a Kubernetes env entry, {@code K=V} in a list, or a compose interpolation {@code ${CAIRN_...}}.
   */
  private static void variablesIn(JsonNode node, String where, BiConsumer<String, String> check) {
    if (node.isObject()) {
      fields(node)
          .forEach(
              (name, value) -> {
                if (VARIABLE.matcher(name).matches()) {
                  check.accept(where + "." + name, name);
                }
                if (name.equals("name") && VARIABLE.matcher(value.asText()).matches()) {
                  check.accept(where, value.asText());
                }
                variablesIn(value, where + "." + name, check);
              });
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        String entry = node.get(i).asText();
        String key = entry.split("=", 2)[0];
        if (node.get(i).isTextual() && entry.contains("=") && VARIABLE.matcher(key).matches()) {
          check.accept(where, key);
        }
        variablesIn(node.get(i), where + "[" + i + "]", check);
      }
    } else if (node.isTextual()) {
      matches(INTERPOLATION, node.asText()).forEach(v -> check.accept(where, v));
    }
  }

  // --- reading -------------------------------------------------------------------------------

  private static List<JsonNode> documents(Path file) throws IOException {
    try (var values = YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile())) {
      return values.readAll().stream().filter(d -> d != null && !d.isNull()).toList();
    }
  }

  static List<Path> files(Path directory, String... suffixes) throws IOException {
    try (Stream<Path> walk = Files.walk(directory)) {
      return walk.filter(Files::isRegularFile)
          .filter(f -> Stream.of(suffixes).anyMatch(s -> f.getFileName().toString().endsWith(s)))
          .sorted()
          .toList();
    }
  }

  private static List<String> modules() throws IOException {
    return matches(
        Pattern.compile("<module>([^<]+)</module>"), Files.readString(ROOT.resolve("pom.xml")));
  }

  /** The lines of a script or env file that are not comments. */
  private static List<String> codeLines(String text) {
    return text.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
  }

  /** {@code ${CAIRN_X:-default}} of a shell script, by variable. */
  private static Map<String, String> shellDefaults(String script) {
    Map<String, String> defaults = new LinkedHashMap<>();
    for (String line : codeLines(script)) {
      Matcher m = SHELL_DEFAULT.matcher(line);
      while (m.find()) {
        defaults.put(m.group(1), m.group(2));
      }
    }
    return defaults;
  }

  /** The first group of every match, or the whole match if the pattern has none. */
  private static List<String> matches(Pattern pattern, String text) {
    Matcher m = pattern.matcher(text);
    List<String> found = new ArrayList<>();
    while (m.find()) {
      found.add(m.groupCount() > 0 ? m.group(1) : m.group());
    }
    return found;
  }

  private static Map<String, JsonNode> fields(JsonNode node) {
    Map<String, JsonNode> fields = new LinkedHashMap<>();
    node.fields().forEachRemaining(e -> fields.put(e.getKey(), e.getValue()));
    return fields;
  }

  private static Map<String, String> stringMap(JsonNode node) {
    return fields(node).entrySet().stream()
        .collect(
            Collectors.toMap(
                Map.Entry::getKey, e -> e.getValue().asText(), (a, b) -> b, LinkedHashMap::new));
  }

  private static List<String> strings(JsonNode node) {
    List<String> strings = new ArrayList<>();
    node.forEach(element -> strings.add(element.asText()));
    return strings;
  }

  private static List<String> strings(List<JsonNode> nodes) {
    return nodes.stream().map(JsonNode::asText).toList();
  }

  private static String describe(Map<NodePort, Integer> ports) {
    return ports.entrySet().stream()
        .map(e -> e.getKey().setting + " " + e.getValue())
        .collect(Collectors.joining(", "));
  }

  /** A path as the repository names it: deploy/compose.yaml. */
  static String shown(Path path) {
    return ROOT.relativize(path).toString();
  }
}

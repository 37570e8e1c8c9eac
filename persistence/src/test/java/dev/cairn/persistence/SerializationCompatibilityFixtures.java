package dev.cairn.persistence;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.cairn.config.CairnSettings;
import dev.cairn.protocol.CairnSerializable;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.serialization.Serialization$;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;

/**
 * What one release serialized, kept for every later release to read: the fixtures of the rolling
 * upgrade (docs/upgrades.md). Each release has a directory {@code compat/<release>/} in the test
 * resources, written once by {@link SerializationCompatibilityFixtureWriter} from that release's
 * code and never changed after the release:
 *
 * <ul>
 *   <li>{@code messages/<Name>[-<variant>].cbor}: one instance of a class bound to Jackson CBOR,
 *       the bytes exactly as the serializer wrote them, and beside it {@code .json}: the class, the
 *       serializer id and manifest a journal row or an Artery envelope carries with the bytes, and
 *       the instance as JSON, which is what reading the bytes must give back;
 *   <li>{@code journal/}: the rows a node of that release wrote to its H2 journal ({@code
 *       event_journal}, {@code event_tag} and {@code snapshot} as NDJSON, binary columns in
 *       base64), the Flyway version its schema was at ({@code schema-version}), and what that
 *       release read back from them ({@code expected.json}).
 * </ul>
 *
 * {@link SerializationCompatibilityTest} reads every release's fixtures with the current code.
 */
final class SerializationCompatibilityFixtures {

  /**
   * How a release writes its fixtures (docs/upgrades.md, "Fixtures"), told by every failure that
   * wants new ones. The reactor build makes the fixtures of this tree's classes, not of whatever
   * cairn-protocol ~/.m2 holds.
   */
  static final String HOW_TO_WRITE =
      "mvn -B -pl protocol,cluster-config,persistence -DskipTests test-compile && mvn -B -pl"
          + " protocol,cluster-config,persistence compile surefire:test"
          + " -Dtest=SerializationCompatibilityFixtureWriter -Dsurefire.failIfNoSpecifiedTests=false"
          + " -Dcairn.compat.write=$PWD/persistence/src/test/resources/compat/<release>"
          + " (docs/upgrades.md, \"Fixtures\")";

  static final String MESSAGES = "messages";
  static final String JOURNAL = "journal";
  static final String SCHEMA_VERSION = "schema-version";
  static final String EXPECTED = "expected.json";

  /** A journal table a fixture holds, with the order its rows are kept in. */
  record Table(String name, String orderBy) {}

  /** In the order they are filled: a tag row refers to its event. */
  static final List<Table> JOURNAL_TABLES =
      List.of(
          new Table("event_journal", "\"ordering\""),
          new Table("event_tag", "\"event_id\", \"tag\""),
          new Table("snapshot", "\"persistence_id\", \"sequence_number\""));

  /** One serialized instance: the bytes and what a reader is given with them. */
  record Message(
      String name,
      String className,
      int serializerId,
      String manifest,
      byte[] bytes,
      JsonNode value) {

    String describe(String release) {
      return className
          + " as "
          + release
          + " wrote it (compat/"
          + release
          + "/messages/"
          + name
          + ")";
    }
  }

  static final Duration TIMEOUT = Duration.ofSeconds(15);

  private static final ObjectMapper FILES =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private SerializationCompatibilityFixtures() {}

  /**
   * A node's configuration as {@code cairn serve} has it (cluster provider, Cairn's persistence and
   * serialization files), on an H2 database under {@code dataDir}, on a free cluster port.
   */
  static Config nodeConfig(Path dataDir) {
    Map<String, Object> overrides =
        Map.of(
            "cairn.data-dir", dataDir.toString(),
            "cairn.cluster.port", 0,
            "cairn.auth.mode", "none",
            "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook", "off",
            "pekko.cluster.jmx.multi-mbeans-in-same-jvm", "on");
    Config named =
        Stream.of("cairn-cluster", "cairn-persistence", "cairn-serialization")
            .map(ConfigFactory::parseResourcesAnySyntax)
            .reduce(ConfigFactory.empty(), Config::withFallback);
    return ConfigFactory.parseMap(overrides)
        .withFallback(named)
        .withFallback(CairnSettings.load(overrides))
        .resolve();
  }

  /**
   * How fixtures show a value: as JSON, by Pekko's Jackson JSON mapper, which writes an actor ref
   * as its path with this system's address (as Artery sends it). What is derived and never read
   * back ({@code DocumentState.isLive()}, which the CBOR holds too) is left out: a value is its
   * data.
   */
  static JsonNode show(ActorSystem<?> system, Object value) {
    ObjectMapper mapper =
        JacksonObjectMapperProvider.get(system.classicSystem())
            .getOrCreate("jackson-json", Optional.empty())
            .copy()
            .setVisibility(PropertyAccessor.IS_GETTER, JsonAutoDetect.Visibility.NONE);
    // Pekko's Jackson module writes an actor ref only inside a serialization (Scala-only API).
    return Serialization$.MODULE$.withTransportInformation(
        (ExtendedActorSystem) system.classicSystem(), () -> mapper.valueToTree(value));
  }

  static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  /**
   * Every class of Cairn that Jackson CBOR serializes: the concrete implementations of {@link
   * CairnSerializable} on the classpath, outside the test classes.
   */
  static List<Class<?>> boundClasses() throws IOException, URISyntaxException {
    ClassLoader loader = SerializationCompatibilityFixtures.class.getClassLoader();
    TreeSet<String> names = new TreeSet<>();
    Enumeration<URL> roots = loader.getResources("dev/cairn/");
    while (roots.hasMoreElements()) {
      names.addAll(classNames(roots.nextElement()));
    }
    List<Class<?>> bound = new ArrayList<>();
    for (String name : names) {
      Class<?> type;
      try {
        type = Class.forName(name, false, loader);
      } catch (ClassNotFoundException | LinkageError e) {
        continue;
      }
      if (CairnSerializable.class.isAssignableFrom(type)
          && !type.isInterface()
          && !Modifier.isAbstract(type.getModifiers())
          && !type.isAnonymousClass()
          && !type.isSynthetic()) {
        bound.add(type);
      }
    }
    return bound;
  }

  private static List<String> classNames(URL root) throws IOException, URISyntaxException {
    List<String> names = new ArrayList<>();
    if (root.getProtocol().equals("jar")) {
      JarURLConnection connection = (JarURLConnection) root.openConnection();
      try (JarFile jar = connection.getJarFile()) {
        for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
          String entry = entries.nextElement().getName();
          if (entry.startsWith("dev/cairn/") && entry.endsWith(".class")) {
            names.add(className(entry));
          }
        }
      }
    } else if (root.getProtocol().equals("file")) {
      Path dir = Path.of(root.toURI());
      Path classes = dir.getParent().getParent();
      if (classes.getFileName().toString().equals("test-classes")) {
        return names;
      }
      try (Stream<Path> files = Files.walk(dir)) {
        files
            .filter(p -> p.toString().endsWith(".class"))
            .map(p -> className(classes.relativize(p).toString().replace('\\', '/')))
            .forEach(names::add);
      }
    }
    return names;
  }

  private static String className(String entry) {
    return entry.substring(0, entry.length() - ".class".length()).replace('/', '.');
  }

  /** A class's fixture name: its name inside its package, {@code DocumentEvent.Created}. */
  static String fixtureName(Class<?> type) {
    String name = type.getName().substring(type.getPackageName().length() + 1);
    return name.replace('$', '.');
  }

  // --- releases -------------------------------------------------------------------------------

  /** The releases that left fixtures, oldest first. */
  static List<Path> releases() throws URISyntaxException, IOException {
    URL compat = SerializationCompatibilityFixtures.class.getResource("/compat");
    if (compat == null) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(Path.of(compat.toURI()))) {
      return dirs.filter(Files::isDirectory)
          .sorted(
              Comparator.comparing(p -> release(p), SerializationCompatibilityFixtures::byVersion))
          .toList();
    }
  }

  static String release(Path releaseDir) {
    return releaseDir.getFileName().toString();
  }

  private static int byVersion(String a, String b) {
    String[] x = a.split("[.-]");
    String[] y = b.split("[.-]");
    for (int i = 0; i < Math.min(x.length, y.length); i++) {
      int order =
          x[i].matches("\\d+") && y[i].matches("\\d+")
              ? Long.compare(Long.parseLong(x[i]), Long.parseLong(y[i]))
              : x[i].compareTo(y[i]);
      if (order != 0) {
        return order;
      }
    }
    return Integer.compare(x.length, y.length);
  }

  // --- messages -------------------------------------------------------------------------------

  static void write(Path messages, Message message) throws IOException {
    Files.createDirectories(messages);
    Files.write(messages.resolve(message.name() + ".cbor"), message.bytes());
    ObjectNode sidecar = FILES.createObjectNode();
    sidecar.put("class", message.className());
    sidecar.put("serializerId", message.serializerId());
    sidecar.put("manifest", message.manifest());
    sidecar.set("value", message.value());
    writeJson(messages.resolve(message.name() + ".json"), sidecar);
  }

  static List<Message> messages(Path releaseDir) throws IOException {
    Path messages = releaseDir.resolve(MESSAGES);
    if (!Files.isDirectory(messages)) {
      return List.of();
    }
    List<Message> all = new ArrayList<>();
    try (Stream<Path> files = Files.list(messages)) {
      for (Path sidecar : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        String file = sidecar.getFileName().toString();
        String name = file.substring(0, file.length() - ".json".length());
        JsonNode about = FILES.readTree(sidecar.toFile());
        all.add(
            new Message(
                name,
                about.path("class").asText(),
                about.path("serializerId").asInt(),
                about.path("manifest").asText(),
                Files.readAllBytes(messages.resolve(name + ".cbor")),
                about.path("value")));
      }
    }
    return all;
  }

  static void writeJson(Path file, JsonNode value) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, FILES.writeValueAsString(value) + "\n");
  }

  static JsonNode readJson(Path file) throws IOException {
    return FILES.readTree(file.toFile());
  }

  // --- journal rows ---------------------------------------------------------------------------

  /**
   * The rows of {@code table} in the given order, one JSON object each, binary columns as base64.
   */
  static List<ObjectNode> rows(Connection c, String table, String orderBy) throws SQLException {
    List<ObjectNode> rows = new ArrayList<>();
    try (Statement select = c.createStatement();
        ResultSet result =
            select.executeQuery("SELECT * FROM \"" + table + "\" ORDER BY " + orderBy)) {
      ResultSetMetaData columns = result.getMetaData();
      while (result.next()) {
        ObjectNode row = JsonNodeFactory.instance.objectNode();
        for (int i = 1; i <= columns.getColumnCount(); i++) {
          String column = columns.getColumnName(i);
          switch (columns.getColumnType(i)) {
            case Types.BLOB, Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY -> {
              byte[] bytes = result.getBytes(i);
              row.set(
                  column,
                  bytes == null
                      ? JsonNodeFactory.instance.nullNode()
                      : JsonNodeFactory.instance
                          .objectNode()
                          .put("base64", Base64.getEncoder().encodeToString(bytes)));
            }
            case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT -> {
              long value = result.getLong(i);
              row.set(column, result.wasNull() ? null : JsonNodeFactory.instance.numberNode(value));
            }
            case Types.BOOLEAN, Types.BIT -> {
              boolean value = result.getBoolean(i);
              row.set(
                  column, result.wasNull() ? null : JsonNodeFactory.instance.booleanNode(value));
            }
            default -> row.put(column, result.getString(i));
          }
        }
        rows.add(row);
      }
    }
    return rows;
  }

  static void writeRows(Path file, List<ObjectNode> rows) throws IOException {
    ObjectMapper compact = new ObjectMapper();
    StringBuilder lines = new StringBuilder();
    for (ObjectNode row : rows) {
      lines.append(compact.writeValueAsString(row)).append('\n');
    }
    Files.createDirectories(file.getParent());
    Files.writeString(file, lines.toString(), StandardCharsets.UTF_8);
  }

  static List<ObjectNode> readRows(Path file) throws IOException {
    List<ObjectNode> rows = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        rows.add((ObjectNode) FILES.readTree(line));
      }
    }
    return rows;
  }

  /** Inserts rows as {@link #rows} gives them, with the values they had (ordering included). */
  static void insert(Connection c, String table, List<ObjectNode> rows) throws SQLException {
    for (ObjectNode row : rows) {
      List<String> columns = new ArrayList<>();
      row.fieldNames().forEachRemaining(columns::add);
      String sql =
          "INSERT INTO \""
              + table
              + "\" ("
              + columns.stream().map(n -> "\"" + n + "\"").collect(Collectors.joining(", "))
              + ") VALUES ("
              + columns.stream().map(n -> "?").collect(Collectors.joining(", "))
              + ")";
      try (PreparedStatement insert = c.prepareStatement(sql)) {
        Iterator<String> names = columns.iterator();
        for (int i = 1; names.hasNext(); i++) {
          JsonNode value = row.get(names.next());
          if (value == null || value.isNull()) {
            insert.setObject(i, null);
          } else if (value.isObject()) {
            insert.setBytes(i, Base64.getDecoder().decode(value.path("base64").asText()));
          } else if (value.isIntegralNumber()) {
            insert.setLong(i, value.asLong());
          } else if (value.isBoolean()) {
            insert.setBoolean(i, value.asBoolean());
          } else {
            insert.setString(i, value.asText());
          }
        }
        insert.executeUpdate();
      }
    }
  }

  /** The Flyway version the database's schema is at. */
  static String schemaVersion(Connection c) throws SQLException {
    try (Statement select = c.createStatement();
        ResultSet result =
            select.executeQuery(
                "SELECT \"version\" FROM \"flyway_schema_history\" WHERE \"success\""
                    + " AND \"version\" IS NOT NULL ORDER BY \"installed_rank\" DESC LIMIT 1")) {
      return result.next() ? result.getString(1) : null;
    }
  }
}

package dev.cairn.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one place that reads Cairn's settings. Precedence, highest first: JVM system properties, the
 * command line (passed in as overrides), environment variables ({@code CAIRN_*}), the defaults in
 * {@code cairn.conf}. The node's {@code application.conf} includes the named files of this module.
 */
public record CairnSettings(
    String httpHost,
    int httpPort,
    List<String> corsOrigins,
    List<String> trustedProxies,
    Tls tls,
    Auth auth,
    Limits limits,
    Duration askTimeout,
    Duration drainTimeout,
    Duration importWait,
    String clusterHost,
    int clusterPort,
    List<String> seedNodes,
    boolean kubernetesBootstrap,
    Path dataDir,
    Database database,
    int snapshotEvery,
    boolean strictCollections,
    int historyMaxPageSize) {

  /** The actor system's name: part of every node's cluster address. */
  public static final String SYSTEM_NAME = "cairn";

  /**
   * Who may call the node ({@code cairn.auth}). The secret never appears in {@link #toString()}.
   *
   * @param secret the HS256 secret, or empty
   * @param jwksFile a JWKS file of public keys, or empty
   * @param jwksUrl a JWKS URL of public keys, or empty
   */
  public record Auth(
      Mode mode,
      String secret,
      String jwksFile,
      String jwksUrl,
      String issuer,
      String audience,
      String rolesClaim,
      Duration clockSkew) {

    /** How requests are authenticated. */
    public enum Mode {
      JWT,
      NONE
    }

    /** The shortest HS256 secret accepted, in bytes (RFC 7518: at least the hash's size). */
    public static final int MIN_SECRET_BYTES = 32;

    /** No key is configured: the cluster signs with a secret of its own. */
    public boolean generatedSecret() {
      return secret.isEmpty() && jwksFile.isEmpty() && jwksUrl.isEmpty();
    }

    static Auth from(Config c, String httpHost) {
      String mode = c.getString("mode").trim().toLowerCase(java.util.Locale.ROOT);
      if (!mode.equals("jwt") && !mode.equals("none")) {
        throw new ConfigException.BadValue(
            "cairn.auth.mode", "expected jwt or none, got '" + mode + "'");
      }
      Auth auth =
          new Auth(
              Mode.valueOf(mode.toUpperCase(java.util.Locale.ROOT)),
              c.getString("jwt.secret"),
              c.getString("jwt.jwks-file").trim(),
              c.getString("jwt.jwks-url").trim(),
              c.getString("jwt.issuer").trim(),
              c.getString("jwt.audience").trim(),
              c.getString("jwt.roles-claim").trim(),
              c.getDuration("jwt.clock-skew"));
      if (auth.mode() == Mode.NONE && !isLoopback(httpHost)) {
        throw new ConfigException.BadValue(
            "cairn.auth.mode",
            "none makes every request an administrator, so it is allowed only when the HTTP host"
                + " is a loopback address, not "
                + httpHost
                + "; configure CAIRN_JWT_SECRET, CAIRN_JWKS_FILE or CAIRN_JWKS_URL instead");
      }
      int sources =
          (auth.secret().isEmpty() ? 0 : 1)
              + (auth.jwksFile().isEmpty() ? 0 : 1)
              + (auth.jwksUrl().isEmpty() ? 0 : 1);
      if (sources > 1) {
        throw new ConfigException.BadValue(
            "cairn.auth.jwt",
            "give one of CAIRN_JWT_SECRET, CAIRN_JWKS_FILE and CAIRN_JWKS_URL, not " + sources);
      }
      if (!auth.secret().isEmpty()
          && auth.secret().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
              < MIN_SECRET_BYTES) {
        throw new ConfigException.BadValue(
            "cairn.auth.jwt.secret",
            "CAIRN_JWT_SECRET must be at least " + MIN_SECRET_BYTES + " bytes");
      }
      if (auth.rolesClaim().isEmpty()) {
        throw new ConfigException.BadValue("cairn.auth.jwt.roles-claim", "must name a claim");
      }
      return auth;
    }

    private static boolean isLoopback(String host) {
      try {
        for (java.net.InetAddress address : java.net.InetAddress.getAllByName(host)) {
          if (!address.isLoopbackAddress()) {
            return false;
          }
        }
        return true;
      } catch (java.net.UnknownHostException e) {
        return false;
      }
    }

    @Override
    public String toString() {
      return "Auth[mode="
          + mode
          + ", secret="
          + (secret.isEmpty() ? "none" : "***")
          + ", jwksFile="
          + jwksFile
          + ", jwksUrl="
          + jwksUrl
          + ", issuer="
          + issuer
          + ", audience="
          + audience
          + ", rolesClaim="
          + rolesClaim
          + ", clockSkew="
          + clockSkew
          + "]";
    }
  }

  /**
   * What one request may ask of a node ({@code cairn.limits}; docs/security.md says what each
   * protects). Sizes in bytes, lengths in UTF-16 characters.
   */
  public record Limits(
      long maxBodySize,
      Duration bodyReadTimeout,
      int maxDepth,
      int maxStringLength,
      int maxKeyLength,
      int maxNumberLength,
      long maxDocumentSize,
      int maxPatchOperations,
      long maxSchemaSize,
      int maxSchemaDepth,
      Duration validationTimeout,
      int maxStreams,
      int maxStreamsPerClient,
      RateLimit rateLimit) {

    /**
     * The deepest nesting a setting may allow. Parsing, serializing, schema validation and JSON
     * Patch all recurse once per level on a dispatcher thread's stack, and Jackson refuses more
     * than 1000 levels when it reads an event back; 200 keeps every one of them far from both.
     */
    public static final int MAX_DEPTH_CEILING = 200;

    static Limits from(Config c) {
      Limits limits =
          new Limits(
              positive(c, "max-body-size", c.getBytes("max-body-size")),
              c.getDuration("body-read-timeout"),
              (int) positive(c, "max-depth", c.getInt("max-depth")),
              (int) positive(c, "max-string-length", c.getInt("max-string-length")),
              (int) positive(c, "max-key-length", c.getInt("max-key-length")),
              (int) positive(c, "max-number-length", c.getInt("max-number-length")),
              positive(c, "max-document-size", c.getBytes("max-document-size")),
              (int) positive(c, "max-patch-operations", c.getInt("max-patch-operations")),
              positive(c, "max-schema-size", c.getBytes("max-schema-size")),
              (int) positive(c, "max-schema-depth", c.getInt("max-schema-depth")),
              c.getDuration("validation-timeout"),
              (int) positive(c, "max-streams", c.getInt("max-streams")),
              (int) positive(c, "max-streams-per-client", c.getInt("max-streams-per-client")),
              RateLimit.from(c.getString("rate-limit"), c.getLong("rate-limit-burst")));
      if (limits.maxDepth() > MAX_DEPTH_CEILING) {
        throw new ConfigException.BadValue(
            "cairn.limits.max-depth",
            "at most " + MAX_DEPTH_CEILING + ", got " + limits.maxDepth());
      }
      if (limits.maxSchemaDepth() > MAX_DEPTH_CEILING) {
        throw new ConfigException.BadValue(
            "cairn.limits.max-schema-depth",
            "at most " + MAX_DEPTH_CEILING + ", got " + limits.maxSchemaDepth());
      }
      return limits;
    }

    private static long positive(Config c, String path, long value) {
      if (value < 1) {
        throw new ConfigException.BadValue(
            "cairn.limits." + path, "expected a positive value, got " + value);
      }
      return value;
    }
  }

  /**
   * TLS for the front door and between nodes ({@code cairn.tls}). The keystore password never
   * appears in {@link #toString()}.
   *
   * @param cert a PEM certificate chain, or empty
   * @param key the PEM private key of {@code cert}, or empty
   * @param keystore a PKCS#12 keystore, or empty
   * @param clusterCa the PEM certificate of the CA of every node's certificate, or empty
   */
  public record Tls(
      String cert, String key, String keystore, String keystorePassword, String clusterCa) {

    /** The front door serves HTTPS. */
    public boolean http() {
      return !cert.isEmpty() || !keystore.isEmpty();
    }

    /** Nodes talk to each other over mutual TLS. */
    public boolean cluster() {
      return !clusterCa.isEmpty();
    }

    static Tls from(Config c) {
      Tls tls =
          new Tls(
              c.getString("cert").trim(),
              c.getString("key").trim(),
              c.getString("keystore").trim(),
              c.getString("keystore-password"),
              c.getString("cluster-ca").trim());
      if (tls.cert().isEmpty() != tls.key().isEmpty()) {
        throw new ConfigException.BadValue(
            "cairn.tls", "give CAIRN_TLS_CERT and CAIRN_TLS_KEY together");
      }
      if (!tls.cert().isEmpty() && !tls.keystore().isEmpty()) {
        throw new ConfigException.BadValue(
            "cairn.tls",
            "give either CAIRN_TLS_CERT and CAIRN_TLS_KEY or CAIRN_TLS_KEYSTORE, not both");
      }
      if (tls.cluster() && tls.cert().isEmpty()) {
        throw new ConfigException.BadValue(
            "cairn.tls.cluster-ca",
            "CAIRN_CLUSTER_TLS_CA needs the node's PEM certificate and key in CAIRN_TLS_CERT and"
                + " CAIRN_TLS_KEY");
      }
      for (String[] file :
          new String[][] {
            {tls.cert(), "CAIRN_TLS_CERT"},
            {tls.key(), "CAIRN_TLS_KEY"},
            {tls.keystore(), "CAIRN_TLS_KEYSTORE"},
            {tls.clusterCa(), "CAIRN_CLUSTER_TLS_CA"}
          }) {
        if (!file[0].isEmpty() && !java.nio.file.Files.isReadable(Path.of(file[0]))) {
          throw new ConfigException.BadValue(
              "cairn.tls", file[1] + " names " + file[0] + ", which is not a readable file");
        }
      }
      return tls;
    }

    /** Pekko's settings for mutual TLS between nodes, when it is on. */
    Map<String, Object> artery() {
      if (!cluster()) {
        return Map.of();
      }
      String engine = "pekko.remote.artery.ssl.rotating-keys-engine.";
      return Map.of(
          "pekko.remote.artery.transport",
          "tls-tcp",
          "pekko.remote.artery.ssl.ssl-engine-provider",
          "org.apache.pekko.remote.artery.tcp.ssl.RotatingKeysSSLEngineProvider",
          engine + "key-file",
          Path.of(key).toAbsolutePath().toString(),
          engine + "cert-file",
          Path.of(cert).toAbsolutePath().toString(),
          engine + "ca-cert-file",
          Path.of(clusterCa).toAbsolutePath().toString());
    }

    @Override
    public String toString() {
      return "Tls[cert="
          + cert
          + ", key="
          + key
          + ", keystore="
          + keystore
          + ", keystorePassword="
          + (keystorePassword.isEmpty() ? "none" : "***")
          + ", clusterCa="
          + clusterCa
          + "]";
    }
  }

  /**
   * How many requests each caller may make ({@code cairn.limits.rate-limit}): {@code requests} per
   * {@code period}, at most {@code burst} at once.
   */
  public record RateLimit(long requests, Duration period, long burst) {

    /** No limit. */
    public static final RateLimit OFF = new RateLimit(0, Duration.ofSeconds(1), 0);

    public boolean on() {
      return requests > 0;
    }

    /** {@code "20"} (per second), {@code "600/1m"}, {@code "0"} (off). */
    static RateLimit from(String setting, long burst) {
      String[] parts = setting.trim().split("/", 2);
      try {
        long requests = Long.parseLong(parts[0].trim());
        Duration period =
            parts.length == 1
                ? Duration.ofSeconds(1)
                : ConfigFactory.parseString("p = " + parts[1].trim()).getDuration("p");
        if (requests < 0 || period.isZero() || period.isNegative() || burst < 0) {
          throw new NumberFormatException();
        }
        if (requests == 0) {
          return OFF;
        }
        return new RateLimit(requests, period, burst == 0 ? requests : burst);
      } catch (NumberFormatException | ConfigException e) {
        throw new ConfigException.BadValue(
            "cairn.limits.rate-limit",
            "CAIRN_RATE_LIMIT takes requests per second (20) or per period (600/1m), 0 for no"
                + " limit, and CAIRN_RATE_LIMIT_BURST a whole number; not '"
                + setting
                + "' and "
                + burst);
      }
    }
  }

  /**
   * Where the journal lives and how to reach it.
   *
   * @param url the JDBC URL every connection uses; on PostgreSQL it names {@code schema} as the
   *     connections' current schema
   * @param schema the PostgreSQL schema of Cairn's tables (H2 keeps them in its default schema)
   */
  public record Database(
      Kind kind,
      String url,
      String schema,
      String user,
      String password,
      int poolSize,
      boolean migrateOnStart) {

    @Override
    public String toString() {
      return "Database[kind="
          + kind
          + ", url="
          + url
          + ", schema="
          + schema
          + ", user="
          + user
          + ", password="
          + (password.isEmpty() ? "none" : "***")
          + ", poolSize="
          + poolSize
          + ", migrateOnStart="
          + migrateOnStart
          + "]";
    }

    /** The databases Cairn can keep its journal in. */
    public enum Kind {
      H2("slick.jdbc.H2Profile$", "org.h2.Driver", "h2-dialect"),
      POSTGRESQL("slick.jdbc.PostgresProfile$", "org.postgresql.Driver", "postgres-dialect");

      final String slickProfile;
      final String driver;
      final String projectionDialect;

      Kind(String slickProfile, String driver, String projectionDialect) {
        this.slickProfile = slickProfile;
        this.driver = driver;
        this.projectionDialect = projectionDialect;
      }
    }
  }

  /**
   * Loads the whole configuration (Pekko's included) with the given overrides, which use {@code
   * cairn.*} paths, for example {@code cairn.http.port}.
   */
  public static Config load(Map<String, ?> overrides) {
    Config application =
        ConfigFactory.parseMap(overrides)
            .withFallback(ConfigFactory.parseResourcesAnySyntax("application"))
            .withFallback(ConfigFactory.parseResourcesAnySyntax("cairn"));
    Config own =
        ConfigFactory.defaultOverrides().withFallback(application).withOnlyPath("cairn").resolve();
    Map<String, Object> derived = new HashMap<>(derivedDatabaseSettings(own));
    derived.putAll(secretsFromFiles(own));
    derived.put("pekko.cluster.app-version", version());
    derived.put("pekko.cluster.seed-nodes", seedNodeAddresses(own));
    derived.putAll(Tls.from(own.getConfig("cairn.tls")).artery());
    derived.putAll(remoteFrames(own.getConfig("cairn.limits")));
    derived.put(
        "pekko.cluster.sharding.passivation.default-strategy.active-entity-limit",
        activeEntityLimit(own, Runtime.getRuntime().maxMemory()));
    return ConfigFactory.load(ConfigFactory.parseMap(derived).withFallback(application));
  }

  /**
   * Artery's frames sized for the largest document: a command carries a body and a reply a document
   * from one node to another, and Artery drops a message larger than its frame (256 KiB by
   * default), so a document near the body limit could not be read through a node that does not own
   * it. Twice the larger limit, as a document's binary form can be larger than its JSON, plus room
   * for the rest of the message. Each pooled buffer is a whole frame, so the pool is kept to 32 of
   * them (Artery's default is 128).
   */
  static Map<String, Object> remoteFrames(Config limits) {
    long largest = Math.max(limits.getBytes("max-body-size"), limits.getBytes("max-document-size"));
    long frame = Math.max(256 * 1024, 2 * largest + 64 * 1024);
    if (frame > Integer.MAX_VALUE / 2) {
      throw new ConfigException.BadValue(
          "cairn.limits.max-body-size", "at most 512MiB, so that a document fits a message");
    }
    return Map.of(
        "pekko.remote.artery.advanced.maximum-frame-size", frame + "b",
        "pekko.remote.artery.advanced.buffer-pool-size", 32,
        "pekko.remote.artery.advanced.maximum-large-frame-size",
            Math.max(2 * 1024 * 1024, frame) + "b");
  }

  /** Reads the settings from a configuration produced by {@link #load(Map)}. */
  public static CairnSettings from(Config config) {
    Config c = config.getConfig("cairn");
    // Read by the persistence module's PauseFence; checked here so that a bad value stops the
    // start.
    if (c.getDuration("cluster.pause-fence").compareTo(java.time.Duration.ofMillis(500)) < 0) {
      throw new ConfigException.BadValue(
          "cairn.cluster.pause-fence", "CAIRN_PAUSE_FENCE must be at least 500ms");
    }
    return new CairnSettings(
        c.getString("http.host"),
        c.getInt("http.port"),
        corsOrigins(c.getString("http.cors-origins")),
        trustedProxies(c.getString("http.trusted-proxies")),
        Tls.from(c.getConfig("tls")),
        Auth.from(c.getConfig("auth"), c.getString("http.host")),
        Limits.from(c.getConfig("limits")),
        c.getDuration("http.ask-timeout"),
        c.getDuration("http.drain-timeout"),
        importWait(config),
        c.getString("cluster.host"),
        c.getInt("cluster.port"),
        config.getStringList("pekko.cluster.seed-nodes"),
        c.getBoolean("cluster.kubernetes-bootstrap"),
        Path.of(c.getString("data-dir")).toAbsolutePath().normalize(),
        new Database(
            Database.Kind.valueOf(c.getString("db.kind")),
            c.getString("db.effective-url"),
            c.getString("db.schema"),
            c.getString("db.user"),
            c.getString("db.password"),
            c.getInt("db.pool-size"),
            c.getBoolean("db.migrate-on-start")),
        c.getInt("entity.snapshot-every"),
        c.getBoolean("collections.strict"),
        c.getInt("history.max-page-size"));
  }

  /**
   * {@code cairn.admin.import-wait}: how long an import's request waits for its writing before it
   * is answered 202 with the operation to follow. It must end before the HTTP idle timeout, which
   * closes a connection that has carried no byte for that long, even with a request in flight.
   */
  private static Duration importWait(Config config) {
    Duration wait = config.getDuration("cairn.admin.import-wait");
    String idle = "pekko.http.server.idle-timeout";
    if (wait.isNegative()
        || (config.hasPath(idle)
            && !config.getString(idle).equals("infinite")
            && wait.compareTo(config.getDuration(idle)) >= 0)) {
      throw new ConfigException.BadValue(
          "cairn.admin.import-wait",
          "CAIRN_IMPORT_WAIT must be at least 0s and shorter than the HTTP idle timeout ("
              + (config.hasPath(idle) ? config.getString(idle) : "30s")
              + ")");
    }
    return wait;
  }

  private static final java.util.regex.Pattern IP_OR_NETWORK =
      java.util.regex.Pattern.compile("([0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)(/[0-9]{1,3})?");

  /**
   * {@code cairn.http.trusted-proxies}: the addresses or networks ({@code 10.0.0.0/8}, {@code
   * fd00::/8}) of the proxies in front of the nodes, whose {@code X-Forwarded-For} names the
   * client; comma-separated, literal addresses only (no host names: nothing is looked up).
   */
  static List<String> trustedProxies(String setting) {
    List<String> proxies = new ArrayList<>();
    for (String entry : setting.split(",")) {
      String trimmed = entry.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      var match = IP_OR_NETWORK.matcher(trimmed);
      boolean valid = match.matches();
      if (valid) {
        try {
          byte[] address = java.net.InetAddress.getByName(match.group(1)).getAddress();
          int prefix =
              match.group(2) == null
                  ? address.length * 8
                  : Integer.parseInt(match.group(2).substring(1));
          valid = prefix <= address.length * 8;
        } catch (java.net.UnknownHostException e) {
          valid = false;
        }
      }
      if (!valid) {
        throw new ConfigException.BadValue(
            "cairn.http.trusted-proxies",
            "CAIRN_TRUSTED_PROXIES takes IP addresses or networks such as 10.0.0.5 or"
                + " 10.0.0.0/8, comma-separated; not '"
                + trimmed
                + "'");
      }
      proxies.add(trimmed);
    }
    return List.copyOf(proxies);
  }

  /**
   * {@code cairn.http.cors-origins}: the origins browser applications may call from, such as {@code
   * https://app.example.com}, comma-separated; {@code *} for any; empty for none.
   */
  static List<String> corsOrigins(String setting) {
    List<String> origins = new ArrayList<>();
    for (String origin : setting.split(",")) {
      String trimmed = origin.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      if (!trimmed.equals("*")
          && !trimmed.matches("https?://[A-Za-z0-9*]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?")) {
        throw new ConfigException.BadValue(
            "cairn.http.cors-origins",
            "CAIRN_CORS_ORIGINS takes origins such as https://app.example.com or"
                + " http://localhost:3000 (scheme, host and port, no path), or *; not '"
                + trimmed
                + "'");
      }
      origins.add(trimmed);
    }
    if (origins.contains("*") && origins.size() > 1) {
      throw new ConfigException.BadValue(
          "cairn.http.cors-origins", "* allows every origin: give it alone");
    }
    return List.copyOf(origins);
  }

  /**
   * Heap per document in memory when {@code cairn.entity.active-limit} is {@code auto}. A small
   * document's entity takes about 4.5 KB (a class histogram of a node holding 86,000 of them:
   * Pekko's behavior, stash and supervisor objects, the state and its strings); 10 KiB keeps them
   * under about half of the heap. With 100,000 on a 512 MB heap the old generation stayed above 95
   * %, full collections followed, and writing new documents slowed from 1,820/s to 1,390/s.
   */
  static final long AUTO_BYTES_PER_ENTITY = 10 * 1024;

  /** {@code cairn.entity.active-limit}: a positive number, or {@code auto} to follow the heap. */
  static int activeEntityLimit(Config own, long maxHeapBytes) {
    String limit = own.getString("cairn.entity.active-limit").trim();
    if (limit.equals("auto")) {
      return (int)
          Math.min(Integer.MAX_VALUE, Math.max(1000, maxHeapBytes / AUTO_BYTES_PER_ENTITY));
    }
    if (limit.matches("\\d{1,9}") && Integer.parseInt(limit) > 0) {
      return Integer.parseInt(limit);
    }
    throw new ConfigException.BadValue(
        "cairn.entity.active-limit", "expected a positive number or auto, got '" + limit + "'");
  }

  /** {@code host:port,host:port} as Pekko addresses of the actor system {@code cairn}. */
  private static List<String> seedNodeAddresses(Config own) {
    String seeds = own.getString("cairn.cluster.seed-nodes").trim();
    if (seeds.isEmpty()) {
      return List.of();
    }
    List<String> addresses = new ArrayList<>();
    for (String seed : seeds.split(",")) {
      String hostPort = seed.trim();
      int colon = hostPort.lastIndexOf(':');
      if (colon <= 0 || !hostPort.substring(colon + 1).matches("\\d{1,5}")) {
        throw new ConfigException.BadValue(
            "cairn.cluster.seed-nodes", "expected host:port,host:port,..., got '" + seeds + "'");
      }
      addresses.add("pekko://" + SYSTEM_NAME + "@" + hostPort);
    }
    return addresses;
  }

  /**
   * The release this node runs ({@code 0.1.0}), written into the class path by the build. As {@code
   * pekko.cluster.app-version} it lets Cluster Sharding place shards on the nodes of the newest
   * release during a rolling upgrade, so a shard moves once, not once per node.
   */
  public static String version() {
    try (java.io.InputStream in = CairnSettings.class.getResourceAsStream("version.properties")) {
      java.util.Properties properties = new java.util.Properties();
      if (in != null) {
        properties.load(in);
      }
      return properties.getProperty("version", "0.0.0");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The secrets that may be given as a file instead of a value, by the setting they fill. */
  private static final Map<String, String> SECRET_FILES =
      Map.of(
          "cairn.db.password", "cairn.db.password-file",
          "cairn.auth.jwt.secret", "cairn.auth.jwt.secret-file",
          "cairn.tls.keystore-password", "cairn.tls.keystore-password-file");

  /**
   * Each secret given as a file ({@code CAIRN_DB_PASSWORD_FILE} and the like), read once at start
   * without the line break a file usually ends with. A file that cannot be read, or a secret given
   * both ways, is a bad setting; the message names the file, never its content.
   */
  static Map<String, Object> secretsFromFiles(Config own) {
    Map<String, Object> secrets = new HashMap<>();
    for (Map.Entry<String, String> secret : SECRET_FILES.entrySet()) {
      String file = own.getString(secret.getValue()).trim();
      if (file.isEmpty()) {
        continue;
      }
      if (!own.getString(secret.getKey()).isEmpty()) {
        throw new ConfigException.BadValue(
            secret.getValue(), "give " + secret.getKey() + " or its file, not both");
      }
      try {
        secrets.put(
            secret.getKey(),
            java.nio.file.Files.readString(Path.of(file)).replaceAll("[\r\n]+$", ""));
      } catch (java.io.IOException | RuntimeException e) {
        throw new ConfigException.BadValue(
            secret.getValue(), "cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
      }
    }
    return secrets;
  }

  /** Cairn's own schema in a PostgreSQL URL, unless the URL names one itself. */
  private static String withCurrentSchema(String url, String schema) {
    if (!schema.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
      throw new ConfigException.BadValue(
          "cairn.db.schema",
          "expected a PostgreSQL schema name such as cairn, got '" + schema + "'");
    }
    if (url.contains("currentSchema=")) {
      return url;
    }
    return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  /**
   * The JDBC settings that follow from {@code cairn.db.url}: empty means embedded H2 under the data
   * directory, written so that a commit is in the file before the reply (WRITE_DELAY=0; H2
   * otherwise delays it by 500 ms and a killed process loses acknowledged writes).
   */
  private static Map<String, Object> derivedDatabaseSettings(Config own) {
    String url = own.getString("cairn.db.url").trim();
    Database.Kind kind;
    if (url.isEmpty()) {
      Path dataDir = Path.of(own.getString("cairn.data-dir")).toAbsolutePath().normalize();
      url = "jdbc:h2:file:" + dataDir.resolve("cairn") + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
      kind = Database.Kind.H2;
    } else if (url.startsWith("jdbc:h2:")) {
      kind = Database.Kind.H2;
    } else if (url.startsWith("jdbc:postgresql:")) {
      kind = Database.Kind.POSTGRESQL;
      url = withCurrentSchema(url, own.getString("cairn.db.schema"));
    } else {
      throw new ConfigException.BadValue(
          "cairn.db.url", "expected a jdbc:postgresql: or jdbc:h2: URL, got " + url);
    }
    Map<String, Object> derived = new HashMap<>();
    derived.put("cairn.db.effective-url", url);
    derived.put("cairn.db.kind", kind.name());
    derived.put("cairn.db.profile", kind.slickProfile);
    derived.put("cairn.db.driver", kind.driver);
    derived.put("pekko.projection.jdbc.dialect", kind.projectionDialect);
    return derived;
  }
}

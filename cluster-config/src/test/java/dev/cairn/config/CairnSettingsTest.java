package dev.cairn.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How settings are read, derived and refused. */
class CairnSettingsTest {

  @Test
  void theClusterKnowsTheReleaseEachNodeRuns() {
    assertThat(CairnSettings.version()).matches("\\d+\\.\\d+\\.\\d+(-.+)?");
    assertThat(CairnSettings.load(Map.of()).getString("pekko.cluster.app-version"))
        .isEqualTo(CairnSettings.version());
  }

  @Test
  void trustedProxiesAreAddressesOrNetworksNeverHostNames() {
    assertThat(CairnSettings.trustedProxies(" 10.0.0.0/8, 192.168.1.5 ,fd00::/8,::1"))
        .containsExactly("10.0.0.0/8", "192.168.1.5", "fd00::/8", "::1");
    assertThat(CairnSettings.trustedProxies("")).isEmpty();
    for (String bad : List.of("proxy.example.com", "10.0.0.0/33", "10.0.0/8x", "::1/129")) {
      assertThatThrownBy(() -> CairnSettings.trustedProxies(bad))
          .as(bad)
          .isInstanceOf(ConfigException.BadValue.class)
          .hasMessageContaining("CAIRN_TRUSTED_PROXIES");
    }
  }

  @Test
  void aPauseFenceShorterThanHalfASecondIsRefused() {
    assertThat(CairnSettings.load(Map.of()).getDuration("cairn.cluster.pause-fence")).hasSeconds(2);
    assertThatThrownBy(
            () ->
                CairnSettings.from(
                    CairnSettings.load(Map.of("cairn.cluster.pause-fence", "100ms"))))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining("CAIRN_PAUSE_FENCE must be at least 500ms");
  }

  @Test
  void anImportWaitAsLongAsTheIdleTimeoutIsRefused() {
    assertThat(CairnSettings.from(CairnSettings.load(Map.of())).importWait()).hasSeconds(15);
    assertThatThrownBy(
            () ->
                CairnSettings.from(
                    CairnSettings.load(
                        Map.of(
                            "cairn.admin.import-wait",
                            "30s",
                            "pekko.http.server.idle-timeout",
                            "30s"))))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining("CAIRN_IMPORT_WAIT must be at least 0s and shorter than the HTTP");
    assertThatThrownBy(
            () -> CairnSettings.from(CairnSettings.load(Map.of("cairn.admin.import-wait", "-1s"))))
        .isInstanceOf(ConfigException.BadValue.class);
  }

  @Test
  void secretsCanBeReadFromFilesWithoutTheirLineBreak(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    Path password = dir.resolve("db-password");
    Path jwt = dir.resolve("jwt-secret");
    java.nio.file.Files.writeString(password, "s3cret-from-a-file\n");
    java.nio.file.Files.writeString(jwt, "a-jwt-secret-of-at-least-32-bytes-long\r\n");

    Config config =
        CairnSettings.load(
            Map.of(
                "cairn.db.password-file", password.toString(),
                "cairn.auth.jwt.secret-file", jwt.toString()));
    CairnSettings settings = CairnSettings.from(config);

    assertThat(settings.database().password()).isEqualTo("s3cret-from-a-file");
    assertThat(config.getString("pekko-persistence-jdbc.shared-databases.cairn.db.password"))
        .isEqualTo("s3cret-from-a-file");
    assertThat(settings.auth().secret()).isEqualTo("a-jwt-secret-of-at-least-32-bytes-long");
  }

  @Test
  void aSecretFileThatCannotBeReadOrASecretGivenTwiceIsRefused(
      @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path missing = dir.resolve("no-such-file");
    assertThatThrownBy(
            () -> CairnSettings.load(Map.of("cairn.db.password-file", missing.toString())))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining("cannot read " + missing);
    Path file = dir.resolve("password");
    java.nio.file.Files.writeString(file, "from-the-file");
    assertThatThrownBy(
            () ->
                CairnSettings.load(
                    Map.of(
                        "cairn.db.password-file",
                        file.toString(),
                        "cairn.db.password",
                        "from-the-variable")))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining("not both")
        .hasMessageNotContaining("from-the");
  }

  @Test
  void remoteFramesHoldTheLargestDocument() {
    var byDefault = CairnSettings.load(Map.of());
    var larger = CairnSettings.load(Map.of("cairn.limits.max-body-size", "4MiB"));

    assertThat(byDefault.getBytes("pekko.remote.artery.advanced.maximum-frame-size"))
        .isEqualTo(2 * 1024 * 1024 + 64 * 1024);
    assertThat(larger.getBytes("pekko.remote.artery.advanced.maximum-frame-size"))
        .isEqualTo(8 * 1024 * 1024 + 64 * 1024);
    assertThat(larger.getBytes("pekko.remote.artery.advanced.maximum-large-frame-size"))
        .isEqualTo(8 * 1024 * 1024 + 64 * 1024);
  }

  @Test
  void theDefaultsServeOnLoopbackWithADurableH2UnderTheDataDirectory() {
    CairnSettings settings = CairnSettings.from(CairnSettings.load(Map.of()));

    assertThat(settings.httpHost()).isEqualTo("127.0.0.1");
    assertThat(settings.httpPort()).isEqualTo(8080);
    assertThat(settings.clusterPort()).isEqualTo(2551);
    assertThat(settings.limits().maxBodySize()).isEqualTo(1024 * 1024);
    assertThat(settings.limits().maxDocumentSize()).isEqualTo(1024 * 1024);
    assertThat(settings.askTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(settings.snapshotEvery()).isEqualTo(100);
    assertThat(settings.seedNodes()).isEmpty();
    assertThat(settings.database().kind()).isEqualTo(CairnSettings.Database.Kind.H2);
    assertThat(settings.database().url())
        .startsWith("jdbc:h2:file:" + settings.dataDir().resolve("cairn"))
        .contains("WRITE_DELAY=0");
  }

  @Test
  void overridesWinOverTheDefaults() {
    CairnSettings settings =
        CairnSettings.from(
            CairnSettings.load(
                Map.of(
                    "cairn.http.port", 9000, "cairn.data-dir", "/tmp/x", "cairn.db.pool-size", 3)));

    assertThat(settings.httpPort()).isEqualTo(9000);
    assertThat(settings.dataDir().toString()).isEqualTo("/tmp/x");
    assertThat(settings.database().url()).startsWith("jdbc:h2:file:/tmp/x/cairn;");
    assertThat(settings.database().poolSize()).isEqualTo(3);
  }

  @Test
  void theJournalPluginsShareOnePoolOfTheConfiguredDatabase() {
    Config config =
        CairnSettings.load(
            Map.of("cairn.db.url", "jdbc:postgresql://db:5432/cairn", "cairn.db.pool-size", 4));
    Config shared = config.getConfig("pekko-persistence-jdbc.shared-databases.cairn");

    assertThat(CairnSettings.from(config).database().kind())
        .isEqualTo(CairnSettings.Database.Kind.POSTGRESQL);
    assertThat(shared.getString("profile")).isEqualTo("slick.jdbc.PostgresProfile$");
    assertThat(shared.getString("db.url"))
        .isEqualTo("jdbc:postgresql://db:5432/cairn?currentSchema=cairn");
    assertThat(shared.getInt("db.maxConnections")).isEqualTo(4);
    for (String plugin :
        new String[] {"jdbc-journal", "jdbc-snapshot-store", "jdbc-read-journal"}) {
      assertThat(config.getString(plugin + ".use-shared-db")).isEqualTo("cairn");
    }
  }

  @Test
  void seedNodesBecomePekkoAddresses() {
    CairnSettings settings =
        CairnSettings.from(
            CairnSettings.load(Map.of("cairn.cluster.seed-nodes", "10.0.0.1:2551, node-b:2552")));

    assertThat(settings.seedNodes())
        .containsExactly("pekko://cairn@10.0.0.1:2551", "pekko://cairn@node-b:2552");
  }

  @Test
  void theFirstSeedWaitsLongForAnotherSeedBeforeFormingANewCluster() {
    Config config = CairnSettings.load(Map.of());

    assertThat(config.getDuration("pekko.cluster.seed-node-timeout"))
        .isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void aMalformedSeedListIsRefusedWithTheExpectedForm() {
    assertThatThrownBy(() -> CairnSettings.load(Map.of("cairn.cluster.seed-nodes", "node-a")))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining("host:port");
  }

  @Test
  void anUnsupportedDatabaseIsRefused() {
    assertThatThrownBy(() -> CairnSettings.load(Map.of("cairn.db.url", "jdbc:mysql://x/y")))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining("jdbc:postgresql:");
  }

  @Test
  void theSplitBrainResolverIsOnWithKeepMajority() {
    Config config = CairnSettings.load(Map.of());

    assertThat(config.getString("pekko.cluster.downing-provider-class"))
        .isEqualTo("org.apache.pekko.cluster.sbr.SplitBrainResolverProvider");
    assertThat(config.getString("pekko.cluster.split-brain-resolver.active-strategy"))
        .isEqualTo("keep-majority");
  }

  @Test
  void entitiesLeaveMemoryWhenIdleOrBeyondTheActiveLimit() {
    Config config =
        CairnSettings.load(
            Map.of("cairn.entity.active-limit", 5000, "cairn.entity.passivate-after", "30s"));
    Config passivation = config.getConfig("pekko.cluster.sharding.passivation");

    assertThat(passivation.getString("strategy")).isEqualTo("default-strategy");
    assertThat(passivation.getInt("default-strategy.active-entity-limit")).isEqualTo(5000);
    assertThat(passivation.getDuration("default-strategy.idle-entity.timeout"))
        .isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void byDefaultTheActiveLimitFollowsTheHeap() {
    Config passivation =
        CairnSettings.load(Map.of()).getConfig("pekko.cluster.sharding.passivation");

    assertThat(passivation.getInt("default-strategy.active-entity-limit"))
        .isEqualTo(
            (int)
                Math.max(
                    1000, Runtime.getRuntime().maxMemory() / CairnSettings.AUTO_BYTES_PER_ENTITY));
    Config own = ConfigFactory.parseMap(Map.of("cairn.entity.active-limit", "auto"));
    assertThat(CairnSettings.activeEntityLimit(own, 512L * 1024 * 1024)).isEqualTo(52428);
    assertThat(CairnSettings.activeEntityLimit(own, 1024L * 1024 * 1024)).isEqualTo(104857);
    assertThat(CairnSettings.activeEntityLimit(own, 4L * 1024 * 1024)).isEqualTo(1000);
  }

  @Test
  void anActiveLimitThatIsNeitherAPositiveNumberNorAutoIsRefusedByName() {
    for (Object bad : List.of("many", "0", "-5", "1e6")) {
      assertThatThrownBy(() -> CairnSettings.load(Map.of("cairn.entity.active-limit", bad)))
          .isInstanceOf(ConfigException.BadValue.class)
          .hasMessageContaining("cairn.entity.active-limit")
          .hasMessageContaining("positive number or auto");
    }
  }

  @Test
  void theJournalWritesOneBatchAtATimeThroughCairnsBatchingDao() {
    Config config = CairnSettings.load(Map.of());

    assertThat(config.getInt("jdbc-journal.parallelism")).isEqualTo(1);
    assertThat(config.getString("jdbc-journal.dao"))
        .isEqualTo("dev.cairn.persistence.journal.BatchedJournalDao");
  }

  @Test
  void kubernetesBootstrapDiscoversPodsThroughTheKubernetesApi() {
    Config config = CairnSettings.load(Map.of("cairn.cluster.kubernetes-bootstrap", true));

    assertThat(CairnSettings.from(config).kubernetesBootstrap()).isTrue();
    assertThat(
            config.getString(
                "pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method"))
        .isEqualTo("kubernetes-api");
    assertThat(config.getString("pekko.discovery.kubernetes-api.pod-label-selector"))
        .isEqualTo("app=%s");
  }

  @Test
  void theLimitsHaveTheirDocumentedDefaultsAndTheDocumentLimitFollowsTheBodyLimit() {
    CairnSettings.Limits limits =
        CairnSettings.from(CairnSettings.load(Map.of("cairn.limits.max-body-size", "2MiB")))
            .limits();

    assertThat(limits.maxDepth()).isEqualTo(64);
    assertThat(limits.maxNumberLength()).isEqualTo(100);
    assertThat(limits.validationTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(limits.maxStreamsPerClient()).isEqualTo(8);
    assertThat(limits.maxDocumentSize()).isEqualTo(2 * 1024 * 1024);
  }

  @Test
  void aDepthBeyondWhatTheStackAllowsOrANonPositiveLimitIsRefusedByName() {
    assertThatThrownBy(
            () -> CairnSettings.from(CairnSettings.load(Map.of("cairn.limits.max-depth", 500))))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining("cairn.limits.max-depth")
        .hasMessageContaining("at most 200");
    assertThatThrownBy(
            () -> CairnSettings.from(CairnSettings.load(Map.of("cairn.limits.max-streams", 0))))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining("cairn.limits.max-streams");
  }

  @Test
  void cairnsTablesOnPostgresqlAreInTheirOwnSchemaWhichTheUrlNames() {
    CairnSettings.Database own =
        CairnSettings.from(
                CairnSettings.load(
                    Map.of(
                        "cairn.db.url",
                        "jdbc:postgresql://db/app?ssl=true",
                        "cairn.db.schema",
                        "store")))
            .database();

    assertThat(own.schema()).isEqualTo("store");
    assertThat(own.url()).isEqualTo("jdbc:postgresql://db/app?ssl=true&currentSchema=store");
    assertThatThrownBy(
            () ->
                CairnSettings.load(
                    Map.of("cairn.db.url", "jdbc:postgresql://db/app", "cairn.db.schema", "x;y")))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining("cairn.db.schema");
  }

  @Test
  void byDefaultEveryRequestNeedsATokenSignedWithTheClustersOwnSecret() {
    CairnSettings.Auth auth = CairnSettings.from(CairnSettings.load(Map.of())).auth();

    assertThat(auth.mode()).isEqualTo(CairnSettings.Auth.Mode.JWT);
    assertThat(auth.generatedSecret()).isTrue();
    assertThat(auth.rolesClaim()).isEqualTo("roles");
    assertThat(auth.clockSkew()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void noAuthenticationIsRefusedOnAnythingButALoopbackHost() {
    assertThat(
            CairnSettings.from(CairnSettings.load(Map.of("cairn.auth.mode", "none"))).auth().mode())
        .isEqualTo(CairnSettings.Auth.Mode.NONE);
    assertThatThrownBy(
            () ->
                CairnSettings.from(
                    CairnSettings.load(
                        Map.of("cairn.auth.mode", "none", "cairn.http.host", "0.0.0.0"))))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining("loopback")
        .hasMessageContaining("0.0.0.0");
  }

  @Test
  void aShortSecretTwoKeySourcesOrAnUnknownModeAreRefusedByName() {
    assertThatThrownBy(
            () ->
                CairnSettings.from(
                    CairnSettings.load(Map.of("cairn.auth.jwt.secret", "too-short"))))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining("at least 32 bytes");
    assertThatThrownBy(
            () ->
                CairnSettings.from(
                    CairnSettings.load(
                        Map.of(
                            "cairn.auth.jwt.secret",
                            "a".repeat(32),
                            "cairn.auth.jwt.jwks-url",
                            "https://idp.example/jwks"))))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining("not 2");
    assertThatThrownBy(
            () -> CairnSettings.from(CairnSettings.load(Map.of("cairn.auth.mode", "basic"))))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining("jwt or none");
  }

  @Test
  void secretsNeverAppearWhenSettingsArePrinted() {
    CairnSettings settings =
        CairnSettings.from(
            CairnSettings.load(
                Map.of(
                    "cairn.auth.jwt.secret",
                    "s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t",
                    "cairn.db.url",
                    "jdbc:postgresql://db/app",
                    "cairn.db.password",
                    "hunter2-password")));

    assertThat(settings.auth().toString()).doesNotContain("s3cr3t");
    assertThat(settings.database().toString()).doesNotContain("hunter2");
    assertThat(settings.toString()).doesNotContain("s3cr3t").doesNotContain("hunter2");
  }

  @Test
  void corsOriginsAreSchemeHostAndPortOrAStarAlone() {
    assertThat(CairnSettings.from(CairnSettings.load(Map.of())).corsOrigins()).isEmpty();
    assertThat(
            CairnSettings.from(
                    CairnSettings.load(
                        Map.of(
                            "cairn.http.cors-origins",
                            " https://app.example.com, http://localhost:3000 ")))
                .corsOrigins())
        .containsExactly("https://app.example.com", "http://localhost:3000");
    assertThatThrownBy(
            () ->
                CairnSettings.from(
                    CairnSettings.load(
                        Map.of("cairn.http.cors-origins", "https://app.example.com/path"))))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining("no path");
    assertThatThrownBy(
            () ->
                CairnSettings.from(
                    CairnSettings.load(
                        Map.of("cairn.http.cors-origins", "*,https://app.example.com"))))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining("alone");
  }

  @Test
  void aRateLimitIsRequestsPerSecondOrPerPeriodAndOffByDefault() {
    assertThat(CairnSettings.from(CairnSettings.load(Map.of())).limits().rateLimit().on())
        .isFalse();
    assertThat(CairnSettings.RateLimit.from("20", 0))
        .isEqualTo(new CairnSettings.RateLimit(20, Duration.ofSeconds(1), 20));
    assertThat(CairnSettings.RateLimit.from("600/1m", 50))
        .isEqualTo(new CairnSettings.RateLimit(600, Duration.ofMinutes(1), 50));
    for (String bad : List.of("fast", "-1", "10/0s", "10/soon")) {
      assertThatThrownBy(() -> CairnSettings.RateLimit.from(bad, 0))
          .as(bad)
          .isInstanceOf(ConfigException.BadValue.class)
          .hasMessageContaining("CAIRN_RATE_LIMIT");
    }
  }
}

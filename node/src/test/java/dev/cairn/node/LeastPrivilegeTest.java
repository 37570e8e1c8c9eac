package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.node.security.Tokens;
import dev.cairn.persistence.TestPostgres;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The roles of {@code deploy/postgresql}: the migrations run as the schema's owner, a node runs as
 * a role that can only read and write rows, and everything a node does still works, while that role
 * can neither drop nor truncate a table nor change or delete an event.
 */
class LeastPrivilegeTest {

  private static final Path DEPLOY = Path.of("..", "deploy", "postgresql");

  private static void run(String url, String user, Path script) throws Exception {
    try (Connection c = DriverManager.getConnection(url, user, "");
        Statement statement = c.createStatement()) {
      statement.execute(Files.readString(script));
    }
  }

  private static int cli(String... arguments) {
    PrintStream stdout = System.out;
    try {
      System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
      return Main.commandLine().execute(arguments);
    } finally {
      System.setOut(stdout);
    }
  }

  @Test
  void aNodeWhoseRoleOnlyReadsAndWritesRowsDoesEverythingAndCannotEraseEvents(@TempDir Path dir)
      throws Exception {
    // The test server's URLs name the superuser; each connection here says who it is instead.
    String url = TestPostgres.emptyDatabase().replaceAll("[?&]user=[^&]*", "");
    run(url, "postgres", DEPLOY.resolve("roles.sql"));
    assertThat(
            cli(
                "migrate",
                "--db-url",
                url,
                "--db-user",
                "cairn_owner",
                "--data-dir",
                dir.toString()))
        .isEqualTo(0);
    run(url, "cairn_owner", DEPLOY.resolve("append-only.sql"));

    Map<String, Object> asApp =
        Map.of(
            "cairn.db.url",
            url,
            "cairn.db.user",
            "cairn_app",
            "cairn.db.migrate-on-start",
            false,
            "cairn.auth.mode",
            "jwt");
    try (TestNode node = TestNode.start(dir.resolve("node"), asApp)) {
      String[] admin = {"Authorization", "Bearer " + token(url)};
      assertThat(
              node.put(
                      "/v1/_collections/notes",
                      "{\"snapshotEvery\":2,\"indexes\":{\"n\":{\"path\":\"/n\",\"type\":\"number\"}}}",
                      admin)
                  .status())
          .isEqualTo(201);
      for (int n = 1; n <= 5; n++) {
        assertThat(node.put("/v1/notes/a", "{\"n\":" + n + "}", admin).status()).isIn(200, 201);
      }
      assertThat(node.mergePatch("/v1/notes/a", "{\"m\":1}", admin).status()).isEqualTo(200);
      assertThat(node.put("/v1/notes/b", "{\"n\":9}", admin).status()).isEqualTo(201);
      assertThat(node.delete("/v1/notes/b", admin).status()).isIn(200, 204);
      assertThat(node.get("/v1/notes/a/events", admin).json().get("items")).hasSize(6);
      assertThat(node.get("/v1/notes/a?version=2", admin).status()).isEqualTo(200);
      Await.until(
          "the read model has the document",
          () -> node.get("/v1/notes?where.n.gte=5", admin).json().get("items").size() == 1);
      assertThat(node.events("/v1/notes/_changes", 8, admin)).hasSize(8);
    }
    try (TestNode restarted = TestNode.start(dir.resolve("node"), asApp)) {
      String[] admin = {"Authorization", "Bearer " + token(url)};
      assertThat(restarted.get("/v1/notes/a", admin).json().get("version").asLong())
          .as("recovered from its snapshot and the events after it")
          .isEqualTo(6);
    }

    try (Connection app = DriverManager.getConnection(url, "cairn_app", "");
        Statement statement = app.createStatement()) {
      for (String sql :
          List.of(
              "DROP TABLE cairn.event_journal CASCADE",
              "DROP TABLE cairn.snapshot",
              "TRUNCATE cairn.event_journal",
              "TRUNCATE cairn.read_document",
              "DELETE FROM cairn.event_journal",
              "UPDATE cairn.event_journal SET deleted = true",
              "DELETE FROM cairn.event_tag",
              "CREATE TABLE cairn.intruder (x int)",
              "ALTER TABLE cairn.snapshot ADD COLUMN x int")) {
        assertThatThrownBy(() -> statement.execute(sql))
            .as(sql)
            .isInstanceOf(SQLException.class)
            .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"));
      }
      try (ResultSet events = statement.executeQuery("SELECT count(*) FROM cairn.event_journal")) {
        events.next();
        assertThat(events.getLong(1)).isGreaterThanOrEqualTo(9);
      }
    }
  }

  /**
   * An administrator's token signed with the secret the first node made and kept in the database.
   */
  private static String token(String url) throws Exception {
    try (Connection c = TestPostgres.connect(url);
        Statement statement = c.createStatement();
        ResultSet secret = statement.executeQuery("SELECT secret FROM cairn.cluster_secret")) {
      assertThat(secret.next()).isTrue();
      return Tokens.hs256(
          secret.getString(1), "root", List.of("admin"), Duration.ofHours(1), "roles", "", "");
    }
  }
}

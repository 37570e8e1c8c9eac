package dev.cairn.persistence;

import dev.cairn.config.CairnSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;

/**
 * The HS256 secret a cluster signs its own tokens with when no key is configured: made by the first
 * node (or {@code bin/cairn token}) that needs it, from 32 random bytes, and then the same for
 * every node, because it lives where the cluster's data lives: in PostgreSQL's {@code
 * cluster_secret} table, or for embedded H2 in a file {@code jwt-secret} under the data directory
 * (owner-only), which {@code bin/cairn token} can read while the node holds the database open.
 * Never logged.
 */
public final class ClusterSecret {

  private static final String NAME = "jwt-hs256";
  private static final String FILE = "jwt-secret";

  private ClusterSecret() {}

  /** The cluster's secret, made now if there is none yet. */
  public static String loadOrCreate(CairnSettings settings) {
    return settings.database().kind() == CairnSettings.Database.Kind.POSTGRESQL
        ? inDatabase(settings.database())
        : inFile(settings.dataDir().resolve(FILE));
  }

  private static String inDatabase(CairnSettings.Database database) {
    try (Connection c =
        DriverManager.getConnection(database.url(), database.user(), database.password())) {
      try (PreparedStatement insert =
          c.prepareStatement(
              "INSERT INTO cluster_secret (name, secret) VALUES (?, ?) ON CONFLICT (name) DO NOTHING")) {
        insert.setString(1, NAME);
        insert.setString(2, random());
        insert.executeUpdate();
      }
      try (PreparedStatement select =
          c.prepareStatement("SELECT secret FROM cluster_secret WHERE name = ?")) {
        select.setString(1, NAME);
        try (ResultSet row = select.executeQuery()) {
          row.next();
          return row.getString(1);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "the cluster's token secret cannot be read: " + e.getMessage(), e);
    }
  }

  private static String inFile(Path file) {
    try {
      if (!Files.exists(file)) {
        Files.createDirectories(file.getParent());
        Path draft = Files.createTempFile(file.getParent(), FILE, ".new");
        try {
          restrict(draft);
          Files.writeString(draft, random(), StandardCharsets.US_ASCII, StandardOpenOption.WRITE);
          // A hard link appears whole or not at all, and never replaces a secret already there.
          Files.createLink(file, draft);
        } catch (FileAlreadyExistsException raced) {
          // another process made it first; theirs is the secret
        } finally {
          Files.deleteIfExists(draft);
        }
      }
      return Files.readString(file, StandardCharsets.US_ASCII).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("the cluster's token secret cannot be read from " + file, e);
    }
  }

  private static void restrict(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: the directory's permissions apply
    }
  }

  private static String random() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}

package dev.cairn.node;

import dev.cairn.config.CairnSettings;
import dev.cairn.node.security.Tokens;
import dev.cairn.persistence.ClusterSecret;
import dev.cairn.persistence.JournalSchema;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code cairn token}: prints a bearer token signed with the node's own key: {@code
 * CAIRN_JWT_SECRET}, or the cluster's generated secret, read from the same data directory and
 * database settings as {@code serve} (also while a node runs). Tokens for keys of an identity
 * provider (a JWKS) come from that provider.
 */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description = "Print a bearer token signed with this cluster's secret.")
final class TokenCommand implements Callable<Integer> {

  @Mixin NodeOptions options;

  @Option(names = "--subject", required = true, description = "the token's sub: who it is")
  String subject;

  @Option(names = "--role", description = "a role to grant (repeatable), such as admin")
  List<String> roles = List.of();

  @Option(
      names = "--ttl",
      defaultValue = "1h",
      description = "how long the token is valid: 30m, 1h, 7d (default 1h)")
  String ttl;

  @Override
  public Integer call() {
    CairnSettings settings = CairnSettings.from(options.config());
    CairnSettings.Auth auth = settings.auth();
    if (!auth.jwksFile().isEmpty() || !auth.jwksUrl().isEmpty()) {
      System.err.println(
          "cairn: this node trusts the keys of a JWKS; tokens come from the identity provider that"
              + " holds them");
      return 2;
    }
    if (auth.secret().isEmpty()
        && settings.database().kind() == CairnSettings.Database.Kind.POSTGRESQL
        && settings.database().migrateOnStart()) {
      JournalSchema.migrate(settings.database()); // the secret's table, if no node made it yet
    }
    String secret = auth.secret().isEmpty() ? ClusterSecret.loadOrCreate(settings) : auth.secret();
    System.out.println(
        Tokens.hs256(
            secret,
            subject,
            roles,
            duration(ttl),
            auth.rolesClaim(),
            auth.issuer(),
            auth.audience()));
    return 0;
  }

  private static Duration duration(String text) {
    if (!text.matches("\\d{1,6}[smhd]")) {
      throw new com.typesafe.config.ConfigException.BadValue(
          "--ttl", "expected a number and s, m, h or d, such as 1h, got '" + text + "'");
    }
    long amount = Long.parseLong(text.substring(0, text.length() - 1));
    return switch (text.charAt(text.length() - 1)) {
      case 's' -> Duration.ofSeconds(amount);
      case 'm' -> Duration.ofMinutes(amount);
      case 'h' -> Duration.ofHours(amount);
      default -> Duration.ofDays(amount);
    };
  }
}

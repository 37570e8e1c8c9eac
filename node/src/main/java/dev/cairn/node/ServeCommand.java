package dev.cairn.node;

import dev.cairn.config.CairnSettings;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code cairn serve}: runs a node until SIGTERM (or Ctrl-C), then shuts it down cleanly. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run a Cairn node.")
final class ServeCommand implements Callable<Integer> {

  @Mixin NodeOptions options;

  @Override
  public Integer call() throws Exception {
    CairnNode node = CairnNode.start(options.config());
    CairnSettings settings = node.settings();
    String ready =
        String.format(
            "Cairn node ready: %s://%s:%d (cluster %s:%d%s, journal %s); %s",
            settings.tls().http() ? "https" : "http",
            node.httpHost(),
            node.httpPort(),
            settings.clusterHost(),
            node.clusterPort(),
            settings.tls().cluster() ? " over mutual TLS" : "",
            journal(settings),
            tokens(settings));
    if ("json".equals(System.getenv("CAIRN_LOG_FORMAT"))) {
      // Every line of a JSON log is a JSON object, this one too.
      LoggerFactory.getLogger(ServeCommand.class).info(ready);
    } else {
      System.out.println(ready);
      System.out.flush();
    }
    node.whenTerminated().toCompletableFuture().join();
    return 0;
  }

  /** How a caller gets a token. */
  private static String tokens(CairnSettings settings) {
    CairnSettings.Auth auth = settings.auth();
    if (auth.mode() == CairnSettings.Auth.Mode.NONE) {
      return "CAIRN_AUTH=none: every request is an administrator";
    }
    if (auth.generatedSecret()) {
      // The secret is in this node's journal: a token command must find the same one.
      String database = " --db-url <this node's> --db-user <its user>";
      if (settings.database().url().contains(settings.dataDir().toString())) {
        boolean defaultDir =
            settings.dataDir().equals(Path.of("data").toAbsolutePath().normalize());
        database = defaultDir ? "" : " --data-dir " + settings.dataDir();
      }
      return "tokens: bin/cairn token" + database + " --subject <name> --role admin";
    }
    return "tokens: signed with "
        + (auth.secret().isEmpty() ? "the configured JWKS" : "CAIRN_JWT_SECRET");
  }

  /** Where the journal is, without credentials: a JDBC URL's query may carry a password. */
  private static String journal(CairnSettings settings) {
    String url = settings.database().url();
    if (settings.database().kind() == CairnSettings.Database.Kind.H2
        && url.contains(settings.dataDir().toString())) {
      return "H2 in " + settings.dataDir();
    }
    int query = url.indexOf('?');
    return query < 0 ? url : url.substring(0, query);
  }
}

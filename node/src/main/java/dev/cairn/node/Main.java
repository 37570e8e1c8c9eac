package dev.cairn.node;

import com.typesafe.config.ConfigException;
import dev.cairn.persistence.JournalSchema;
import java.sql.SQLException;
import java.util.Optional;
import org.flywaydb.core.api.FlywayException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code cairn}: the command line of a Cairn node. */
@Command(
    name = "cairn",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Event-sourced JSON documents behind a REST front door, on Apache Pekko.",
    subcommands = {
      ServeCommand.class,
      TokenCommand.class,
      MigrateCommand.class,
      DevClusterCommand.class,
      dev.cairn.node.admin.AdminCommand.class
    })
public final class Main implements Runnable {

  static final String COMMON_POOL_PARALLELISM =
      "java.util.concurrent.ForkJoinPool.common.parallelism";

  static {
    // Scala's CompletionStages (every Pekko ask) run dependent stages on CompletableFuture's
    // default executor. On a machine with 2 cores the common pool has parallelism 1, and then that
    // executor starts a new thread per stage: measured here, writes ran 2.5 times slower. Four
    // workers keep the default executor a pool. Must run before CompletableFuture is first used.
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(
          COMMON_POOL_PARALLELISM,
          Integer.toString(Math.max(4, Runtime.getRuntime().availableProcessors())));
    }
  }

  public static void main(String[] args) {
    QuietStdout.install();
    // Checked before anything logs: logback.xml picks its appender by this name.
    String format = System.getenv().getOrDefault("CAIRN_LOG_FORMAT", "text");
    if (!format.equals("text") && !format.equals("json")) {
      System.err.println(
          "cairn: CAIRN_LOG_FORMAT is '" + format + "'; it must be text (the default) or json");
      System.exit(2);
    }
    int exit = commandLine().execute(args);
    if (exit != 0) {
      System.exit(exit);
    }
  }

  /**
   * The command line, with bad settings and a database that cannot be used reported as one line and
   * exit code 2.
   */
  static CommandLine commandLine() {
    return new CommandLine(new Main())
        .setExecutionExceptionHandler(
            (failure, commandLine, parseResult) -> {
              if (failure instanceof ConfigException) {
                // A bad option or variable: say which and how, without a stack trace.
                commandLine.getErr().println("cairn: " + failure.getMessage());
                return 2;
              }
              Optional<String> database = databaseFailure(failure);
              if (database.isPresent()) {
                commandLine
                    .getErr()
                    .println("cairn: the database cannot be used: " + database.get());
                return 2;
              }
              throw failure;
            });
  }

  /**
   * What went wrong with the database, in one line, if that is why the node could not start: the
   * first line of the deepest message, with any password in a JDBC URL masked.
   */
  static Optional<String> databaseFailure(Throwable failure) {
    String message = null;
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof JournalSchema.Unusable
          || cause instanceof FlywayException
          || cause instanceof SQLException) {
        if (cause.getMessage() != null && !cause.getMessage().isBlank()) {
          message = cause.getMessage();
        }
        if (cause instanceof JournalSchema.Unusable) {
          break;
        }
      }
    }
    if (message == null) {
      return Optional.empty();
    }
    String line = message.strip().lines().findFirst().orElse(message).strip();
    return Optional.of(line.replaceAll("(?i)(password|pwd)=[^&\\s)]*", "$1=***"));
  }

  /** {@code cairn --version}: the release the build wrote into the class path. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"Cairn " + dev.cairn.config.CairnSettings.version()};
    }
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}

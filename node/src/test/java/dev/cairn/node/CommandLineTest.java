package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line answers bad settings with one clear line and exit code 2. */
class CommandLineTest {

  @Test
  void aMalformedSeedListIsOneLineAndExitCode2() {
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setErr(new PrintWriter(err));

    int exit = cli.execute("serve", "--seed-nodes", "node-a");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).startsWith("cairn: ").contains("host:port").doesNotContain("\tat ");
  }

  @Test
  void anUnknownOptionIsAUsageError() {
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setErr(new PrintWriter(err));

    int exit = cli.execute("serve", "--no-such-option");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("--no-such-option");
  }

  @Test
  void aDatabaseThatDoesNotAnswerIsOneLineAndExitCode2() throws Exception {
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setErr(new PrintWriter(err));
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }

    int exit =
        cli.execute(
            "migrate",
            "--db-url",
            "jdbc:postgresql://127.0.0.1:" + closedPort + "/cairn?password=secret");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString())
        .startsWith("cairn: the database cannot be used: ")
        .contains("refused")
        .doesNotContain("secret")
        .doesNotContain("\tat ");
    assertThat(err.toString().strip().lines()).hasSize(1);
  }
}

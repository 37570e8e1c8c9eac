package dev.cairn.node;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code cairn}: the command line of a Cairn node. */
@Command(
    name = "cairn",
    mixinStandardHelpOptions = true,
    version = "Cairn 0.1.0",
    description = "Event-sourced JSON documents behind a REST front door, on Apache Pekko.",
    subcommands = {ServeCommand.class, MigrateCommand.class, DevClusterCommand.class})
public final class Main implements Runnable {

  public static void main(String[] args) {
    int exit = new CommandLine(new Main()).execute(args);
    if (exit != 0) {
      System.exit(exit);
    }
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}

package dev.cairn.node;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code cairn serve}: runs a node until SIGTERM (or Ctrl-C), then shuts it down cleanly. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run a Cairn node.")
final class ServeCommand implements Callable<Integer> {

  @Mixin NodeOptions options;

  @Override
  public Integer call() throws Exception {
    CairnNode node = CairnNode.start(options.config());
    System.out.printf(
        "Cairn node ready: http://%s:%d (cluster port %d, data %s)%n",
        node.httpHost(),
        node.httpPort(),
        node.settings().clusterPort(),
        node.settings().database().kind() == dev.cairn.config.CairnSettings.Database.Kind.H2
                && node.settings().database().url().contains(node.settings().dataDir().toString())
            ? node.settings().dataDir()
            : node.settings().database().url());
    System.out.flush();
    node.whenTerminated().toCompletableFuture().join();
    return 0;
  }
}

package dev.cairn.node;

import dev.cairn.config.CairnSettings;
import dev.cairn.persistence.JournalSchema;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code cairn migrate}: creates or upgrades the journal schema, then exits. */
@Command(
    name = "migrate",
    mixinStandardHelpOptions = true,
    description = "Create or upgrade the journal schema and exit.")
final class MigrateCommand implements Callable<Integer> {

  @Mixin NodeOptions options;

  @Override
  public Integer call() {
    CairnSettings settings = CairnSettings.from(options.config());
    int applied = JournalSchema.migrate(settings.database());
    System.out.printf("Journal schema up to date (%d migrations applied)%n", applied);
    return 0;
  }
}

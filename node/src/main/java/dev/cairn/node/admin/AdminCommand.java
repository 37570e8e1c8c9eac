package dev.cairn.node.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.protocol.Json;
import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Writer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.zip.GZIPOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cairn admin}: the journal's administration against a running node, over its REST API. Exit
 * codes scripts can use: 0 done, 1 failed, 2 bad usage, 3 conflicts found.
 */
@Command(
    name = "admin",
    mixinStandardHelpOptions = true,
    description = "Administer a running node's journal over its REST API.",
    subcommands = {
      AdminCommand.Journal.class,
      AdminCommand.Documents.class,
      AdminCommand.Export.class,
      AdminCommand.Import.class,
      AdminCommand.Rebuild.class,
      AdminCommand.Check.class,
      AdminCommand.Projections.class,
      AdminCommand.Pause.class,
      AdminCommand.Resume.class,
      AdminCommand.RebuildProjection.class,
      AdminCommand.DeadLetters.class,
      AdminCommand.Retry.class,
      AdminCommand.Audit.class
    })
public final class AdminCommand implements Runnable {

  /** An import found documents whose history differs. */
  static final int CONFLICTS = 3;

  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  /** A subcommand: its work, with a node's refusal or an unreachable node reported in one line. */
  abstract static class Base implements Callable<Integer> {
    @Mixin AdminClient client;

    @Option(names = "--json", description = "print the node's JSON instead of a table")
    boolean json;

    @Override
    public Integer call() {
      try {
        return work();
      } catch (AdminClient.Refused | IOException e) {
        System.err.println("cairn admin: " + e.getMessage());
        return 1;
      }
    }

    abstract int work() throws IOException, AdminClient.Refused;

    int print(JsonNode answer, String... columns) throws IOException {
      if (json) {
        System.out.println(
            Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(answer));
        return 0;
      }
      JsonNode items = answer.has("items") ? answer.get("items") : answer;
      List<String[]> rows = new ArrayList<>();
      rows.add(columns);
      for (JsonNode item : items.isArray() ? items : List.of(items)) {
        String[] row = new String[columns.length];
        for (int i = 0; i < columns.length; i++) {
          JsonNode value = item.path(columns[i]);
          row[i] =
              value.isValueNode() ? value.asText() : value.isMissingNode() ? "" : value.toString();
        }
        rows.add(row);
      }
      System.out.print(Table.of(rows));
      if (answer.hasNonNull("next")) {
        System.out.println("more: --after " + answer.get("next").asText());
      }
      return 0;
    }
  }

  @Command(
      name = "journal",
      mixinStandardHelpOptions = true,
      description = "The global event log, in order.")
  static final class Journal extends Base {
    @Option(names = "--after", description = "start after this offset")
    Long after;

    @Option(names = "--limit", description = "at most this many (default 100)")
    Integer limit;

    @Option(names = "--collection", description = "only this collection")
    String collection;

    @Option(names = "--since", description = "only events at or after this ISO-8601 instant")
    String since;

    @Override
    int work() throws IOException, AdminClient.Refused {
      return print(
          client.get(
              "/admin/journal",
              AdminClient.query(
                  "after", after, "limit", limit, "collection", collection, "since", since)),
          "offset",
          "collection",
          "id",
          "version",
          "type",
          "timestamp",
          "principal");
    }
  }

  @Command(
      name = "documents",
      mixinStandardHelpOptions = true,
      description = "Documents as the journal knows them.")
  static final class Documents extends Base {
    @Option(names = "--collection", description = "only this collection")
    String collection;

    @Option(names = "--prefix", description = "only ids starting with this")
    String prefix;

    @Option(names = "--after", description = "start after this collection/id")
    String after;

    @Option(names = "--limit", description = "at most this many (default 100)")
    Integer limit;

    @Override
    int work() throws IOException, AdminClient.Refused {
      return print(
          client.get(
              "/admin/documents",
              AdminClient.query(
                  "collection", collection, "prefix", prefix, "after", after, "limit", limit)),
          "collection",
          "id",
          "version",
          "deleted",
          "updatedAt");
    }
  }

  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      description = "Export the journal as NDJSON (gzip when the file name ends in .gz).")
  static final class Export extends Base {
    @Option(names = "--out", required = true, description = "the file to write")
    Path out;

    @Option(names = "--after", description = "resume after this offset")
    Long after;

    @Option(names = "--collection", description = "only this collection, with its definition")
    String collection;

    @Override
    int work() throws IOException, AdminClient.Refused {
      HttpResponse<InputStream> response =
          client.send(
              client
                  .request(
                      "/admin/export", AdminClient.query("after", after, "collection", collection))
                  .GET()
                  .build());
      long head = response.headers().firstValueAsLong("Cairn-Journal-Head").orElse(0);
      long from = after == null ? 0 : after;
      Progress progress = new Progress("export", "events", 0);
      long events = 0;
      long offset = from;
      OutputStream file = Files.newOutputStream(out);
      if (out.getFileName().toString().endsWith(".gz")) {
        file = new GZIPOutputStream(file);
      }
      try (BufferedReader in =
              new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
          Writer writer = new java.io.OutputStreamWriter(file, StandardCharsets.UTF_8)) {
        String line;
        while ((line = in.readLine()) != null) {
          writer.write(line);
          writer.write('\n');
          events++;
          offset = offsetOf(line, offset);
          // The journal's offsets are its progress: how far between the start and the head.
          progress.total(Math.max(0, head - from));
          progress.update(Math.max(0, offset - from));
        }
      }
      progress.finish(Math.max(0, offset - from));
      System.out.printf(
          "exported %,d events to %s (offsets %d to %d; resume with --after %d)%n",
          events, out, from, offset, offset);
      return 0;
    }

    private static long offsetOf(String line, long previous) {
      int start = line.indexOf("\"offset\":");
      if (start < 0) {
        return previous;
      }
      int i = start + 9;
      int end = i;
      while (end < line.length() && Character.isDigit(line.charAt(end))) {
        end++;
      }
      return end > i ? Long.parseLong(line.substring(i, end)) : previous;
    }
  }

  /**
   * Follows an operation at {@code /admin/operations/{id}} with a progress bar until it ends;
   * returns it as it ended.
   */
  static JsonNode follow(AdminClient client, JsonNode operation, String label)
      throws IOException, AdminClient.Refused {
    String location = "/admin/operations/" + operation.get("id").asText();
    Progress progress = new Progress(label, "events", operation.get("total").asLong());
    while (operation.get("state").asText().equals("running")
        || operation.get("state").asText().equals("cancelling")) {
      progress.total(operation.get("total").asLong());
      progress.update(operation.get("done").asLong());
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while following " + location, e);
      }
      operation = client.get(location, Map.of());
    }
    progress.finish(operation.get("done").asLong());
    return operation;
  }

  @Command(
      name = "import",
      mixinStandardHelpOptions = true,
      description = "Import an export (exit code 3 when documents conflict).")
  static final class Import extends Base {
    @Parameters(paramLabel = "FILE", description = "NDJSON, or gzip NDJSON ending in .gz")
    Path file;

    @Override
    int work() throws IOException, AdminClient.Refused {
      long size = Files.size(file);
      Progress progress = new Progress("import", "bytes", size);
      boolean gzip = file.getFileName().toString().endsWith(".gz");
      HttpRequest.Builder request =
          client.request("/admin/import", Map.of()).header("Content-Type", "application/x-ndjson");
      if (gzip) {
        request.header("Content-Encoding", "gzip");
      }
      HttpResponse<InputStream> response =
          client.send(
              request
                  .POST(HttpRequest.BodyPublishers.ofInputStream(() -> counting(file, progress)))
                  .build());
      progress.finish(size);
      JsonNode report;
      try (InputStream body = response.body()) {
        report = Json.mapper().readTree(body);
      }
      if (response.statusCode() == 202) {
        // Still writing when the node answered: its report comes with the operation's end.
        JsonNode operation = follow(client, report, "import");
        if (!operation.get("state").asText().equals("done")) {
          System.err.printf(
              "import %s after %,d events%s%n",
              operation.get("state").asText(),
              operation.get("done").asLong(),
              operation.hasNonNull("message") ? ": " + operation.get("message").asText() : "");
          return 1;
        }
        report = operation.get("result");
      }
      if (json) {
        System.out.println(
            Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
      } else {
        System.out.printf(
            "imported %,d events, skipped %,d already there, %,d conflicting%n",
            report.get("imported").asLong(),
            report.get("skipped").asLong(),
            report.get("conflicting").asLong());
        for (JsonNode conflict : report.get("conflicts")) {
          System.out.printf(
              "conflict: %s/%s at version %d: %s%n",
              conflict.get("collection").asText(),
              conflict.get("id").asText(),
              conflict.get("version").asLong(),
              conflict.get("reason").asText());
        }
      }
      return report.get("conflicting").asLong() > 0 ? CONFLICTS : 0;
    }

    private static InputStream counting(Path file, Progress progress) {
      try {
        return new FilterInputStream(Files.newInputStream(file)) {
          private long read;

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
              read += n;
              progress.update(read);
            }
            return n;
          }
        };
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  @Command(
      name = "rebuild",
      mixinStandardHelpOptions = true,
      description = "Rebuild one document from its events.")
  static final class Rebuild extends Base {
    @Parameters(index = "0", paramLabel = "COLLECTION")
    String collection;

    @Parameters(index = "1", paramLabel = "ID")
    String id;

    @Override
    int work() throws IOException, AdminClient.Refused {
      JsonNode report = client.post("/admin/documents/" + collection + "/" + id + "/rebuild", "");
      if (json) {
        return print(report);
      }
      System.out.printf(
          "%s/%s: %d events replayed in %d ms (%d snapshots dropped); state %s%n",
          collection,
          id,
          report.get("eventsReplayed").asLong(),
          report.get("millis").asLong(),
          report.get("snapshotsDropped").asInt(),
          report.get("identical").asBoolean() ? "identical" : "DIFFERS from the state before");
      return report.get("identical").asBoolean() ? 0 : 1;
    }
  }

  @Command(
      name = "audit",
      mixinStandardHelpOptions = true,
      description = "Who did which admin operation when.")
  static final class Audit extends Base {
    @Option(names = "--before", description = "older than this offset")
    Long before;

    @Option(names = "--limit", description = "at most this many (default 100)")
    Integer limit;

    @Override
    int work() throws IOException, AdminClient.Refused {
      return print(
          client.get("/admin/audit", AdminClient.query("before", before, "limit", limit)),
          "timestamp",
          "principal",
          "operation",
          "status",
          "parameters",
          "outcome");
    }
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description =
          "Fold a collection through today's code and schema, writing nothing (exit 3 on findings).")
  static final class Check extends Base {
    @Parameters(paramLabel = "COLLECTION")
    String collection;

    @Override
    int work() throws IOException, AdminClient.Refused {
      JsonNode report =
          client.post(
              "/admin/replay/check?collection="
                  + java.net.URLEncoder.encode(collection, StandardCharsets.UTF_8),
              "");
      if (json) {
        print(report);
      } else {
        System.out.printf(
            "%s: %,d documents, %,d events in %d ms: %d undecodable, %d unappliable, %d invalid%n",
            collection,
            report.get("documents").asLong(),
            report.get("events").asLong(),
            report.get("millis").asLong(),
            report.get("undecodable").asLong(),
            report.get("unappliable").asLong(),
            report.get("invalid").asLong());
        for (JsonNode finding : report.get("findings")) {
          System.out.printf(
              "%s %s/%s at version %d: %s%n",
              finding.get("kind").asText(),
              collection,
              finding.get("id").asText(),
              finding.get("version").asLong(),
              finding.get("message").asText());
        }
      }
      return report.get("findings").isEmpty() ? 0 : CONFLICTS;
    }
  }

  @Command(
      name = "projections",
      mixinStandardHelpOptions = true,
      description = "Projections, their slices, state and lag.")
  static final class Projections extends Base {
    @Override
    int work() throws IOException, AdminClient.Refused {
      JsonNode projections = client.get("/admin/projections", Map.of());
      if (json) {
        return print(projections);
      }
      List<String[]> rows = new ArrayList<>();
      rows.add(
          new String[] {
            "projection",
            "slice",
            "state",
            "offset",
            "lagEvents",
            "lagMillis",
            "events/s",
            "lastError"
          });
      for (JsonNode projection : projections) {
        for (JsonNode slice : projection.get("slices")) {
          rows.add(
              new String[] {
                projection.get("name").asText(),
                slice.get("slice").asText(),
                slice.get("state").asText(),
                slice.get("offset").asText(),
                slice.get("lagEvents").asText(),
                slice.get("lagMillis").asText(),
                slice.path("eventsPerSecond").asText("-"),
                slice.path("lastError").asText("")
              });
        }
      }
      System.out.print(Table.of(rows));
      for (JsonNode projection : projections) {
        if (projection.get("deadLetters").asInt() > 0) {
          System.out.printf(
              "%s: %d dead letters (bin/cairn admin dead-letters %s)%n",
              projection.get("name").asText(),
              projection.get("deadLetters").asInt(),
              projection.get("name").asText());
        }
      }
      return 0;
    }
  }

  @Command(
      name = "pause",
      mixinStandardHelpOptions = true,
      description = "Pause a projection cluster-wide (it stays paused across restarts).")
  static final class Pause extends Base {
    @Parameters(paramLabel = "PROJECTION", defaultValue = "documents")
    String projection;

    @Override
    int work() throws IOException, AdminClient.Refused {
      client.post("/admin/projections/" + projection + "/pause", "");
      System.out.println(projection + ": paused");
      return 0;
    }
  }

  @Command(
      name = "resume",
      mixinStandardHelpOptions = true,
      description = "Resume a paused projection.")
  static final class Resume extends Base {
    @Parameters(paramLabel = "PROJECTION", defaultValue = "documents")
    String projection;

    @Override
    int work() throws IOException, AdminClient.Refused {
      client.post("/admin/projections/" + projection + "/resume", "");
      System.out.println(projection + ": running");
      return 0;
    }
  }

  @Command(
      name = "rebuild-projection",
      mixinStandardHelpOptions = true,
      description =
          "Rebuild the read model (all, one collection or one document) and follow its progress.")
  static final class RebuildProjection extends Base {
    @Option(names = "--collection", description = "only this collection")
    String collection;

    @Option(names = "--id", description = "only this document (with --collection)")
    String id;

    @Option(
        names = "--max-events-per-second",
        description = "fold at most this many events a second, to spare the database")
    Long maxEventsPerSecond;

    @Option(names = "--no-wait", description = "print the operation and return at once")
    boolean noWait;

    @Override
    int work() throws IOException, AdminClient.Refused {
      var scope = Json.mapper().createObjectNode();
      if (collection != null) {
        scope.put("collection", collection);
      }
      if (id != null) {
        scope.put("id", id);
      }
      if (maxEventsPerSecond != null) {
        scope.put("maxEventsPerSecond", maxEventsPerSecond);
      }
      JsonNode operation = client.post("/admin/projections/documents/rebuild", scope.toString());
      String location = "/admin/operations/" + operation.get("id").asText();
      if (noWait) {
        System.out.println(location);
        return 0;
      }
      operation = follow(client, operation, "rebuild");
      String state = operation.get("state").asText();
      System.out.printf(
          "rebuild %s: %,d events%s%n",
          state,
          operation.get("done").asLong(),
          operation.hasNonNull("message") ? " (" + operation.get("message").asText() + ")" : "");
      return state.equals("done") ? 0 : 1;
    }
  }

  @Command(
      name = "dead-letters",
      mixinStandardHelpOptions = true,
      description = "Events a projection parked.")
  static final class DeadLetters extends Base {
    @Parameters(paramLabel = "PROJECTION", defaultValue = "documents")
    String projection;

    @Override
    int work() throws IOException, AdminClient.Refused {
      return print(
          client.get("/admin/projections/" + projection + "/dead-letters", Map.of()),
          "offset",
          "collection",
          "id",
          "version",
          "attempts",
          "parkedAt",
          "error");
    }
  }

  @Command(
      name = "retry",
      mixinStandardHelpOptions = true,
      description = "Re-drive a parked event once its cause is fixed.")
  static final class Retry extends Base {
    @Parameters(index = "0", paramLabel = "OFFSET")
    long offset;

    @Option(names = "--projection", defaultValue = "documents")
    String projection;

    @Override
    int work() throws IOException, AdminClient.Refused {
      JsonNode retried =
          client.post(
              "/admin/projections/" + projection + "/dead-letters/" + offset + "/retry", "");
      System.out.printf(
          "re-driven: %s/%s (offset %d)%n",
          retried.get("collection").asText(), retried.get("id").asText(), offset);
      return 0;
    }
  }
}

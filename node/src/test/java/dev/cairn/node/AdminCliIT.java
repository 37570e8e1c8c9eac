package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cairn admin} as an operator runs it: a process of the runnable jar against node processes.
 * A backup exported from one node restores into another with every history the same, and the exit
 * codes say what happened: 0 done, 1 failed, 2 bad usage, 3 conflicts found.
 */
class AdminCliIT {

  @TempDir Path dir;

  /** What a {@code cairn admin} process printed and how it ended. */
  record Run(int exit, String out) {}

  @Test
  void aBackupRestoresIntoAnotherNodeAndTheExitCodesTellScriptsWhatHappened() throws Exception {
    Path backup = dir.resolve("backup.ndjson.gz");
    try (NodeProcess from = NodeProcess.start("admin-from", dir.resolve("from"));
        // Its imports are answered 202 once read: the CLI follows them to their report.
        NodeProcess to =
            NodeProcess.start(
                "admin-to",
                List.of("--http-port=0", "--cluster-port=0", "--data-dir=" + dir.resolve("to")),
                Map.of("CAIRN_IMPORT_WAIT", "0s"))) {
      TestClient source = from.client();
      TestClient target = to.client();
      for (int i = 0; i < 20; i++) {
        source.put("/v1/notes/n" + i, "{\"i\":" + i + "}");
        source.mergePatch("/v1/notes/n" + i, "{\"twice\":true}");
      }
      source.put("/v1/notes/clash", "{\"from\":\"source\"}");
      source.put("/v1/other/x", "{\"other\":true}");
      target.put("/v1/notes/clash", "{\"from\":\"target\"}");
      String fromUrl = "http://127.0.0.1:" + from.awaitReady();
      String toUrl = "http://127.0.0.1:" + to.awaitReady();
      Path other = dir.resolve("other.ndjson");

      Run exported = admin("export", "--out", backup.toString(), "--url", fromUrl);
      Run imported = admin("import", backup.toString(), "--url", toUrl);
      Run again = admin("import", backup.toString(), "--url", toUrl);
      Run exportedOther =
          admin("export", "--collection", "other", "--out", other.toString(), "--url", fromUrl);
      // Back into the node it came from, which answers 200 with the report.
      Run importedOther = admin("import", other.toString(), "--url", fromUrl);
      Run listed = admin("documents", "--collection", "notes", "--limit", "5", "--url", toUrl);
      Run rebuilt = admin("rebuild", "notes", "n3", "--url", toUrl);
      Run checked = admin("check", "notes", "--url", toUrl);
      Run paused = admin("pause", "--url", toUrl);
      Run whilePaused = admin("projections", "--url", toUrl);
      Run resumed = admin("resume", "--url", toUrl);
      Run rebuiltReadModel = admin("rebuild-projection", "--collection", "notes", "--url", toUrl);
      Run audit = admin("audit", "--json", "--url", toUrl);
      Run badUsage = admin("import", "--url", toUrl);
      Run nobody = admin("journal", "--url", "http://127.0.0.1:1");

      assertThat(exported.exit()).as(exported.out()).isZero();
      assertThat(exported.out()).contains("exported 42 events");
      assertThat(gunzippedLines(backup)).hasSize(42);
      assertThat(imported.exit()).as("conflicts found: " + imported.out()).isEqualTo(3);
      assertThat(imported.out())
          .contains("imported 41 events, skipped 0 already there, 1 conflicting")
          .contains("conflict: notes/clash at version 1");
      assertThat(again.out())
          .contains("imported 0 events, skipped 41 already there, 1 conflicting");
      assertThat(target.get("/v1/notes/clash").json().get("data").get("from").asText())
          .isEqualTo("target");
      for (int i = 0; i < 20; i++) {
        assertThat(target.get("/v1/notes/n" + i + "/events").json())
            .isEqualTo(source.get("/v1/notes/n" + i + "/events").json());
      }
      assertThat(exportedOther.exit()).isZero();
      assertThat(importedOther.exit()).as(importedOther.out()).isZero();
      assertThat(importedOther.out()).contains("imported 0 events, skipped 1");
      assertThat(listed.exit()).isZero();
      assertThat(listed.out().lines().skip(1).limit(5)).allMatch(line -> line.startsWith("notes"));
      assertThat(listed.out()).contains("more: --after notes/n11");
      assertThat(rebuilt.exit()).as(rebuilt.out()).isZero();
      assertThat(rebuilt.out()).contains("notes/n3: 2 events replayed").contains("identical");
      assertThat(checked.exit()).as(checked.out()).isZero();
      assertThat(checked.out()).contains("notes: 21 documents, 41 events");
      assertThat(paused.exit()).isZero();
      assertThat(whilePaused.out()).contains("documents-0").contains("paused");
      assertThat(resumed.exit()).isZero();
      assertThat(rebuiltReadModel.exit()).as(rebuiltReadModel.out()).isZero();
      assertThat(rebuiltReadModel.out()).contains("rebuild done: 41 events");
      assertThat(audit.out()).contains("\"operation\" : \"import\"", "\"operation\" : \"rebuild\"");
      assertThat(target.get("/admin/audit").json().get("items"))
          .filteredOn(entry -> entry.get("operation").asText().equals("import"))
          .as("both imports into the target were answered 202 and followed")
          .hasSize(2)
          .allMatch(entry -> entry.get("status").asInt() == 202);
      assertThat(badUsage.exit()).isEqualTo(2);
      assertThat(nobody.exit()).isEqualTo(1);
      assertThat(nobody.out()).contains("no node answers at http://127.0.0.1:1");
    }
  }

  private Run admin(String... arguments) throws Exception {
    String jar = System.getProperty("cairn.jar", "target/cairn-node.jar");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-jar", jar, "admin"));
    command.addAll(List.of(arguments));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Run(process.exitValue(), out);
  }

  private static List<String> gunzippedLines(Path file) throws Exception {
    try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
  }
}

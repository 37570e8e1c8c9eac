package dev.cairn.persistence.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.protocol.Json;
import dev.cairn.protocol.PatchFormat;
import dev.cairn.protocol.api.JournalEntry;
import dev.cairn.protocol.event.DocumentEvent;
import dev.cairn.protocol.event.EventMetadata;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An export writes each event straight from its record; an import reads it back as a {@link
 * JournalEntry}. The two must be the same JSON, or an export could not be imported.
 */
class JournalCodecTest {

  private static final EventMetadata META =
      new EventMetadata(
          Instant.parse("2026-12-02T08:00:00.123456Z"),
          "r-1",
          "alice",
          "k-1",
          "h",
          3L,
          "bob",
          "4bf92f3577b34da6a3ce929d0e0e4736");

  @Test
  void anExportedEventIsWrittenAsItsJournalEntry() throws Exception {
    ObjectNode data =
        (ObjectNode)
            Json.mapper()
                .readTree(
                    "{\"n\":1.50,\"big\":12345678901234567890,\"s\":\"é\\u0000\",\"a\":[true,null,{}]}");
    List<DocumentEvent> events =
        List.of(
            new DocumentEvent.Created(data, META),
            new DocumentEvent.Replaced(data, META),
            new DocumentEvent.Patched(
                PatchFormat.JSON_PATCH,
                Json.mapper().readTree("[{\"op\":\"remove\",\"path\":\"/n\"}]"),
                META),
            new DocumentEvent.Deleted(
                new EventMetadata(Instant.EPOCH, null, null, null, null, null, null, null)),
            new DocumentEvent.Reverted(1, data, META));
    long offset = 1;
    for (DocumentEvent event : events) {
      JournalCodec.Exported exported =
          JournalCodec.exported(offset, "c|doc-" + offset, offset, "writer-1", event);
      String line = Json.mapper().writeValueAsString(exported);
      assertEquals(Json.mapper().writeValueAsString(exported.entry()), line);
      JournalEntry read = Json.mapper().readValue(line, JournalEntry.class);
      assertEquals(event, JournalCodec.event(read));
      offset++;
    }
  }
}

package dev.cairn.persistence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.persistence.admin.AuditTrail;
import dev.cairn.protocol.Document;
import dev.cairn.protocol.Json;
import dev.cairn.protocol.PatchFormat;
import dev.cairn.protocol.Problem;
import dev.cairn.protocol.Violation;
import dev.cairn.protocol.access.AccessRules;
import dev.cairn.protocol.access.Principal;
import dev.cairn.protocol.collection.CollectionCommand;
import dev.cairn.protocol.collection.CollectionDefinition;
import dev.cairn.protocol.collection.CollectionEvent;
import dev.cairn.protocol.collection.CollectionReply;
import dev.cairn.protocol.collection.CollectionView;
import dev.cairn.protocol.collection.IndexField;
import dev.cairn.protocol.collection.IndexType;
import dev.cairn.protocol.command.DocumentCommand;
import dev.cairn.protocol.command.Preconditions;
import dev.cairn.protocol.command.WriteContext;
import dev.cairn.protocol.event.AuditEvent;
import dev.cairn.protocol.event.DocumentEvent;
import dev.cairn.protocol.event.EventMetadata;
import dev.cairn.protocol.reply.DocumentReply;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * One representative instance of every class bound to Jackson CBOR, and of each shape that matters
 * (every command inside the sharding envelope, a deleted document, an empty state): what {@link
 * SerializationCompatibilityFixtureWriter} serializes as this release's fixtures. Every optional
 * member is set somewhere, so that a later release is tested reading it. Sets hold at most one
 * element, so that the JSON a fixture keeps has one order.
 */
final class SerializationCompatibilitySamples {

  /** An instance, and what distinguishes it from the class's other samples ({@code ""}: none). */
  record Sample(String variant, Object value) {

    String name() {
      String name = SerializationCompatibilityFixtures.fixtureName(value.getClass());
      return variant.isEmpty() ? name : name + "-" + variant;
    }
  }

  private static final Instant CREATED = Instant.parse("2025-06-01T12:00:00.123456Z");
  private static final Instant UPDATED = Instant.parse("2025-06-02T08:30:00Z");

  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

  private static final Principal EDITOR = new Principal("alice", Set.of("editor"), true);

  private SerializationCompatibilitySamples() {}

  /** The samples, with these actors as the reply addresses of the envelopes. */
  static List<Sample> all(
      ActorRef<DocumentReply> documentReplies,
      ActorRef<CollectionReply> collectionReplies,
      ActorRef<Done> auditReplies) {
    List<Sample> samples = new ArrayList<>();
    add(samples, "", document());
    add(samples, "deleted", new Document("notes", "n2", 4, true, CREATED, UPDATED, null));
    add(samples, "", new Violation("/title", "must be a string"));

    for (DocumentCommand command : documentCommands()) {
      add(samples, variant(command), command);
      add(samples, envelopeVariant(command), new DocumentEntity.Command(command, documentReplies));
    }
    add(samples, "", new DocumentEntity.Inspect(true, documentReplies));
    add(samples, "", new PauseFence.HowDoYouSeeMe("pekko://cairn@10.0.0.3:2551"));
    add(samples, "", new PauseFence.Seen("up", true));
    for (DocumentEvent event : documentEvents()) {
      add(samples, variant(event), event);
    }
    add(samples, "", auditEvent());
    add(samples, "", new AuditTrail.Record(auditEvent(), auditReplies));

    add(samples, "", new DocumentReply.Written(document(), true));
    add(samples, "", new DocumentReply.AlreadyWritten(3, false));
    add(samples, "", new DocumentReply.Found(document()));
    add(
        samples,
        "",
        new DocumentReply.Rejected(
            Problem.SCHEMA_VIOLATION,
            "notes/n1 does not satisfy the schema of notes",
            3,
            List.of(new Violation("/title", "must be a string"))));
    add(samples, "", documentState());
    add(samples, "empty", DocumentState.empty("notes", "n9"));

    add(samples, "", definition());
    add(samples, "none", CollectionDefinition.NONE);
    add(samples, "", new CollectionEvent.Defined(definition(), metadata("req-9", "anonymous")));
    for (CollectionCommand command : collectionCommands()) {
      add(samples, variant(command), command);
      add(
          samples,
          envelopeVariant(command),
          new CollectionEntity.Command(command, collectionReplies));
    }
    add(samples, "", new CollectionReply.Defined(collectionView(), true));
    add(samples, "", new CollectionReply.Found(collectionView()));
    add(
        samples,
        "",
        new CollectionReply.Rejected(Problem.VERSION_MISMATCH, "notes is at version 2, not 1", 2));
    add(samples, "", collectionView());
    add(samples, "", new CollectionState("notes", 2, definition(), CREATED, UPDATED));
    add(samples, "empty", CollectionState.empty("notes"));
    return samples;
  }

  private static void add(List<Sample> samples, String variant, Object value) {
    samples.add(new Sample(variant, value));
  }

  /** What tells apart the samples of one class: a patch's format. */
  private static String variant(Object message) {
    if (message instanceof DocumentCommand.Patch patch) {
      return format(patch.format());
    }
    if (message instanceof DocumentEvent.Patched patched) {
      return format(patched.format());
    }
    return "";
  }

  /** What tells apart the envelopes: the command inside, as the command's own sample is named. */
  private static String envelopeVariant(Object command) {
    String kind = command.getClass().getSimpleName().toLowerCase(Locale.ROOT);
    String variant = variant(command);
    return variant.isEmpty() ? kind : kind + "-" + variant;
  }

  private static String format(PatchFormat format) {
    return format.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static List<DocumentCommand> documentCommands() {
    WriteContext keyed =
        WriteContext.by("req-1", EDITOR)
            .withIdempotencyKey("key-1", "sha256:0f1e2d")
            .withTraceId(TRACE);
    return List.of(
        new DocumentCommand.Put(
            object("{\"title\":\"First\",\"author\":\"alice\",\"rank\":1}"),
            new Preconditions(List.of(3L, 4L), true, false),
            keyed),
        new DocumentCommand.Patch(
            PatchFormat.MERGE_PATCH,
            json("{\"rank\":2.5,\"draft\":null}"),
            Preconditions.createOnly(),
            WriteContext.of("req-2")),
        new DocumentCommand.Patch(
            PatchFormat.JSON_PATCH,
            json("[{\"op\":\"replace\",\"path\":\"/title\",\"value\":\"Second\"}]"),
            Preconditions.atVersion(2),
            keyed),
        new DocumentCommand.Delete(Preconditions.NONE, WriteContext.by("req-3", EDITOR)),
        new DocumentCommand.Revert(1, Preconditions.atVersion(4), WriteContext.of("req-4")),
        new DocumentCommand.Get(Principal.ANONYMOUS),
        new DocumentCommand.Import(0, documentEvents(), Principal.UNCHECKED_ADMINISTRATOR));
  }

  private static List<DocumentEvent> documentEvents() {
    return List.of(
        new DocumentEvent.Created(
            object("{\"title\":\"First\",\"author\":\"alice\",\"tags\":[\"a\",\"b\"]}"),
            new EventMetadata(
                CREATED, "req-1", "alice", "key-1", "sha256:0f1e2d", 2L, "alice", TRACE)),
        new DocumentEvent.Replaced(
            object("{\"title\":\"Replaced\",\"nested\":{\"deep\":[1,{\"x\":null}]}}"),
            metadata("req-2", "anonymous")),
        new DocumentEvent.Patched(
            PatchFormat.MERGE_PATCH,
            json("{\"rank\":2.5,\"draft\":null}"),
            metadata("req-3", "anonymous")),
        new DocumentEvent.Patched(
            PatchFormat.JSON_PATCH,
            json("[{\"op\":\"add\",\"path\":\"/tags/-\",\"value\":\"c\"}]"),
            metadata("req-4", "anonymous")),
        new DocumentEvent.Deleted(
            new EventMetadata(UPDATED, "req-5", "alice", null, null, 2L, "alice", null)),
        new DocumentEvent.Reverted(
            1,
            object("{\"title\":\"First\",\"unicode\":\"žluťoučký kůň 🐎\"}"),
            metadata("req-6", "bob")));
  }

  /** Metadata of a write without an idempotency key, in a collection without a definition. */
  private static EventMetadata metadata(String requestId, String principal) {
    return new EventMetadata(UPDATED, requestId, principal, null, null, null, null, null);
  }

  private static AuditEvent auditEvent() {
    return new AuditEvent(
        "import",
        json("{\"source\":\"export.ndjson\",\"dryRun\":false}"),
        200,
        json("{\"documents\":2,\"events\":7}"),
        metadata("req-7", "admin"));
  }

  private static Document document() {
    return new Document(
        "notes",
        "n1",
        3,
        false,
        CREATED,
        UPDATED,
        object("{\"title\":\"First\",\"rank\":2.5,\"big\":12345678901234567890,\"ok\":true}"));
  }

  private static DocumentState documentState() {
    return new DocumentState(
        "notes",
        "n1",
        3,
        true,
        false,
        object("{\"title\":\"First\",\"author\":\"alice\"}"),
        CREATED,
        UPDATED,
        List.of(
            new DocumentState.RememberedWrite("key-1", "sha256:0f1e2d", 1, true, "alice"),
            new DocumentState.RememberedWrite("key-0", "sha256:9a8b", 2, false, null)));
  }

  private static CollectionDefinition definition() {
    return new CollectionDefinition(
        json(
            "{\"type\":\"object\",\"required\":[\"title\"],"
                + "\"properties\":{\"title\":{\"type\":\"string\"}}}"),
        Map.of(
            "title", new IndexField("/title", IndexType.STRING),
            "rank", new IndexField("/rank", IndexType.NUMBER),
            "published", new IndexField("/published", IndexType.BOOLEAN),
            "due", new IndexField("/due", IndexType.TIMESTAMP)),
        50,
        new AccessRules(
            List.of(AccessRules.AUTHENTICATED),
            List.of("role:editor"),
            List.of("role:editor", AccessRules.OWNER),
            List.of(AccessRules.OWNER)),
        "/author");
  }

  private static CollectionView collectionView() {
    return new CollectionView("notes", 2, CREATED, UPDATED, definition());
  }

  private static List<CollectionCommand> collectionCommands() {
    return List.of(
        new CollectionCommand.Define(
            definition(), Preconditions.atVersion(1), WriteContext.by("req-8", EDITOR)),
        CollectionCommand.Get.INSTANCE,
        new CollectionCommand.Import(
            0, List.of(new CollectionEvent.Defined(definition(), metadata("req-9", "anonymous")))));
  }

  private static JsonNode json(String text) {
    try {
      return Json.mapper().readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  private static ObjectNode object(String text) {
    return (ObjectNode) json(text);
  }
}

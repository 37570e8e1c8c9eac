package dev.cairn.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import dev.cairn.protocol.DocumentKey;
import dev.cairn.protocol.PatchFormat;
import dev.cairn.protocol.Problem;
import dev.cairn.protocol.access.Principal;
import dev.cairn.protocol.collection.CollectionDefinition;
import dev.cairn.protocol.collection.CollectionEvent;
import dev.cairn.protocol.command.DocumentCommand;
import dev.cairn.protocol.command.Preconditions;
import dev.cairn.protocol.command.WriteContext;
import dev.cairn.protocol.event.DocumentEvent;
import dev.cairn.protocol.event.EventMetadata;
import dev.cairn.protocol.reply.DocumentReply;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.query.javadsl.PersistenceTestKitReadJournal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The document entity, command by command: given some history, when a command arrives, then this
 * event (or none) and this reply. The test kit also checks that every command, event and state
 * survives Jackson serialization, as it must to cross nodes and reach the journal.
 */
class DocumentEntityTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static final ActorTestKit testKit =
      ActorTestKit.create(
          EventSourcedBehaviorTestKit.config()
              .withFallback(
                  ConfigFactory.parseString("pekko.actor.allow-java-serialization = off")));

  private EventSourcedBehaviorTestKit<DocumentEntity.Message, DocumentEvent, DocumentState> entity;
  private CollectionRegistry registry;

  @BeforeEach
  void freshEntity() {
    registry = CollectionRegistry.inMemory();
    DocumentHistory history = history();
    entity =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            DocumentEntity.create(
                new DocumentKey("notes", "n1"),
                new DocumentEntity.Setup(
                    registry, history, TestLimits.defaults(), false, 3, Clock.systemUTC())));
  }

  /** Defines the entity's collection as if its definition's event had reached this node. */
  private void define(String schema) {
    registry.learn(
        "notes",
        1,
        new CollectionEvent.Defined(
            new CollectionDefinition(node(schema), Map.of(), null, null, null),
            new EventMetadata(Instant.now(), "req", "anonymous", null, null, null, null, null)));
  }

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  @Test
  void aPutOnANewDocumentCreatesVersionOne() {
    var result = run(put("{\"title\":\"hi\"}", Preconditions.NONE));

    assertThat(result.event()).isInstanceOf(DocumentEvent.Created.class);
    var written = result.replyOfType(DocumentReply.Written.class);
    assertThat(written.created()).isTrue();
    assertThat(written.document().version()).isEqualTo(1);
    assertThat(written.document().data()).isEqualTo(json("{\"title\":\"hi\"}"));
  }

  @Test
  void aPutOnALiveDocumentReplacesIt() {
    run(put("{\"a\":1}", Preconditions.NONE));

    var result = run(put("{\"b\":2}", Preconditions.NONE));

    assertThat(result.event()).isInstanceOf(DocumentEvent.Replaced.class);
    var written = result.replyOfType(DocumentReply.Written.class);
    assertThat(written.created()).isFalse();
    assertThat(written.document().version()).isEqualTo(2);
    assertThat(result.state().data()).isEqualTo(json("{\"b\":2}"));
  }

  @Test
  void aStaleExpectedVersionIsRefusedAndWritesNothing() {
    run(put("{\"a\":1}", Preconditions.NONE));
    run(put("{\"a\":2}", Preconditions.NONE));

    var result = run(put("{\"a\":3}", Preconditions.atVersion(1)));

    assertThat(result.hasNoEvents()).isTrue();
    var rejected = result.replyOfType(DocumentReply.Rejected.class);
    assertThat(rejected.problem()).isEqualTo(Problem.VERSION_MISMATCH);
    assertThat(rejected.currentVersion()).isEqualTo(2);
    assertThat(result.state().data()).isEqualTo(json("{\"a\":2}"));
  }

  @Test
  void aMatchingExpectedVersionIsAccepted() {
    run(put("{\"a\":1}", Preconditions.NONE));

    var result = run(put("{\"a\":2}", new Preconditions(List.of(7L, 1L), false, false)));

    assertThat(result.replyOfType(DocumentReply.Written.class).document().version()).isEqualTo(2);
  }

  @Test
  void createOnlyIsRefusedWhenTheDocumentExists() {
    run(put("{\"a\":1}", Preconditions.NONE));

    var result = run(put("{\"a\":2}", Preconditions.createOnly()));

    assertThat(result.hasNoEvents()).isTrue();
    assertThat(result.replyOfType(DocumentReply.Rejected.class).problem())
        .isEqualTo(Problem.ALREADY_EXISTS);
  }

  @Test
  void ifMatchAnyIsRefusedWhenTheDocumentDoesNotExist() {
    var result = run(put("{\"a\":1}", new Preconditions(List.of(), true, false)));

    assertThat(result.hasNoEvents()).isTrue();
    assertThat(result.replyOfType(DocumentReply.Rejected.class).problem())
        .isEqualTo(Problem.VERSION_MISMATCH);
  }

  @Test
  void aPatchThatAppliesIsPersistedAsThePatch() {
    run(put("{\"a\":1}", Preconditions.NONE));

    var result =
        run(
            new DocumentCommand.Patch(
                PatchFormat.MERGE_PATCH, json("{\"b\":2}"), Preconditions.NONE, context()));

    assertThat(result.event()).isInstanceOf(DocumentEvent.Patched.class);
    assertThat(result.state().data()).isEqualTo(json("{\"a\":1,\"b\":2}"));
  }

  @Test
  void aPatchThatDoesNotApplyIsRefusedAndWritesNothing() {
    run(put("{\"a\":1}", Preconditions.NONE));

    var result =
        run(
            new DocumentCommand.Patch(
                PatchFormat.JSON_PATCH,
                node("[{\"op\":\"replace\",\"path\":\"/missing\",\"value\":1}]"),
                Preconditions.NONE,
                context()));

    assertThat(result.hasNoEvents()).isTrue();
    assertThat(result.replyOfType(DocumentReply.Rejected.class).problem())
        .isEqualTo(Problem.INVALID_PATCH);
  }

  @Test
  void aPatchThatWouldLeaveANonObjectIsRefused() {
    run(put("{\"a\":1}", Preconditions.NONE));

    var result =
        run(
            new DocumentCommand.Patch(
                PatchFormat.MERGE_PATCH, node("[1,2]"), Preconditions.NONE, context()));

    assertThat(result.hasNoEvents()).isTrue();
    assertThat(result.replyOfType(DocumentReply.Rejected.class).problem())
        .isEqualTo(Problem.INVALID_PATCH);
  }

  @Test
  void patchingOrDeletingAMissingDocumentIsNotFound() {
    var patch =
        run(
            new DocumentCommand.Patch(
                PatchFormat.MERGE_PATCH, json("{}"), Preconditions.NONE, context()));
    var delete = run(new DocumentCommand.Delete(Preconditions.NONE, context()));

    assertThat(patch.replyOfType(DocumentReply.Rejected.class).problem())
        .isEqualTo(Problem.NOT_FOUND);
    assertThat(delete.replyOfType(DocumentReply.Rejected.class).problem())
        .isEqualTo(Problem.NOT_FOUND);
    assertThat(delete.state().version()).isZero();
  }

  @Test
  void deleteLeavesATombstoneAndAGetSaysDeleted() {
    run(put("{\"a\":1}", Preconditions.NONE));

    var deleted = run(new DocumentCommand.Delete(Preconditions.NONE, context()));
    var get = run(new DocumentCommand.Get(Principal.UNCHECKED_ADMINISTRATOR));

    assertThat(deleted.event()).isInstanceOf(DocumentEvent.Deleted.class);
    assertThat(deleted.replyOfType(DocumentReply.Written.class).document().deleted()).isTrue();
    var rejected = get.replyOfType(DocumentReply.Rejected.class);
    assertThat(rejected.problem()).isEqualTo(Problem.DELETED);
    assertThat(rejected.currentVersion()).isEqualTo(2);
  }

  @Test
  void aPutAfterDeleteCreatesTheDocumentAgain() {
    run(put("{\"a\":1}", Preconditions.NONE));
    run(new DocumentCommand.Delete(Preconditions.NONE, context()));

    var result = run(put("{\"a\":2}", Preconditions.createOnly()));

    assertThat(result.event()).isInstanceOf(DocumentEvent.Created.class);
    assertThat(result.replyOfType(DocumentReply.Written.class).document().version()).isEqualTo(3);
  }

  @Test
  void revertWritesTheContentOfTheOldVersionFromItsOwnHistory() {
    run(put("{\"a\":1}", Preconditions.NONE));
    run(put("{\"a\":2}", Preconditions.NONE));

    var result = run(new DocumentCommand.Revert(1, Preconditions.NONE, context()));

    assertThat(result.event()).isInstanceOf(DocumentEvent.Reverted.class);
    assertThat(result.state().version()).isEqualTo(3);
    assertThat(result.state().data()).isEqualTo(json("{\"a\":1}"));
  }

  @Test
  void revertBringsADeletedDocumentBack() {
    run(put("{\"a\":1}", Preconditions.NONE));
    run(new DocumentCommand.Delete(Preconditions.NONE, context()));

    var result = run(new DocumentCommand.Revert(1, Preconditions.NONE, context()));

    assertThat(result.event()).isInstanceOf(DocumentEvent.Reverted.class);
    assertThat(result.state().data()).isEqualTo(json("{\"a\":1}"));
    assertThat(result.state().isLive()).isTrue();
    assertThat(result.state().version()).isEqualTo(3);
  }

  @Test
  void revertOfADocumentThatNeverExistedIsNotFound() {
    var result = run(new DocumentCommand.Revert(1, Preconditions.NONE, context()));

    assertThat(result.hasNoEvents()).isTrue();
    assertThat(result.replyOfType(DocumentReply.Rejected.class).problem())
        .isEqualTo(Problem.NOT_FOUND);
  }

  @Test
  void revertToAVersionThatDoesNotExistIsRefused() {
    run(put("{\"a\":1}", Preconditions.NONE));

    var result = run(new DocumentCommand.Revert(5, Preconditions.NONE, context()));

    assertThat(result.hasNoEvents()).isTrue();
    assertThat(result.replyOfType(DocumentReply.Rejected.class).problem())
        .isEqualTo(Problem.VERSION_NOT_FOUND);
  }

  @Test
  void revertToADeletionIsRefused() {
    run(put("{\"a\":1}", Preconditions.NONE));
    run(new DocumentCommand.Delete(Preconditions.NONE, context()));
    run(put("{\"a\":3}", Preconditions.NONE));

    var result = run(new DocumentCommand.Revert(2, Preconditions.NONE, context()));

    assertThat(result.hasNoEvents()).isTrue();
    assertThat(result.replyOfType(DocumentReply.Rejected.class).problem())
        .isEqualTo(Problem.NOT_REVERTIBLE);
  }

  @Test
  void eachWriteRecordsTheDefinitionVersionItWasCheckedAgainst() {
    var before = run(put("{\"a\":1}", Preconditions.NONE));
    define("{\"type\":\"object\"}");
    var after = run(put("{\"a\":2}", Preconditions.NONE));

    assertThat(before.event().meta().definitionVersion()).isNull();
    assertThat(after.event().meta().definitionVersion()).isEqualTo(1L);
  }

  @Test
  void aRetriedIdempotencyKeyAnswersTheFirstResultAndWritesNothing() {
    WriteContext keyed = context().withIdempotencyKey("k1", "hash-of-put");
    run(new DocumentCommand.Put(json("{\"a\":1}"), Preconditions.createOnly(), keyed));

    var retry = run(new DocumentCommand.Put(json("{\"a\":1}"), Preconditions.createOnly(), keyed));

    assertThat(retry.hasNoEvents()).isTrue();
    var written = retry.replyOfType(DocumentReply.Written.class);
    assertThat(written.created()).isTrue();
    assertThat(written.document().version()).isEqualTo(1);
  }

  @Test
  void aRetryAfterLaterWritesPointsAtTheFirstResultsVersion() {
    WriteContext keyed = context().withIdempotencyKey("k1", "hash-of-put");
    run(new DocumentCommand.Put(json("{\"a\":1}"), Preconditions.NONE, keyed));
    run(put("{\"a\":2}", Preconditions.NONE));

    var retry = run(new DocumentCommand.Put(json("{\"a\":1}"), Preconditions.NONE, keyed));

    assertThat(retry.hasNoEvents()).isTrue();
    assertThat(retry.reply()).isEqualTo(new DocumentReply.AlreadyWritten(1, true));
  }

  @Test
  void anIdempotencyKeyReusedForADifferentRequestIsRefused() {
    run(
        new DocumentCommand.Put(
            json("{\"a\":1}"), Preconditions.NONE, context().withIdempotencyKey("k1", "one")));

    var other =
        run(
            new DocumentCommand.Put(
                json("{\"a\":2}"), Preconditions.NONE, context().withIdempotencyKey("k1", "two")));

    assertThat(other.hasNoEvents()).isTrue();
    assertThat(other.replyOfType(DocumentReply.Rejected.class).problem())
        .isEqualTo(Problem.IDEMPOTENCY_KEY_REUSED);
  }

  @Test
  void stateAndRememberedKeysSurviveARestartAcrossSnapshots() {
    for (int i = 1; i <= 7; i++) {
      run(
          new DocumentCommand.Put(
              json("{\"i\":" + i + "}"),
              Preconditions.NONE,
              context().withIdempotencyKey("k" + i, "h" + i)));
    }

    entity.restart();
    var retry =
        run(
            new DocumentCommand.Put(
                json("{\"i\":7}"), Preconditions.NONE, context().withIdempotencyKey("k7", "h7")));
    var get = run(new DocumentCommand.Get(Principal.UNCHECKED_ADMINISTRATOR));

    assertThat(retry.hasNoEvents()).isTrue();
    assertThat(get.replyOfType(DocumentReply.Found.class).document().version()).isEqualTo(7);
    assertThat(get.state().data()).isEqualTo(json("{\"i\":7}"));
  }

  @Test
  void contentThatBreaksTheCollectionsSchemaIsRefusedWithEachPath() {
    define(
        "{\"type\":\"object\",\"required\":[\"a\"],"
            + "\"properties\":{\"a\":{\"type\":\"integer\"}}}");
    WriteContext withSchema = context();
    run(new DocumentCommand.Put(json("{\"a\":1}"), Preconditions.NONE, withSchema));

    var put = run(new DocumentCommand.Put(json("{\"a\":\"x\"}"), Preconditions.NONE, withSchema));
    var patch =
        run(
            new DocumentCommand.Patch(
                PatchFormat.MERGE_PATCH, json("{\"a\":null}"), Preconditions.NONE, withSchema));

    assertThat(put.hasNoEvents()).isTrue();
    var rejected = put.replyOfType(DocumentReply.Rejected.class);
    assertThat(rejected.problem()).isEqualTo(Problem.SCHEMA_VIOLATION);
    assertThat(rejected.violations()).extracting(v -> v.path()).containsExactly("/a");
    assertThat(patch.hasNoEvents()).isTrue();
    assertThat(patch.replyOfType(DocumentReply.Rejected.class).problem())
        .isEqualTo(Problem.SCHEMA_VIOLATION);
    assertThat(patch.state().data()).isEqualTo(json("{\"a\":1}"));
  }

  @Test
  void aSchemaThatRecursesWithoutEndRefusesTheWriteAndTheDocumentStillAnswers() {
    define("{\"$ref\":\"#\"}");
    WriteContext loops = context();

    var refused = run(new DocumentCommand.Put(json("{\"a\":1}"), Preconditions.NONE, loops));
    var next = run(new DocumentCommand.Get(Principal.UNCHECKED_ADMINISTRATOR));

    assertThat(refused.hasNoEvents()).isTrue();
    assertThat(refused.replyOfType(DocumentReply.Rejected.class).problem())
        .isEqualTo(Problem.LIMIT_EXCEEDED);
    assertThat(next.replyOfType(DocumentReply.Rejected.class).problem())
        .isEqualTo(Problem.NOT_FOUND);
  }

  @Test
  void aPatchWhoseCopiesWouldNestTheDocumentTooDeeplyWritesNothing() {
    run(put("{\"a\":{\"b\":1}}", Preconditions.NONE));
    StringBuilder ops = new StringBuilder("[");
    String path = "/a";
    for (int i = 0; i < 70; i++) {
      ops.append(i == 0 ? "" : ",")
          .append("{\"op\":\"copy\",\"from\":\"/a\",\"path\":\"")
          .append(path)
          .append("/a\"}");
      path += "/a";
    }

    var patch =
        run(
            new DocumentCommand.Patch(
                PatchFormat.JSON_PATCH, node(ops + "]"), Preconditions.NONE, context()));

    assertThat(patch.hasNoEvents()).isTrue();
    assertThat(patch.replyOfType(DocumentReply.Rejected.class).detail())
        .contains("cairn.limits.max-depth");
    assertThat(patch.state().data()).isEqualTo(json("{\"a\":{\"b\":1}}"));
  }

  @Test
  void contentDeeperThanTheLimitIsRefusedByTheEntityItself() {
    ObjectNode deep = json("{}");
    ObjectNode level = deep;
    for (int i = 0; i < 100; i++) {
      level = level.putObject("a");
    }

    var refused = run(new DocumentCommand.Put(deep, Preconditions.NONE, context()));

    assertThat(refused.hasNoEvents()).isTrue();
    assertThat(refused.replyOfType(DocumentReply.Rejected.class).problem())
        .isEqualTo(Problem.LIMIT_EXCEEDED);
  }

  @Test
  void aGetOfAMissingDocumentIsNotFound() {
    var result = run(new DocumentCommand.Get(Principal.UNCHECKED_ADMINISTRATOR));

    assertThat(result.hasNoEvents()).isTrue();
    assertThat(result.replyOfType(DocumentReply.Rejected.class).problem())
        .isEqualTo(Problem.NOT_FOUND);
  }

  @Test
  void theStopMessageStopsTheEntityEvenWhenTheWriteInFlightFailsAndTheEntityRestarts() {
    var journal = PersistenceTestKit.create(testKit.system());
    var documents =
        new DocumentEntity.Setup(
            registry, history(), TestLimits.defaults(), false, 3, Clock.systemUTC());
    var stopped = testKit.spawn(DocumentEntity.create(new DocumentKey("notes", "n2"), documents));
    TestProbe<DocumentReply> client = testKit.createTestProbe();

    journal.failNextPersisted();
    stopped.tell(new DocumentEntity.Command(put("{\"a\":1}", Preconditions.NONE), client.ref()));
    // Arrives while the event is being persisted, as a hand-off's stop does in chaos finding 3.
    stopped.tell(new DocumentEntity.Stop());

    client.expectTerminated(stopped);
    journal.expectNothingPersisted("notes|n2");
  }

  @Test
  void anEventIsNeverTimedBeforeTheDocumentsPreviousOneWhateverTheNodesClockSays() {
    Instant first = Instant.parse("2026-01-01T00:01:00Z");
    SettableClock clock = new SettableClock(first);
    var document =
        EventSourcedBehaviorTestKit.<DocumentEntity.Message, DocumentEvent, DocumentState>create(
            testKit.system(),
            DocumentEntity.create(
                new DocumentKey("notes", "skewed"),
                new DocumentEntity.Setup(
                    registry, history(), TestLimits.defaults(), false, 3, clock)));
    document.<DocumentReply>runCommand(
        replyTo -> new DocumentEntity.Command(put("{}", Preconditions.NONE), replyTo));

    clock.now = first.minusSeconds(60); // the next write reaches a node a minute behind
    var behind =
        document.<DocumentReply>runCommand(
            replyTo -> new DocumentEntity.Command(put("{\"a\":1}", Preconditions.NONE), replyTo));
    clock.now = first.plusSeconds(60);
    var ahead =
        document.<DocumentReply>runCommand(
            replyTo -> new DocumentEntity.Command(put("{\"a\":2}", Preconditions.NONE), replyTo));

    assertThat(behind.event().meta().timestamp()).isEqualTo(first);
    assertThat(ahead.event().meta().timestamp()).isEqualTo(first.plusSeconds(60));
  }

  /** A clock a test sets by hand. */
  private static final class SettableClock extends Clock {
    Instant now;

    SettableClock(Instant now) {
      this.now = now;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  private static DocumentHistory history() {
    return new DocumentHistory(
        testKit.system(),
        PersistenceQuery.get(testKit.system())
            .getReadJournalFor(
                PersistenceTestKitReadJournal.class, PersistenceTestKitReadJournal.Identifier()));
  }

  private CommandResultWithReply<
          DocumentEntity.Message, DocumentEvent, DocumentState, DocumentReply>
      run(DocumentCommand command) {
    return entity.runCommand(replyTo -> new DocumentEntity.Command(command, replyTo));
  }

  private static DocumentCommand.Put put(String data, Preconditions preconditions) {
    return new DocumentCommand.Put(json(data), preconditions, context());
  }

  private static WriteContext context() {
    return WriteContext.of("test-request");
  }

  private static ObjectNode json(String text) {
    return (ObjectNode) node(text);
  }

  private static JsonNode node(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }
}

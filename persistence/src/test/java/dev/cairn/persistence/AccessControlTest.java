package dev.cairn.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.protocol.DocumentKey;
import dev.cairn.protocol.Json;
import dev.cairn.protocol.Problem;
import dev.cairn.protocol.Violation;
import dev.cairn.protocol.access.AccessRules;
import dev.cairn.protocol.access.AccessRules.Grant;
import dev.cairn.protocol.access.AccessRules.Operation;
import dev.cairn.protocol.access.Principal;
import dev.cairn.protocol.collection.CollectionDefinition;
import dev.cairn.protocol.collection.CollectionEvent;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Who may do what, by a collection's rules: the decisions the entity and the read side share. */
class AccessControlTest {

  private static final Principal ALICE = new Principal("alice", Set.of(), true);
  private static final Principal BOB = new Principal("bob", Set.of(), true);
  private static final Principal EDITOR = new Principal("erin", Set.of("editor"), true);
  private static final Principal ADMIN = new Principal("root", Set.of(Principal.ADMIN), true);
  private static final DocumentKey NOTE = new DocumentKey("notes", "n1");

  private static ObjectNode json(String text) {
    try {
      return (ObjectNode) Json.mapper().readTree(text);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static AccessControl defining(String collection, String definition) {
    CollectionRegistry registry = CollectionRegistry.inMemory();
    registry.learn(
        collection,
        1,
        new CollectionEvent.Defined(
            CollectionDefinitionReader.read(json(definition), TestLimits.defaults()),
            new dev.cairn.protocol.event.EventMetadata(
                Instant.now(), "req", "root", null, null, null, null, null)));
    return new AccessControl(registry);
  }

  private static final String OWNED =
      "{\"owner\":\"/owner\",\"rules\":{\"read\":[\"public\"],\"create\":[\"authenticated\"],"
          + "\"update\":[\"owner\",\"role:editor\"],\"delete\":[\"owner\"]}}";
  private static final String PRIVATE =
      "{\"owner\":\"/owner\",\"rules\":{\"read\":[\"owner\"],\"update\":[\"owner\"],"
          + "\"delete\":[\"owner\"]}}";

  @Test
  void everyCollectionNeedsAValidTokenUnlessItsRulesSayOtherwise() {
    AccessControl undefined = new AccessControl(CollectionRegistry.inMemory());

    for (Operation operation : Operation.values()) {
      assertThat(undefined.grant("notes", operation, ALICE)).isEqualTo(Grant.ALWAYS);
      assertThat(undefined.grant("notes", operation, Principal.ANONYMOUS)).isEqualTo(Grant.NEVER);
    }
    assertThat(undefined.refusal(NOTE, Operation.READ, Principal.ANONYMOUS, null))
        .map(AccessControl.Refused::problem)
        .contains(Problem.UNAUTHORIZED);
  }

  @Test
  void anyAlternativeLetsTheCallerInAndAnAdministratorIsAlwaysIn() {
    AccessControl access = defining("notes", OWNED);
    ObjectNode alices = json("{\"owner\":\"alice\",\"text\":\"hi\"}");

    assertThat(access.refusal(NOTE, Operation.READ, Principal.ANONYMOUS, alices)).isEmpty();
    assertThat(access.refusal(NOTE, Operation.UPDATE, ALICE, alices)).isEmpty();
    assertThat(access.refusal(NOTE, Operation.UPDATE, EDITOR, alices)).isEmpty();
    assertThat(access.refusal(NOTE, Operation.DELETE, ADMIN, alices)).isEmpty();
    assertThat(access.refusal(NOTE, Operation.UPDATE, BOB, alices))
        .map(AccessControl.Refused::problem)
        .contains(Problem.FORBIDDEN);
    assertThat(access.refusal(NOTE, Operation.DELETE, EDITOR, alices))
        .map(AccessControl.Refused::getMessage)
        .hasValueSatisfying(detail -> assertThat(detail).contains("owner", "/owner"));
    assertThat(access.refusal(NOTE, Operation.CREATE, Principal.ANONYMOUS, null))
        .map(AccessControl.Refused::problem)
        .contains(Problem.UNAUTHORIZED);
  }

  @Test
  void aDocumentOnlyItsOwnerMayReadIsNotFoundForEveryoneElseWhateverTheyAsk() {
    AccessControl access = defining("notes", PRIVATE);
    ObjectNode alices = json("{\"owner\":\"alice\"}");

    assertThat(access.refusal(NOTE, Operation.READ, ALICE, alices)).isEmpty();
    for (Operation operation : List.of(Operation.READ, Operation.UPDATE, Operation.DELETE)) {
      assertThat(access.refusal(NOTE, operation, BOB, alices))
          .map(AccessControl.Refused::problem)
          .contains(Problem.NOT_FOUND);
    }
    assertThat(access.mayRead("notes", ALICE, "alice")).isTrue();
    assertThat(access.mayRead("notes", BOB, "alice")).isFalse();
    assertThat(access.mayRead("notes", BOB, null)).isFalse();
    assertThat(access.mayRead("notes", ADMIN, "alice")).isTrue();
  }

  @Test
  void documentsAreCreatedInTheCallersOwnNameAndKeepTheirOwner() {
    AccessControl access = defining("notes", OWNED);
    ObjectNode alices = json("{\"owner\":\"alice\"}");
    ObjectNode bobs = json("{\"owner\":\"bob\"}");

    assertThat(access.ownership(NOTE, ALICE, null, alices)).isEmpty();
    assertThat(access.ownership(NOTE, ALICE, null, bobs))
        .map(AccessControl.Refused::getMessage)
        .hasValueSatisfying(detail -> assertThat(detail).contains("/owner", "\"alice\""));
    assertThat(access.ownership(NOTE, ALICE, null, json("{}"))).isPresent();
    assertThat(access.ownership(NOTE, EDITOR, alices, json("{\"owner\":\"alice\",\"x\":1}")))
        .isEmpty();
    assertThat(access.ownership(NOTE, EDITOR, alices, bobs))
        .map(AccessControl.Refused::getMessage)
        .hasValueSatisfying(detail -> assertThat(detail).contains("only an administrator"));
    assertThat(access.ownership(NOTE, ADMIN, alices, bobs)).isEmpty();
    assertThat(access.ownership(NOTE, Principal.ANONYMOUS, null, json("{}"))).isEmpty();
  }

  @Test
  void theOwnerRuleOnCreateIsCreatingInOnesOwnName() {
    AccessControl access =
        defining("notes", "{\"owner\":\"/by\",\"rules\":{\"create\":[\"owner\"]}}");

    assertThat(access.grant("notes", Operation.CREATE, ALICE)).isEqualTo(Grant.IF_OWNER);
    assertThat(access.refusal(NOTE, Operation.CREATE, ALICE, null)).isEmpty();
    assertThat(access.ownership(NOTE, ALICE, null, json("{\"by\":\"bob\"}"))).isPresent();
  }

  @Test
  void untilTheDefinitionsAreReadNothingIsDecided() {
    AccessControl access = new AccessControl(new CollectionRegistry());

    assertThatThrownBy(() -> access.grant("notes", Operation.READ, ADMIN))
        .isInstanceOf(AccessControl.Refused.class)
        .extracting(e -> ((AccessControl.Refused) e).problem())
        .isEqualTo(Problem.UNAVAILABLE);
  }

  @Test
  void aDefinitionsRulesAreCheckedAndEveryProblemNamed() {
    assertThatThrownBy(
            () ->
                CollectionDefinitionReader.read(
                    json(
                        "{\"rules\":{\"read\":[\"owner\"],\"write\":[\"public\"],"
                            + "\"update\":[],\"delete\":[\"role:\",\"everyone\",3]},"
                            + "\"owner\":\"owner\"}"),
                    TestLimits.defaults()))
        .isInstanceOf(CollectionDefinitionReader.Invalid.class)
        .satisfies(
            e ->
                assertThat(((CollectionDefinitionReader.Invalid) e).violations())
                    .extracting(Violation::path)
                    .containsExactlyInAnyOrder(
                        "/owner",
                        "/rules/read/0",
                        "/rules/write",
                        "/rules/update",
                        "/rules/delete/0",
                        "/rules/delete/1",
                        "/rules/delete/2"));
  }

  @Test
  void rulesNotGivenAreTheDefaultsAndAnOwnerIsIndexedForLists() {
    CollectionDefinition definition =
        CollectionDefinitionReader.read(
            json("{\"owner\":\"/meta/owner\",\"rules\":{\"read\":[\"owner\",\"role:audit\"]}}"),
            TestLimits.defaults());

    assertThat(definition.rules().read()).containsExactly("owner", "role:audit");
    assertThat(definition.rules().update()).isEqualTo(AccessRules.DEFAULT.update());
    assertThat(definition.readModelIndexes().get(CollectionDefinition.OWNER_INDEX).path())
        .isEqualTo("/meta/owner");
    assertThat(
            CollectionDefinitionReader.read(json("{}"), TestLimits.defaults()).readModelIndexes())
        .isEmpty();
    assertThat(Optional.of(definition.rules()).map(AccessRules::mentionsOwner)).contains(true);
  }
}

package dev.cairn.persistence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.protocol.DocumentKey;
import dev.cairn.protocol.Problem;
import dev.cairn.protocol.access.AccessRules;
import dev.cairn.protocol.access.AccessRules.Grant;
import dev.cairn.protocol.access.AccessRules.Operation;
import dev.cairn.protocol.access.Principal;
import dev.cairn.protocol.collection.CollectionDefinition;
import dev.cairn.protocol.collection.CollectionView;
import java.util.Optional;

/**
 * What a caller may do to a collection's documents, by the rules of its definition in force on this
 * node ({@link CollectionRegistry}). The document's entity asks it about the document it holds
 * before deciding anything else; lists, history and the change feed ask it before they read.
 *
 * <p>A caller refused without a token is told to bring one (401); a caller the rules do not let in
 * gets 403, except where the refusal itself would say the document exists: a document the caller
 * may read only if they owned it is "not found" to everyone else, whatever they asked to do to it.
 */
public final class AccessControl {

  /** A request the rules refuse; {@link #problem} says how to answer it. */
  public static final class Refused extends RuntimeException {
    private final Problem problem;

    public Refused(Problem problem, String detail) {
      super(detail, null, false, false);
      this.problem = problem;
    }

    public Problem problem() {
      return problem;
    }
  }

  private final CollectionRegistry registry;

  public AccessControl(CollectionRegistry registry) {
    this.registry = registry;
  }

  /** The collection's definition in force, or the definition of an undefined collection. */
  public CollectionDefinition definition(String collection) {
    return registry
        .definition(collection)
        .map(CollectionView::definition)
        .orElse(CollectionDefinition.NONE);
  }

  /** Refuses everything until this node knows the rules: the defaults might let in too much. */
  public void requireRules() {
    if (!registry.loaded()) {
      throw new Refused(
          Problem.UNAVAILABLE,
          "this node has not read the collection definitions yet, so it cannot tell who may do"
              + " what (the journal database does not answer); retry after the Retry-After delay");
    }
  }

  /** What {@code caller} may do, before knowing which document. */
  public Grant grant(String collection, Operation operation, Principal caller) {
    requireRules();
    return definition(collection).rules().grant(operation, caller);
  }

  /**
   * Refuses a request that no document of the collection could allow, before its body is read: a
   * caller for whom every operation the request might turn out to be is {@link Grant#NEVER}. Until
   * the rules are known it refuses nothing, so that bad input is still told so; the document's
   * entity then refuses the request itself.
   */
  public void requireAny(String collection, Principal caller, Operation... operations) {
    if (!registry.loaded()) {
      return;
    }
    CollectionDefinition definition = definition(collection);
    for (Operation operation : operations) {
      if (definition.rules().grant(operation, caller) != Grant.NEVER) {
        return;
      }
    }
    throw refusal(collection, definition, operations[0], caller);
  }

  /** Whether {@code caller} may see a change of a document that {@code owner} owned. */
  public boolean mayRead(String collection, Principal caller, String owner) {
    CollectionDefinition definition = definition(collection);
    Grant grant = definition.rules().grant(Operation.READ, caller);
    return grant == Grant.ALWAYS
        || (grant == Grant.IF_OWNER && owner != null && owner.equals(caller.subject()));
  }

  /**
   * Why {@code caller} may not do {@code operation} to the document {@code key}, whose current
   * content is {@code data} (null if it does not exist now); empty if they may.
   */
  public Optional<Refused> refusal(
      DocumentKey key, Operation operation, Principal caller, ObjectNode data) {
    CollectionDefinition definition = definition(key.collection());
    String owner = ownerOf(definition, data);
    if (allows(definition, operation, caller, owner)) {
      return Optional.empty();
    }
    if (caller.authenticated()
        && (data != null || operation != Operation.CREATE)
        && definition.rules().grant(Operation.READ, caller) == Grant.IF_OWNER
        && !allows(definition, Operation.READ, caller, owner)) {
      return Optional.of(new Refused(Problem.NOT_FOUND, "there is no document " + key));
    }
    return Optional.of(refusal(key.collection(), definition, operation, caller));
  }

  /**
   * Why content a write would give a document breaks the owner's guarantees, or empty: a caller
   * other than an administrator creates documents only in their own name, and never hands one to
   * someone else.
   *
   * @param before the document's content now, or null when the write creates it
   */
  public Optional<Refused> ownership(
      DocumentKey key, Principal caller, ObjectNode before, ObjectNode after) {
    CollectionDefinition definition = definition(key.collection());
    if (definition.owner() == null || (caller.authenticated() && caller.admin())) {
      return Optional.empty();
    }
    JsonNode value = after.at(definition.owner());
    if (before == null) {
      if (!caller.authenticated()) {
        return value.isMissingNode() || value.isNull()
            ? Optional.empty()
            : Optional.of(
                new Refused(
                    Problem.FORBIDDEN,
                    "a document created without a token has no owner: leave "
                        + definition.owner()
                        + " out"));
      }
      return value.isTextual() && value.asText().equals(caller.subject())
          ? Optional.empty()
          : Optional.of(
              new Refused(
                  Problem.FORBIDDEN,
                  "a new document of "
                      + key.collection()
                      + " must name its owner: set "
                      + definition.owner()
                      + " to your subject \""
                      + caller.subject()
                      + "\""));
    }
    JsonNode was = before.at(definition.owner());
    return was.equals(value)
        ? Optional.empty()
        : Optional.of(
            new Refused(
                Problem.FORBIDDEN,
                "only an administrator may change the owner ("
                    + definition.owner()
                    + ") of a document of "
                    + key.collection()));
  }

  /** The owner of a document with {@code data} (null: none, or the document does not exist). */
  public static String ownerOf(CollectionDefinition definition, ObjectNode data) {
    if (definition.owner() == null || data == null) {
      return null;
    }
    JsonNode value = data.at(definition.owner());
    return value.isTextual() ? value.asText() : null;
  }

  /** The owner of a document with {@code data}, by its collection's definition in force. */
  public String ownerOf(String collection, ObjectNode data) {
    return ownerOf(definition(collection), data);
  }

  /**
   * Whether the rule lets the caller in. Creating under the {@code owner} rule is creating in one's
   * own name, which {@link #ownership} checks once the content is known.
   */
  private static boolean allows(
      CollectionDefinition definition, Operation operation, Principal caller, String owner) {
    Grant grant = definition.rules().grant(operation, caller);
    return grant == Grant.ALWAYS
        || (grant == Grant.IF_OWNER
            && (operation == Operation.CREATE
                || (owner != null && owner.equals(caller.subject()))));
  }

  private static Refused refusal(
      String collection, CollectionDefinition definition, Operation operation, Principal caller) {
    String rule = String.join(", ", definition.rules().of(operation));
    if (!caller.authenticated()) {
      return new Refused(
          Problem.UNAUTHORIZED,
          "to "
              + operation.json()
              + " documents of "
              + collection
              + " a bearer token is needed (its rule is: "
              + rule
              + ")");
    }
    return new Refused(
        Problem.FORBIDDEN,
        "the rule for "
            + operation.json()
            + " in collection "
            + collection
            + " is: "
            + rule
            + (rule.contains(AccessRules.OWNER) ? " (owner: " + definition.owner() + ")" : "")
            + "; this caller is none of those");
  }
}

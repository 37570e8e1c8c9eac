package dev.cairn.persistence;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.protocol.CairnSerializable;
import dev.cairn.protocol.Document;
import dev.cairn.protocol.event.DocumentEvent;
import dev.cairn.protocol.event.EventMetadata;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A document's state, and the one definition of what each event means: {@link #apply}. The entity,
 * time-travel reads and history all fold events with this same function, so they cannot disagree.
 *
 * <p>The version counts events: a document that never existed is at version 0, and every event
 * moves it up by one. The state also remembers the latest {@link #REMEMBERED_KEYS} idempotency keys
 * so that a retried write is answered without writing again, also after a restart.
 *
 * @param everExisted the document has had at least one event (it may be deleted now)
 */
public record DocumentState(
    String collection,
    String id,
    long version,
    boolean everExisted,
    boolean deleted,
    ObjectNode data,
    Instant createdAt,
    Instant updatedAt,
    List<RememberedWrite> rememberedWrites)
    implements CairnSerializable {

  /** How many recent idempotency keys a document remembers. */
  public static final int REMEMBERED_KEYS = 256;

  /**
   * The result of a write made with an idempotency key.
   *
   * @param requestHash what the first request asked for
   * @param version the version that write produced
   * @param created the write brought the document into being
   * @param principal who made it: a key is the caller's own, so another caller's use of the same
   *     key is a different write (null in states snapshotted before keys were scoped, which match
   *     any caller)
   */
  public record RememberedWrite(
      String key, String requestHash, long version, boolean created, String principal) {}

  public DocumentState {
    rememberedWrites = List.copyOf(rememberedWrites);
  }

  public static DocumentState empty(String collection, String id) {
    return new DocumentState(collection, id, 0, false, false, null, null, null, List.of());
  }

  /** The document exists now: it has been created and is not deleted. */
  public boolean isLive() {
    return everExisted && !deleted;
  }

  /** The state after {@code event}. Pure: the same state and event always give the same result. */
  public DocumentState apply(DocumentEvent event) {
    Instant at = event.meta().timestamp();
    DocumentState next =
        event.accept(
            new DocumentEvent.Visitor<>() {
              @Override
              public DocumentState created(DocumentEvent.Created e) {
                return withContent(e.data(), at, at);
              }

              @Override
              public DocumentState replaced(DocumentEvent.Replaced e) {
                return withContent(e.data(), createdAt, at);
              }

              @Override
              public DocumentState patched(DocumentEvent.Patched e) {
                return withContent(contentAfter(e), createdAt, at);
              }

              @Override
              public DocumentState deleted(DocumentEvent.Deleted e) {
                return new DocumentState(
                    collection, id, version + 1, true, true, null, createdAt, at, rememberedWrites);
              }

              @Override
              public DocumentState reverted(DocumentEvent.Reverted e) {
                return withContent(e.data(), createdAt, at);
              }
            });
    return next.remembering(event.meta(), event instanceof DocumentEvent.Created);
  }

  /** The write {@code principal}'s idempotency key produced, if this document remembers it. */
  public Optional<RememberedWrite> rememberedWrite(String idempotencyKey, String principal) {
    if (idempotencyKey == null) {
      return Optional.empty();
    }
    return rememberedWrites.stream()
        .filter(w -> w.key().equals(idempotencyKey))
        .filter(w -> w.principal() == null || w.principal().equals(principal))
        .findFirst();
  }

  /** This state as the API sees it. */
  public Document toDocument() {
    return new Document(collection, id, version, deleted, createdAt, updatedAt, data);
  }

  private DocumentState withContent(ObjectNode content, Instant created, Instant updated) {
    return new DocumentState(
        collection, id, version + 1, true, false, content, created, updated, rememberedWrites);
  }

  private ObjectNode contentAfter(DocumentEvent.Patched event) {
    if (data == null) {
      throw new IllegalStateException(
          "journal event "
              + (version + 1)
              + " of "
              + collection
              + "/"
              + id
              + " does not apply: it patches a document that does not exist");
    }
    try {
      return DocumentPatch.replay(event.format(), event.patch(), data);
    } catch (DocumentPatch.Failed e) {
      // The entity applies every patch before persisting it, so this means the journal holds an
      // event that this code cannot replay: stop rather than invent a state.
      throw new IllegalStateException(
          "journal event " + (version + 1) + " of " + collection + "/" + id + " does not apply", e);
    }
  }

  private DocumentState remembering(EventMetadata meta, boolean created) {
    if (meta.idempotencyKey() == null) {
      return this;
    }
    List<RememberedWrite> writes = new ArrayList<>(rememberedWrites.size() + 1);
    writes.addAll(rememberedWrites);
    writes.add(
        new RememberedWrite(
            meta.idempotencyKey(), meta.requestHash(), version, created, meta.principal()));
    if (writes.size() > REMEMBERED_KEYS) {
      writes.remove(0);
    }
    return new DocumentState(
        collection, id, version, everExisted, deleted, data, createdAt, updatedAt, writes);
  }
}

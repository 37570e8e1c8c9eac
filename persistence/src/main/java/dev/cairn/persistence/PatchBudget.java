package dev.cairn.persistence;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.protocol.Problem;

/**
 * What a JSON Patch may still do to a document while it is applied: how many operations, how deep
 * and how large the document may become, and until when. Checked before every operation and at
 * every value it adds, so that a patch whose operations copy a member into itself cannot double a
 * document's size or depth many times over before its result is checked as a whole (the result is
 * then checked exactly by {@link JsonLimits#checkDocument}).
 *
 * <p>The size is tracked as {@link JsonLimits#weight}, which never exceeds the real size, so a
 * patch whose result fits is never refused on the way there.
 */
final class PatchBudget {

  /** For replaying events that were checked when they were written: no limits. */
  static final PatchBudget UNLIMITED = new PatchBudget(null, null, 0);

  private final JsonLimits limits;
  private final Deadline deadline;
  private long weight;

  private PatchBudget(JsonLimits limits, Deadline deadline, long weight) {
    this.limits = limits;
    this.deadline = deadline;
    this.weight = weight;
  }

  /** A budget for patching {@code document} within {@code limits} before {@code deadline}. */
  static PatchBudget of(JsonLimits limits, Deadline deadline, JsonNode document) {
    return new PatchBudget(limits, deadline, JsonLimits.weight(document));
  }

  void operations(int count) throws JsonLimits.Exceeded {
    if (limits != null && count > limits.settings().maxPatchOperations()) {
      throw new JsonLimits.Exceeded(
          Problem.LIMIT_EXCEEDED,
          "the patch has "
              + count
              + " operations; the limit is "
              + limits.settings().maxPatchOperations()
              + " (cairn.limits.max-patch-operations)");
    }
  }

  /** Before each operation. */
  void step() {
    if (deadline != null) {
      deadline.checkNow();
    }
  }

  /**
   * A value is about to be added inside a container at {@code parentDepth} (the document itself is
   * at depth 1; 0 when the value becomes the whole document).
   */
  void adding(JsonNode value, int parentDepth) throws JsonLimits.Exceeded {
    if (limits == null) {
      return;
    }
    int depth = parentDepth + JsonLimits.depth(value);
    if (depth > limits.settings().maxDepth()) {
      throw new JsonLimits.Exceeded(
          Problem.LIMIT_EXCEEDED,
          "the patch would nest the document "
              + depth
              + " levels deep; the limit is "
              + limits.settings().maxDepth()
              + " (cairn.limits.max-depth)");
    }
    weight += JsonLimits.weight(value);
    if (weight > limits.settings().maxDocumentSize()) {
      throw new JsonLimits.Exceeded(
          Problem.LIMIT_EXCEEDED,
          "the patch would grow the document past "
              + limits.settings().maxDocumentSize()
              + " bytes of JSON (cairn.limits.max-document-size)");
    }
  }

  /** A value has been taken out of the document. */
  void removing(JsonNode value) {
    if (limits != null) {
      weight -= JsonLimits.weight(value);
    }
  }
}

package dev.cairn.persistence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flipkart.zjsonpatch.CompatibilityFlags;
import dev.cairn.protocol.PatchFormat;
import java.util.EnumSet;

/**
 * Applies a patch of either format to a document's content: for a write, within the limits and the
 * deadline of that write; when events are replayed, exactly as when they were written.
 */
public final class DocumentPatch {

  /** The patch is malformed, does not apply, or would leave something other than an object. */
  public static final class Failed extends Exception {
    Failed(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * How zjsonpatch applied JSON Patches before Cairn applied them itself ({@link JsonPatch}). A few
   * patches it accepted are refused now (a {@code remove} of {@code /a/-}, which it ignored, and
   * pointers with escapes other than {@code ~0} and {@code ~1}); their events replay with it, so
   * every document keeps the content it was acknowledged with.
   */
  private static final EnumSet<CompatibilityFlags> ACCEPTED_BEFORE =
      EnumSet.of(CompatibilityFlags.FORBID_REMOVE_MISSING_OBJECT);

  private DocumentPatch() {}

  /** The patched content, without limits; {@code data} is not modified. */
  public static ObjectNode apply(PatchFormat format, JsonNode patch, ObjectNode data)
      throws Failed {
    try {
      return patched(format, patch, data, PatchBudget.UNLIMITED);
    } catch (JsonLimits.Exceeded e) {
      throw new IllegalStateException("an unlimited patch exceeds no limit", e);
    }
  }

  /**
   * The content a write's patch produces, which may grow the document only within {@code limits}
   * and may take until {@code deadline}; {@code data} is not modified. The result still needs
   * {@link JsonLimits#checkDocument}.
   */
  static ObjectNode apply(
      PatchFormat format, JsonNode patch, ObjectNode data, JsonLimits limits, Deadline deadline)
      throws Failed, JsonLimits.Exceeded {
    return patched(format, patch, data, PatchBudget.of(limits, deadline, data));
  }

  /** The content a patch event of the journal produced when it was written. */
  static ObjectNode replay(PatchFormat format, JsonNode patch, ObjectNode data) throws Failed {
    try {
      return apply(format, patch, data);
    } catch (Failed refusedNow) {
      if (format != PatchFormat.JSON_PATCH) {
        throw refusedNow;
      }
      try {
        return object(com.flipkart.zjsonpatch.JsonPatch.apply(patch, data, ACCEPTED_BEFORE));
      } catch (RuntimeException e) {
        throw refusedNow;
      }
    }
  }

  private static ObjectNode patched(
      PatchFormat format, JsonNode patch, ObjectNode data, PatchBudget budget)
      throws Failed, JsonLimits.Exceeded {
    return object(
        switch (format) {
          case MERGE_PATCH -> JsonMergePatch.apply(data, patch);
          case JSON_PATCH -> JsonPatch.apply(patch, data.deepCopy(), budget);
        });
  }

  private static ObjectNode object(JsonNode result) throws Failed {
    if (!result.isObject()) {
      throw new Failed(
          "the patch would turn the document into a JSON "
              + result.getNodeType().name().toLowerCase()
              + "; a document must stay a JSON object");
    }
    return (ObjectNode) result;
  }
}

package dev.cairn.persistence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flipkart.zjsonpatch.CompatibilityFlags;
import com.flipkart.zjsonpatch.JsonPatch;
import dev.cairn.protocol.PatchFormat;
import java.util.EnumSet;

/** Applies a patch of either format to a document's content. */
public final class DocumentPatch {

  /** The patch is malformed, does not apply, or would leave something other than an object. */
  public static final class Failed extends Exception {
    Failed(String message) {
      super(message);
    }
  }

  /** zjsonpatch's defaults are lenient; this asks for the RFC's behaviour (checked by tests). */
  private static final EnumSet<CompatibilityFlags> RFC_6902 =
      EnumSet.of(CompatibilityFlags.FORBID_REMOVE_MISSING_OBJECT);

  private DocumentPatch() {}

  /** The patched content; {@code data} is not modified. */
  public static ObjectNode apply(PatchFormat format, JsonNode patch, ObjectNode data)
      throws Failed {
    JsonNode result =
        switch (format) {
          case MERGE_PATCH -> JsonMergePatch.apply(data, patch);
          case JSON_PATCH -> applyJsonPatch(patch, data);
        };
    if (!result.isObject()) {
      throw new Failed(
          "the patch would turn the document into a JSON "
              + result.getNodeType().name().toLowerCase()
              + "; a document must stay a JSON object");
    }
    return (ObjectNode) result;
  }

  private static JsonNode applyJsonPatch(JsonNode patch, ObjectNode data) throws Failed {
    if (!patch.isArray()) {
      throw new Failed("a JSON Patch (RFC 6902) must be an array of operations");
    }
    try {
      JsonPatch.validate(patch, RFC_6902);
      return JsonPatch.apply(patch, data, RFC_6902);
    } catch (RuntimeException e) {
      // zjsonpatch reports a malformed or inapplicable patch with runtime exceptions.
      throw new Failed(e.getMessage());
    }
  }
}

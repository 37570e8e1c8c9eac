package dev.cairn.protocol;

/** The two patch languages a PATCH may speak, chosen by its content type. */
public enum PatchFormat {
  /** RFC 7396, {@code application/merge-patch+json}. */
  MERGE_PATCH("application/merge-patch+json"),
  /** RFC 6902, {@code application/json-patch+json}. */
  JSON_PATCH("application/json-patch+json");

  private final String mediaType;

  PatchFormat(String mediaType) {
    this.mediaType = mediaType;
  }

  public String mediaType() {
    return mediaType;
  }
}

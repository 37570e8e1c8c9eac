package dev.cairn.protocol.api;

/** The body of {@code POST /v1/{collection}/{id}/revert}. */
public record RevertRequest(Long version) {}

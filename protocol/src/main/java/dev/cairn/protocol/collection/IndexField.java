package dev.cairn.protocol.collection;

/**
 * A declared index: the value at {@code path} (a JSON Pointer into the document's data) of type
 * {@code type}, filterable and sortable in list queries.
 */
public record IndexField(String path, IndexType type) {}

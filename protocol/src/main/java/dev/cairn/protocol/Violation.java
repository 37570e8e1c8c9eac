package dev.cairn.protocol;

/**
 * One reason input was refused: where (a JSON Pointer into the submitted JSON, {@code ""} for the
 * whole of it) and what is wrong there.
 */
public record Violation(String path, String message) implements CairnSerializable {}

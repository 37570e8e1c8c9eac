package dev.cairn.protocol;

/**
 * Marks every message, event and snapshot that leaves an actor: across nodes, into the journal or
 * into the snapshot store. The binding to Jackson CBOR is registered in this module's {@code
 * reference.conf}, so the node and every test agree on it. Nothing in Cairn uses Java
 * serialization.
 */
public interface CairnSerializable {}

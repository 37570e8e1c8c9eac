package dev.cairn.protocol.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A long administrative operation, a read-model rebuild or an import, as any node reports it.
 *
 * @param kind {@code rebuild} or {@code import}
 * @param state {@code running}, {@code cancelling}, {@code cancelled}, {@code done}, {@code
 *     failed}, or {@code abandoned} (its node stopped reporting progress)
 * @param done events handled so far
 * @param total events it will handle
 * @param eventsPerSecond its rate so far
 * @param etaSeconds how long it should still take, while it runs
 * @param result what it produced, once it has ended (an import's report)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OperationView(
    String id,
    String kind,
    JsonNode parameters,
    String state,
    long done,
    long total,
    double fraction,
    double eventsPerSecond,
    Long etaSeconds,
    Instant startedAt,
    Instant finishedAt,
    String message,
    JsonNode result) {}

package dev.cairn.protocol.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An RFC 9457 problem details body.
 *
 * @param currentVersion the document's version when a conditional write was refused
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProblemBody(
    String type, String title, int status, String detail, String instance, Long currentVersion) {}

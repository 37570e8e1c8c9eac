package dev.cairn.protocol.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.cairn.protocol.Violation;
import java.util.List;

/**
 * An RFC 9457 problem details body.
 *
 * @param currentVersion the document's version when a conditional write was refused
 * @param errors each failing path of a schema violation or an invalid definition
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProblemBody(
    String type,
    String title,
    int status,
    String detail,
    String instance,
    Long currentVersion,
    List<Violation> errors) {}

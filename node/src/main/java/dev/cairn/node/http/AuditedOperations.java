package dev.cairn.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.persistence.admin.AuditTrail;
import dev.cairn.persistence.admin.JournalImport;
import dev.cairn.persistence.readmodel.ProjectionAdmin;
import dev.cairn.persistence.readmodel.Rebuilds;
import dev.cairn.protocol.Json;
import dev.cairn.protocol.Problem;
import dev.cairn.protocol.access.Principal;
import dev.cairn.protocol.api.AuditEntry;
import dev.cairn.protocol.api.OperationView;
import java.time.Instant;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Administrative operations as the admin routes answer them: run with the caller and the request
 * id, recorded in the audit trail with their parameters and outcome before they are answered, and
 * their failures turned into problems (an operation's own refusals, bad input found while it
 * streams, a document that did not answer in time; anything else is logged as a bug).
 */
public final class AuditedOperations extends ApiDirectives {

  private static final Logger log = LoggerFactory.getLogger(AuditedOperations.class);

  private final AuditTrail audit;

  public AuditedOperations(AuditTrail audit) {
    this.audit = audit;
  }

  /**
   * Runs {@code operation}, records it and its outcome in the audit trail, and answers with its
   * report (200) or its refusal as a problem.
   */
  Route audited(String operation, JsonNode parameters, Supplier<CompletionStage<JsonNode>> run) {
    return answered(operation, parameters, () -> run.get().thenApply(Answer::done));
  }

  /** What an operation answers when it does not fail. */
  record Answer(StatusCode status, JsonNode body, JsonNode outcome, String location) {

    /** 200 with the operation's report, which the audit trail records as its outcome. */
    static Answer done(JsonNode report) {
      return new Answer(StatusCodes.OK, report, report, null);
    }

    /** 202 with the operation that goes on, to follow at its Location. */
    static Answer accepted(OperationView operation) {
      return new Answer(
          StatusCodes.ACCEPTED,
          Json.mapper().valueToTree(operation),
          Json.mapper().createObjectNode().put("operation", operation.id()),
          "/admin/operations/" + operation.id());
    }
  }

  /**
   * Runs {@code operation}, records it and its outcome in the audit trail, and answers as it says
   * or with its refusal as a problem.
   */
  Route answered(String operation, JsonNode parameters, Supplier<CompletionStage<Answer>> run) {
    return recording(
        (caller, requestId) ->
            run.get()
                .handle(
                    (answer, failure) -> {
                      if (failure == null) {
                        return record(
                                caller,
                                requestId,
                                operation,
                                parameters,
                                answer.status().intValue(),
                                answer.outcome())
                            .thenApply(recorded -> response(answer));
                      }
                      Throwable cause = unwrap(failure);
                      ApiException refusal = refusal(cause);
                      ObjectNode outcome =
                          Json.mapper()
                              .createObjectNode()
                              .put("problem", refusal.problem().slug())
                              .put("detail", refusal.getMessage());
                      if (cause instanceof JournalImport.Malformed malformed) {
                        outcome.set("sofar", Json.mapper().valueToTree(malformed.sofar()));
                      }
                      return record(
                              caller,
                              requestId,
                              operation,
                              parameters,
                              ProblemResponses.status(refusal.problem()).intValue(),
                              outcome)
                          .<HttpResponse>thenApply(
                              recorded -> {
                                throw refusal;
                              });
                    })
                .thenCompose(Function.identity()));
  }

  private static HttpResponse response(Answer answer) {
    HttpResponse response = Responses.json(answer.status(), answer.body());
    return answer.location() == null
        ? response
        : response.addHeader(RawHeader.create("Location", answer.location()));
  }

  /** What a failed operation is answered with. */
  static ApiException refusal(Throwable cause) {
    if (cause instanceof ApiException api) {
      return api;
    }
    if (cause instanceof Rebuilds.AlreadyRunning running) {
      return new ApiException(Problem.OPERATION_RUNNING, running.getMessage());
    }
    if (cause instanceof ProjectionAdmin.StillFailing still) {
      return new ApiException(Problem.STILL_FAILING, still.getMessage());
    }
    if (cause instanceof JournalImport.Malformed malformed) {
      return new ApiException(
          Problem.MALFORMED_JSON,
          malformed.getMessage()
              + "; before it: "
              + malformed.sofar().imported()
              + " imported, "
              + malformed.sofar().skipped()
              + " skipped, "
              + malformed.sofar().conflicting()
              + " conflicting");
    }
    if (cause instanceof org.apache.pekko.stream.scaladsl.Framing.FramingException) {
      return new ApiException(
          Problem.LIMIT_EXCEEDED,
          "a line of the import is longer than a document and its metadata may be"
              + " (cairn.limits.max-document-size): "
              + cause.getMessage());
    }
    if (cause instanceof org.apache.pekko.http.scaladsl.model.IllegalRequestException illegal) {
      return new ApiException(
          Problem.MALFORMED_REQUEST,
          "the body cannot be read (as its Content-Encoding says): " + illegal.info().summary());
    }
    if (isCorruptCompression(cause)) {
      return new ApiException(
          Problem.MALFORMED_REQUEST,
          "the body is not valid gzip (Content-Encoding: gzip): " + cause.getMessage());
    }
    if (cause instanceof java.util.concurrent.TimeoutException) {
      return new ApiException(
          Problem.UNAVAILABLE,
          "a document did not answer in time (CAIRN_ASK_TIMEOUT); what was done is kept, and"
              + " running the operation again is safe");
    }
    log.error("an administrative operation failed", cause);
    return new ApiException(
        Problem.INTERNAL, "the operation failed; it was logged: " + cause.getClass().getName());
  }

  private static boolean isCorruptCompression(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof java.util.zip.ZipException
          || t instanceof java.util.zip.DataFormatException
          || t.getClass().getName().startsWith("org.apache.pekko.http.scaladsl.coding.")) {
        return true;
      }
    }
    return false;
  }

  /** An operation with its caller and request id, answered when its stage completes. */
  Route recording(Operation operation) {
    return principal(
        caller ->
            headerValueByName(
                REQUEST_ID, requestId -> answer(() -> operation.run(caller, requestId))));
  }

  @FunctionalInterface
  interface Operation {
    CompletionStage<HttpResponse> run(Principal caller, String requestId);
  }

  CompletionStage<Void> record(
      Principal caller,
      String requestId,
      String operation,
      JsonNode parameters,
      int status,
      JsonNode outcome) {
    return audit
        .record(
            new AuditEntry(
                Instant.now(), caller.subject(), requestId, operation, parameters, status, outcome))
        .handle(
            (done, failure) -> {
              if (failure != null) {
                log.error(
                    "the audit trail did not record {} {} by {}",
                    operation,
                    requestId,
                    caller.subject(),
                    failure);
              }
              return null;
            });
  }

  static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}

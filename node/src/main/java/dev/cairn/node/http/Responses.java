package dev.cairn.node.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.cairn.persistence.readmodel.ReadModel;
import dev.cairn.protocol.Document;
import dev.cairn.protocol.DocumentKey;
import dev.cairn.protocol.Json;
import dev.cairn.protocol.Problem;
import dev.cairn.protocol.command.Preconditions;
import dev.cairn.protocol.reply.DocumentReply;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * The API's answers: JSON bodies, a document with its ETag, a document entity's reply as a
 * response, and how current a list from the read model is. A refusal becomes an {@link
 * ApiException}, with the advice in HTTP's terms that the entity, which knows nothing of HTTP,
 * leaves to the front door.
 */
final class Responses {

  static final String READ_MODEL_LAG = "Cairn-Read-Model-Lag";
  static final String READ_MODEL_STUCK = "Cairn-Read-Model-Stuck";
  static final String READ_MODEL_MEASURED_AT = "Cairn-Read-Model-Measured-At";

  private Responses() {}

  static HttpResponse json(StatusCode status, Object body) {
    try {
      return HttpResponse.create()
          .withStatus(status)
          .withEntity(ContentTypes.APPLICATION_JSON, Json.mapper().writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("response bodies always render", e);
    }
  }

  static String etag(long version) {
    return ConditionalHeaders.etag(version);
  }

  /** A body with the ETag of its version. */
  static HttpResponse tagged(StatusCode status, Object body, long version) {
    return json(status, body).addHeader(RawHeader.create("ETag", etag(version)));
  }

  /** A write's answer: 201 with Location when it created the document, else 200. */
  static HttpResponse written(DocumentKey key, Preconditions preconditions, DocumentReply reply) {
    return reply.accept(
        new Replies(key, preconditions) {
          @Override
          public HttpResponse written(DocumentReply.Written written) {
            Document document = written.document();
            HttpResponse response =
                tagged(
                    written.created() ? StatusCodes.CREATED : StatusCodes.OK,
                    document,
                    document.version());
            return written.created()
                ? response.addHeader(
                    RawHeader.create(
                        "Location", "/v1/" + document.collection() + "/" + document.id()))
                : response;
          }
        });
  }

  /** A read's answer: the document, or 304 when the client's {@code If-None-Match} matches. */
  static HttpResponse current(DocumentKey key, DocumentReply reply, Optional<String> ifNoneMatch) {
    return reply.accept(
        new Replies(key, Preconditions.NONE) {
          @Override
          public HttpResponse found(DocumentReply.Found found) {
            long version = found.document().version();
            if (ConditionalHeaders.notModified(ifNoneMatch, version)) {
              return HttpResponse.create()
                  .withStatus(StatusCodes.NOT_MODIFIED)
                  .addHeader(RawHeader.create("ETag", etag(version)));
            }
            return tagged(StatusCodes.OK, found.document(), version);
          }
        });
  }

  /**
   * A past state: the document at a version or instant, 404 if there was none or it was deleted.
   */
  static HttpResponse past(Optional<Document> past, String missing) {
    Document document =
        past.orElseThrow(() -> new ApiException(Problem.VERSION_NOT_FOUND, missing));
    if (document.deleted()) {
      throw new ApiException(
          Problem.DELETED,
          document.collection()
              + "/"
              + document.id()
              + " was deleted at that point (version "
              + document.version()
              + ")");
    }
    return tagged(StatusCodes.OK, document, document.version());
  }

  /**
   * A list answered from the read model says how current it is: {@code Cairn-Read-Model-Lag}, and
   * {@code Cairn-Read-Model-Stuck} naming the slices that cannot move on (their documents' later
   * changes are missing until they do; {@code /health/read-model} says why).
   */
  static HttpResponse withFreshness(HttpResponse response, ReadModel.Freshness freshness) {
    HttpResponse withLag =
        response
            .addHeader(RawHeader.create(READ_MODEL_LAG, Long.toString(freshness.lagMillis())))
            .addHeader(RawHeader.create(READ_MODEL_MEASURED_AT, freshness.measuredAt().toString()));
    return freshness.stuckSlices().isEmpty()
        ? withLag
        : withLag.addHeader(
            RawHeader.create(READ_MODEL_STUCK, String.join(", ", freshness.stuckSlices())));
  }

  /**
   * A refusal of a request on {@code key} with {@code preconditions}, with what to do about it in
   * HTTP's terms, for the problems whose remedy is an HTTP request.
   */
  static ApiException refused(
      DocumentKey key, Preconditions preconditions, DocumentReply.Rejected rejected) {
    return new ApiException(
        rejected.problem(),
        rejected.detail() + advice(rejected.problem(), preconditions, key.collection()),
        rejected.currentVersion(),
        rejected.violations());
  }

  /**
   * What a client does about a refusal of a request with {@code preconditions} to a document or
   * definition of {@code collection}, for the problems whose remedy is an HTTP request.
   */
  static String advice(Problem problem, Preconditions preconditions, String collection) {
    return switch (problem) {
      case VERSION_MISMATCH ->
          preconditions.mustExist()
              ? "; If-Match: * asks for one that exists"
              : "; read it again and retry with its current ETag";
      case DELETED -> "; a PUT creates it again";
      case IDEMPOTENCY_KEY_REUSED -> "; use a new Idempotency-Key for a new request";
      case NOT_REVERTIBLE -> "; revert to a version where the document existed, or DELETE it";
      case UNDEFINED_COLLECTION -> "; define it with PUT /v1/_collections/" + collection;
      default -> "";
    };
  }

  /**
   * Every reply is an answer or a refusal; the methods a response does not expect for its request
   * are refusals (a retried write's first result is the facade's to resolve, never a route's).
   */
  private abstract static class Replies implements DocumentReply.Visitor<HttpResponse> {
    private final DocumentKey key;
    private final Preconditions preconditions;

    Replies(DocumentKey key, Preconditions preconditions) {
      this.key = key;
      this.preconditions = preconditions;
    }

    @Override
    public HttpResponse written(DocumentReply.Written written) {
      throw new IllegalStateException("a read answered as a write: " + written);
    }

    @Override
    public HttpResponse alreadyWritten(DocumentReply.AlreadyWritten alreadyWritten) {
      throw new IllegalStateException("the facade resolves retried writes: " + alreadyWritten);
    }

    @Override
    public HttpResponse found(DocumentReply.Found found) {
      throw new IllegalStateException("a write answered as a read: " + found);
    }

    @Override
    public HttpResponse rejected(DocumentReply.Rejected rejected) {
      throw refused(key, preconditions, rejected);
    }
  }
}

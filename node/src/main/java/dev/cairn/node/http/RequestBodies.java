package dev.cairn.node.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.persistence.JsonLimits;
import dev.cairn.protocol.PatchFormat;
import dev.cairn.protocol.Problem;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.util.ByteString;

/**
 * Reads request bodies: bounded in size and in the time they take to arrive, of an accepted content
 * type, and parsed as JSON within {@link JsonLimits}. Every way a body can be wrong becomes an
 * {@link ApiException} naming what to fix.
 */
public final class RequestBodies {

  /** A body read in full, with its media type, ready to parse. */
  record Body(String mediaType, ByteString bytes) {}

  private final JsonLimits limits;
  private final ClassicActorSystemProvider system;

  public RequestBodies(JsonLimits limits, ClassicActorSystemProvider system) {
    this.limits = limits;
    this.system = system;
  }

  /**
   * The body as an unmarshaller for Pekko's {@code entity} directive: read whole, failing with 413
   * past the limit, 408 if it is slow, 415 unless its media type is one of {@code accepted}. Its
   * failures are {@link ApiException}s, rendered by the front door's one rejection handler.
   */
  Unmarshaller<HttpEntity, Body> accepting(String... accepted) {
    return Unmarshaller.async(entity -> read(entity, accepted));
  }

  private CompletionStage<Body> read(HttpEntity entity, String... accepted) {
    MediaType mediaType = entity.getContentType().mediaType();
    String name = mediaType.mainType() + "/" + mediaType.subType();
    if (Arrays.stream(accepted).noneMatch(name::equalsIgnoreCase)) {
      throw new ApiException(
          Problem.UNSUPPORTED_MEDIA_TYPE,
          "Content-Type "
              + name
              + " is not accepted here; send "
              + String.join(" or ", accepted)
              + (entity.isKnownEmpty() ? " with a body" : ""));
    }
    long maxBytes = limits.settings().maxBodySize();
    if (entity.getContentLengthOption().orElse(0L) > maxBytes) {
      throw new ApiException(
          Problem.BODY_TOO_LARGE,
          "the body is larger than the limit of "
              + maxBytes
              + " bytes (cairn.limits.max-body-size)");
    }
    if (entity.isStrict()) {
      // Already whole, and within the limit (its length is its Content-Length, checked above).
      // Pekko HTTP's toStrict with a byte limit runs a stream even for a strict entity: a tenth of
      // what a write allocated (an allocation profile of bench/run's write scenario).
      return CompletableFuture.completedFuture(
          new Body(name.toLowerCase(), ((HttpEntity.Strict) entity).getData()));
    }
    long timeout = limits.settings().bodyReadTimeout().toMillis();
    return entity
        .toStrict(timeout, maxBytes, system)
        .handle(
            (strict, failure) -> {
              if (failure == null) {
                return new Body(name.toLowerCase(), strict.getData());
              }
              if (unwrap(failure) instanceof TimeoutException) {
                throw new ApiException(
                    Problem.REQUEST_TIMEOUT,
                    "the body did not arrive within "
                        + timeout
                        + " ms (cairn.limits.body-read-timeout); send as many bytes as"
                        + " Content-Length announces");
              }
              throw new CompletionException(unwrap(failure));
            });
  }

  /** The body as a JSON object: 400 if it is not JSON, 422 if it is JSON but not an object. */
  ObjectNode object(Body body) {
    JsonNode json = parse(body);
    if (!json.isObject()) {
      throw new ApiException(
          Problem.NOT_AN_OBJECT,
          "the body is a JSON " + typeName(json) + "; a document must be a JSON object {...}");
    }
    return (ObjectNode) json;
  }

  /** The body as a patch of the format its content type names. */
  JsonNode patch(Body body, PatchFormat format) {
    JsonNode json = parse(body);
    if (format == PatchFormat.JSON_PATCH && !json.isArray()) {
      throw new ApiException(
          Problem.INVALID_PATCH,
          "a JSON Patch (RFC 6902) is an array of operations such as"
              + " [{\"op\":\"replace\",\"path\":\"/title\",\"value\":\"x\"}], not a JSON "
              + typeName(json));
    }
    return json;
  }

  JsonLimits limits() {
    return limits;
  }

  private JsonNode parse(Body body) {
    if (body.bytes().isEmpty()) {
      throw new ApiException(Problem.MALFORMED_JSON, "the body is empty; send a JSON document");
    }
    try {
      return limits.parse(body.bytes().toArray());
    } catch (JsonLimits.Exceeded e) {
      throw new ApiException(e.problem(), e.getMessage());
    } catch (JsonProcessingException e) {
      throw new ApiException(
          Problem.MALFORMED_JSON,
          "the body is not valid JSON: " + e.getOriginalMessage() + location(e));
    } catch (IOException e) {
      throw new ApiException(Problem.MALFORMED_JSON, "the body is not valid JSON");
    }
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
  }

  private static String location(JsonProcessingException e) {
    return e.getLocation() == null
        ? ""
        : " (line "
            + e.getLocation().getLineNr()
            + ", column "
            + e.getLocation().getColumnNr()
            + ")";
  }

  private static String typeName(JsonNode json) {
    return json.getNodeType().name().toLowerCase();
  }
}

package dev.cairn.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The one place that builds JSON mappers for API bodies. (Messages and events are serialized by
 * Pekko's own Jackson serializer, configured in HOCON.)
 */
public final class Json {

  private static final ObjectMapper MAPPER = builder(JsonFactory.builder().build()).build();

  private Json() {}

  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /**
   * A mapper for what clients send: it reads like {@link #mapper()}, refuses anything beyond {@code
   * constraints} while it parses (before a deep or long value is ever built), and refuses an object
   * that names a member twice, which JSON parsers disagree about.
   */
  public static ObjectMapper clientInputMapper(StreamReadConstraints constraints) {
    return builder(JsonFactory.builder().streamReadConstraints(constraints).build())
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
        .build();
  }

  private static JsonMapper.Builder builder(JsonFactory factory) {
    return JsonMapper.builder(factory)
        .addModule(new JavaTimeModule())
        .addModule(new IsoInstants())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .serializationInclusion(JsonInclude.Include.ALWAYS);
  }
}

package dev.cairn.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.typesafe.config.ConfigFactory;
import dev.cairn.protocol.IsoInstants;
import dev.cairn.protocol.event.DocumentEvent;
import dev.cairn.protocol.event.EventMetadata;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Pekko's CBOR serializer writes and reads events' instants with {@link IsoInstants}. */
class IsoInstantsBindingTest {

  private static ActorTestKit kit;

  @BeforeAll
  static void start() {
    kit =
        ActorTestKit.create(
            ConfigFactory.parseResourcesAnySyntax("cairn-serialization")
                .withFallback(ConfigFactory.load())
                .resolve());
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  @Test
  void eventsCarryTheSameTextThroughIsoInstants() throws Exception {
    Instant at = Instant.parse("2026-12-07T01:58:42.123456Z");
    DocumentEvent event =
        new DocumentEvent.Created(
            JsonNodeFactory.instance.objectNode().put("n", 1),
            new EventMetadata(at, "req", "alice", null, null, null, null, null));
    Serialization serialization = SerializationExtension.get(kit.system());

    byte[] bytes = serialization.serialize(event).get();

    assertThat(new String(bytes, StandardCharsets.ISO_8859_1))
        .contains("2026-12-07T01:58:42.123456Z");
    assertThat(
            serialization
                .deserialize(
                    bytes,
                    serialization.findSerializerFor(event).identifier(),
                    manifest(serialization, event))
                .get())
        .isEqualTo(event);
    ObjectMapper cbor =
        JacksonObjectMapperProvider.get(kit.system()).getOrCreate("jackson-cbor", Optional.empty());
    assertThat(
            cbor.getSerializerProviderInstance()
                .findValueSerializer(Instant.class)
                .getClass()
                .getName())
        .as("the CBOR mapper's Instant serializer")
        .startsWith(IsoInstants.class.getName());
  }

  private static String manifest(Serialization serialization, Object event) {
    return org.apache.pekko.serialization.Serializers.manifestFor(
        serialization.findSerializerFor(event), event);
  }
}

package dev.cairn.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.protocol.access.Principal;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The id a POST with an Idempotency-Key creates. */
class GeneratedIdsTest {

  @Test
  void theSameKeyOfTwoPrincipalsNamesTwoDocuments() {
    assertThat(DocumentRoutes.generatedId("notes", "alice", "k1"))
        .isNotEqualTo(DocumentRoutes.generatedId("notes", "bob", "k1"))
        .isEqualTo(DocumentRoutes.generatedId("notes", "alice", "k1"));
  }

  @Test
  void anAnonymousKeyNamesTheDocumentItNamedBeforePrincipalsExisted() {
    String before = UUID.nameUUIDFromBytes("notes\nk1".getBytes(StandardCharsets.UTF_8)).toString();

    assertThat(DocumentRoutes.generatedId("notes", Principal.ANONYMOUS_SUBJECT, "k1"))
        .isEqualTo(before);
  }
}

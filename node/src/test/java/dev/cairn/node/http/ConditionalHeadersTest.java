package dev.cairn.node.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.protocol.command.Preconditions;
import java.util.List;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.junit.jupiter.api.Test;

/** How If-Match and If-None-Match become preconditions, without a server. */
class ConditionalHeadersTest {

  @Test
  void noHeadersMeanNoPreconditions() {
    assertThat(ConditionalHeaders.forWrite(HttpRequest.PUT("/x"))).isEqualTo(Preconditions.NONE);
  }

  @Test
  void ifMatchListsBecomeExpectedVersions() {
    var preconditions = ConditionalHeaders.forWrite(with("If-Match", "\"3\", \"5\""));

    assertThat(preconditions.expectedVersions()).containsExactly(3L, 5L);
    assertThat(preconditions.mustExist()).isFalse();
  }

  @Test
  void weakOrForeignTagsInIfMatchNeverMatch() {
    var preconditions = ConditionalHeaders.forWrite(with("If-Match", "W/\"3\", \"abc\""));

    assertThat(preconditions.expectedVersions()).containsExactly(-1L, -1L);
  }

  @Test
  void starsMeanExistsAndDoesNotExist() {
    assertThat(ConditionalHeaders.forWrite(with("If-Match", "*")).mustExist()).isTrue();
    assertThat(ConditionalHeaders.forWrite(with("If-None-Match", "*")))
        .isEqualTo(new Preconditions(List.of(), false, true));
  }

  @Test
  void anIfNoneMatchTagOnAWriteIsRefused() {
    assertThatThrownBy(() -> ConditionalHeaders.forWrite(with("If-None-Match", "\"3\"")))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("only *");
  }

  @Test
  void anUnquotedTagIsRefusedWithTheExpectedForm() {
    assertThatThrownBy(() -> ConditionalHeaders.forWrite(with("If-Match", "3")))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("\"3\"");
  }

  @Test
  void aGetIsNotModifiedWhenAnyTagMatchesWeaklyOrStrongly() {
    assertThat(ConditionalHeaders.notModified(with("If-None-Match", "\"2\", W/\"4\""), 4)).isTrue();
    assertThat(ConditionalHeaders.notModified(with("If-None-Match", "\"2\""), 2)).isTrue();
    assertThat(ConditionalHeaders.notModified(with("If-None-Match", "*"), 9)).isTrue();
    assertThat(ConditionalHeaders.notModified(with("If-None-Match", "\"2\""), 3)).isFalse();
    assertThat(ConditionalHeaders.notModified(HttpRequest.GET("/x"), 3)).isFalse();
  }

  private static HttpRequest with(String name, String value) {
    return HttpRequest.PUT("/x").addHeader(RawHeader.create(name, value));
  }
}

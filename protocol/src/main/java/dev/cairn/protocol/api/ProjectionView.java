package dev.cairn.protocol.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One projection of the journal and how each of its instances (slices) stands.
 *
 * @param deadLetters events parked because the projection could not handle them
 */
public record ProjectionView(String name, List<Slice> slices, int deadLetters) {

  /**
   * One instance.
   *
   * @param state {@code running}, {@code paused} or {@code failed}
   * @param offset the newest journal offset it has applied
   * @param newestOffset the newest journal offset among its events
   * @param lagEvents its events not applied yet
   * @param lagMillis how long the oldest of them has waited
   * @param eventsPerSecond the events it applied per second, measured between this listing and the
   *     node's previous one (at least a second and at most a minute before; the first listing on a
   *     node measures over one second); absent when it could not be measured
   * @param lastError why it failed, while it is failing
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Slice(
      String slice,
      String state,
      long offset,
      long newestOffset,
      long lagEvents,
      long lagMillis,
      Double eventsPerSecond,
      String lastError) {}
}

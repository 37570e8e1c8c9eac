package dev.cairn.node.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.cairn.config.CairnSettings;
import dev.cairn.protocol.access.Principal;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * How many requests each caller may make ({@code cairn.limits.rate-limit}): a token bucket per
 * caller, refilled greedily at the configured rate, holding at most the burst. A caller is the
 * subject of its token; without one (or with authentication off) it is its address as the TCP
 * connection shows it, which no header can change. Each node counts for itself.
 */
public final class RateLimits {

  /** Callers whose buckets a node keeps; the least recently seen are forgotten first. */
  static final long MAX_CALLERS = 100_000;

  private final CairnSettings.RateLimit limit;
  private final Cache<String, Bucket> buckets;

  public RateLimits(CairnSettings.RateLimit limit) {
    this.limit = limit;
    // A bucket idle for longer than it takes to refill is full again: forgetting it loses nothing.
    Duration refill =
        limit.on()
            ? limit.period().multipliedBy(limit.burst() / limit.requests() + 1)
            : Duration.ZERO;
    this.buckets = Caffeine.newBuilder().maximumSize(MAX_CALLERS).expireAfterAccess(refill).build();
  }

  /** How long {@code caller} must wait before its next request, or empty if it may make it now. */
  Optional<Duration> waitFor(Principal caller, InetAddress address) {
    if (!limit.on()) {
      return Optional.empty();
    }
    String key =
        caller.authenticated() && !caller.subject().equals(Principal.ANONYMOUS_SUBJECT)
            ? "sub:" + caller.subject()
            : "address:" + address.getHostAddress();
    ConsumptionProbe probe = buckets.get(key, k -> bucket()).tryConsumeAndReturnRemaining(1);
    return probe.isConsumed()
        ? Optional.empty()
        : Optional.of(Duration.ofNanos(probe.getNanosToWaitForRefill()));
  }

  private Bucket bucket() {
    return Bucket.builder()
        .addLimit(
            Bandwidth.builder()
                .capacity(limit.burst())
                .refillGreedy(limit.requests(), limit.period())
                .build())
        .build();
  }
}

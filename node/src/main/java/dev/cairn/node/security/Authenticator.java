package dev.cairn.node.security;

import dev.cairn.config.CairnSettings;
import dev.cairn.protocol.access.Principal;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who a request comes from, from its {@code Authorization} header only: a token in a query string
 * would end up in access logs and browser histories, so none is read there.
 */
public final class Authenticator {

  /** Why a request's credentials were refused. */
  public enum Reason {
    /** Credentials of another kind than a bearer token. */
    NOT_A_BEARER_TOKEN,
    /** A bearer token this node does not accept. */
    INVALID_TOKEN,
    /** The keys to check the token with cannot be fetched now. */
    KEYS_UNAVAILABLE
  }

  /** The header does not hold a token this node accepts, or cannot check now. */
  public static final class Refused extends Exception {
    private final Reason reason;

    Refused(String message, Reason reason) {
      super(message, null, false, false);
      this.reason = reason;
    }

    public Reason reason() {
      return reason;
    }
  }

  private static final Logger log = LoggerFactory.getLogger(Authenticator.class);
  private static final String BEARER = "bearer ";

  private final CairnSettings.Auth.Mode mode;
  private final TokenVerifier verifier;

  private Authenticator(CairnSettings.Auth.Mode mode, TokenVerifier verifier) {
    this.mode = mode;
    this.verifier = verifier;
  }

  public static Authenticator of(CairnSettings.Auth auth, TokenVerifier verifier) {
    return new Authenticator(auth.mode(), verifier);
  }

  /** Every request is an administrator: for a node on loopback with {@code CAIRN_AUTH=none}. */
  public static Authenticator none() {
    return new Authenticator(CairnSettings.Auth.Mode.NONE, null);
  }

  public Principal principal(Optional<String> authorization) throws Refused {
    if (mode == CairnSettings.Auth.Mode.NONE) {
      return Principal.UNCHECKED_ADMINISTRATOR;
    }
    if (authorization.isEmpty()) {
      return Principal.ANONYMOUS;
    }
    String value = authorization.get().strip();
    if (!value.toLowerCase(Locale.ROOT).startsWith(BEARER)) {
      throw new Refused(
          "only bearer tokens are accepted: Authorization: Bearer <JWT>",
          Reason.NOT_A_BEARER_TOKEN);
    }
    try {
      return verifier.verify(value.substring(BEARER.length()).strip());
    } catch (TokenVerifier.Invalid invalid) {
      // The reason helps an operator; the token itself is never logged.
      log.debug("refused a bearer token: {}", invalid.getMessage());
      throw new Refused(
          "the bearer token is not valid: it may have expired, not be valid yet, or not be signed"
              + " by a key this server trusts",
          Reason.INVALID_TOKEN);
    } catch (TokenVerifier.KeysUnavailable unavailable) {
      log.warn("cannot check bearer tokens: {}", unavailable.getMessage());
      throw new Refused(
          "the keys that bearer tokens are checked with cannot be fetched now; retry after the"
              + " Retry-After delay",
          Reason.KEYS_UNAVAILABLE);
    }
  }
}

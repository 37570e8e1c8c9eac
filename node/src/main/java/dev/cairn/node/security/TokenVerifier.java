package dev.cairn.node.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.typesafe.config.ConfigException;
import dev.cairn.config.CairnSettings;
import dev.cairn.protocol.access.Principal;
import java.io.File;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies bearer tokens (signed JWTs) with nimbus-jose-jwt and says whose they are.
 *
 * <p>The accepted algorithms follow from the key: HS256 for a shared secret; RS256 for RSA and
 * ES256 for EC keys of a JWKS file or URL. So {@code alg: none} is refused, and so is a token
 * signed with HS256 and the RSA public key as its secret. A token that brings its own key or a
 * place to fetch one ({@code jwk}, {@code jku}, {@code x5u}, {@code x5c}) is refused before any key
 * is looked up, as is one with a critical header this verifier does not know and one whose {@code
 * kid} names no key. {@code exp} and {@code sub} are required, {@code nbf} is honoured, both within
 * the configured clock skew; {@code iss} and {@code aud} are checked exactly when configured. A
 * JWKS URL is fetched through nimbus' {@code JWKSourceBuilder}: cached, refreshed at a limited
 * rate, and used from the cache while the URL does not answer.
 */
public final class TokenVerifier {

  /** The token is not one this node accepts; why is for the log, never for the client. */
  public static final class Invalid extends Exception {
    Invalid(String reason) {
      super(reason, null, false, false);
    }
  }

  /**
   * The token cannot be checked now: the JWKS URL does not answer and no key is cached. Not the
   * client's fault, so not a 401.
   */
  public static final class KeysUnavailable extends Exception {
    KeysUnavailable(String reason) {
      super(reason, null, false, false);
    }
  }

  /** Tokens longer than this are refused unread (headers are at most 8 KiB anyway). */
  static final int MAX_TOKEN_LENGTH = 8192;

  /** How long the keys last fetched from a JWKS URL verify tokens while the URL does not answer. */
  static final java.time.Duration KEYS_KEPT_IN_AN_OUTAGE = java.time.Duration.ofHours(1);

  private static final Logger log = LoggerFactory.getLogger(TokenVerifier.class);

  private final DefaultJWTProcessor<SecurityContext> processor;
  private final List<String> rolesClaim;

  private TokenVerifier(DefaultJWTProcessor<SecurityContext> processor, String rolesClaim) {
    this.processor = processor;
    this.rolesClaim = List.of(rolesClaim.split("\\."));
  }

  /**
   * A verifier for the node's settings.
   *
   * @param generatedSecret the cluster's own secret, asked for only when no key is configured
   */
  public static TokenVerifier of(CairnSettings.Auth auth, Supplier<String> generatedSecret) {
    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(keys(auth, generatedSecret));
    Set<String> required = Set.of("exp", "sub");
    JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
    if (!auth.issuer().isEmpty()) {
      exact.issuer(auth.issuer());
    }
    DefaultJWTClaimsVerifier<SecurityContext> claims =
        new DefaultJWTClaimsVerifier<>(
            auth.audience().isEmpty() ? null : Set.of(auth.audience()),
            exact.build(),
            required,
            null);
    claims.setMaxClockSkew((int) auth.clockSkew().toSeconds());
    processor.setJWTClaimsSetVerifier(claims);
    return new TokenVerifier(processor, auth.rolesClaim());
  }

  /** Whose token this is. */
  public Principal verify(String token) throws Invalid, KeysUnavailable {
    if (token.length() > MAX_TOKEN_LENGTH) {
      throw new Invalid("longer than " + MAX_TOKEN_LENGTH + " characters");
    }
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(token);
    } catch (ParseException e) {
      throw new Invalid("not a signed JWT: " + e.getMessage());
    }
    JWSHeader header = jwt.getHeader();
    if (header.getJWK() != null
        || header.getJWKURL() != null
        || header.getX509CertURL() != null
        || header.getX509CertChain() != null) {
      throw new Invalid("the token names its own key (jwk, jku, x5u or x5c)");
    }
    JWTClaimsSet claims;
    try {
      claims = processor.process(jwt, null);
    } catch (KeySourceException e) {
      throw new KeysUnavailable(e.getMessage());
    } catch (BadJOSEException | JOSEException e) {
      throw new Invalid(e.getMessage());
    }
    return new Principal(claims.getSubject(), roles(claims), true);
  }

  private Set<String> roles(JWTClaimsSet claims) throws Invalid {
    Object value = claims.getClaim(rolesClaim.get(0));
    for (String step : rolesClaim.subList(1, rolesClaim.size())) {
      value = value instanceof Map<?, ?> object ? object.get(step) : null;
    }
    if (value == null) {
      return Set.of();
    }
    if (!(value instanceof List<?> list)) {
      throw new Invalid("the roles claim is not an array");
    }
    Set<String> roles = new HashSet<>();
    for (Object role : list) {
      if (!(role instanceof String name)) {
        throw new Invalid("the roles claim holds something other than strings");
      }
      roles.add(name);
    }
    return roles;
  }

  private static JWSVerificationKeySelector<SecurityContext> keys(
      CairnSettings.Auth auth, Supplier<String> generatedSecret) {
    if (!auth.jwksFile().isEmpty()) {
      JWKSet set;
      try {
        set = JWKSet.load(new File(auth.jwksFile()));
      } catch (IOException | ParseException e) {
        throw new ConfigException.BadValue(
            "cairn.auth.jwt.jwks-file",
            "CAIRN_JWKS_FILE " + auth.jwksFile() + " is not a JWKS file: " + e.getMessage());
      }
      return new JWSVerificationKeySelector<>(algorithmsOf(set), new ImmutableJWKSet<>(set));
    }
    if (!auth.jwksUrl().isEmpty()) {
      JWKSource<SecurityContext> source;
      try {
        source =
            JWKSourceBuilder.<SecurityContext>create(URI.create(auth.jwksUrl()).toURL())
                .refreshAheadCache(true)
                .retrying(true)
                .outageTolerant(KEYS_KEPT_IN_AN_OUTAGE.toMillis())
                .build();
      } catch (MalformedURLException | IllegalArgumentException e) {
        throw new ConfigException.BadValue(
            "cairn.auth.jwt.jwks-url",
            "CAIRN_JWKS_URL " + auth.jwksUrl() + " is not a URL: " + e.getMessage());
      }
      return new JWSVerificationKeySelector<>(
          Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256), source);
    }
    String secret = auth.secret().isEmpty() ? generatedSecret.get() : auth.secret();
    return new JWSVerificationKeySelector<>(
        JWSAlgorithm.HS256, new ImmutableSecret<>(secret.getBytes(StandardCharsets.UTF_8)));
  }

  /** RS256 for RSA keys, ES256 for EC keys: what each key may verify, and nothing else. */
  private static Set<JWSAlgorithm> algorithmsOf(JWKSet set) {
    Set<JWSAlgorithm> algorithms = new LinkedHashSet<>();
    for (JWK key : set.getKeys()) {
      if (key instanceof RSAKey) {
        algorithms.add(JWSAlgorithm.RS256);
      } else if (key instanceof ECKey) {
        algorithms.add(JWSAlgorithm.ES256);
      } else {
        log.warn("ignoring a key of type {} in the JWKS file", key.getKeyType());
      }
    }
    if (algorithms.isEmpty()) {
      throw new ConfigException.BadValue(
          "cairn.auth.jwt.jwks-file", "the JWKS file holds no RSA or EC public key");
    }
    return algorithms;
  }
}

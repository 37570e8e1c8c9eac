package dev.cairn.node.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/** Mints HS256 tokens with a node's secret: what {@code bin/cairn token} prints. */
public final class Tokens {

  private Tokens() {}

  public static String hs256(
      String secret,
      String subject,
      List<String> roles,
      Duration ttl,
      String rolesClaim,
      String issuer,
      String audience) {
    Instant now = Instant.now();
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .subject(subject)
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plus(ttl)));
    if (!issuer.isEmpty()) {
      claims.issuer(issuer);
    }
    if (!audience.isEmpty()) {
      claims.audience(audience);
    }
    if (!rolesClaim.contains(".")) {
      claims.claim(rolesClaim, roles);
    }
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
    try {
      jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (JOSEException e) {
      throw new IllegalStateException("an HS256 secret of 32 bytes or more always signs", e);
    }
    return jwt.serialize();
  }
}

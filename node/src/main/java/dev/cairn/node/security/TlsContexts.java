package dev.cairn.node.security;

import com.typesafe.config.ConfigException;
import dev.cairn.config.CairnSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;
import org.apache.pekko.pki.pem.DERPrivateKeyLoader;
import org.apache.pekko.pki.pem.PEMDecoder;

/**
 * HTTPS for the front door, from the node's PEM certificate and key (read with Pekko's own PEM
 * tools, as Artery's TLS reads them) or a PKCS#12 keystore. TLS 1.3 and 1.2 only.
 */
public final class TlsContexts {

  /** What a client may negotiate: nothing older than TLS 1.2 (RFC 8996 deprecates 1.0 and 1.1). */
  static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private TlsContexts() {}

  /**
   * The front door's TLS, from {@code tls}; a key or certificate that cannot be read stops start.
   */
  public static HttpsConnectionContext https(CairnSettings.Tls tls) {
    SSLContext context = context(tls);
    return ConnectionContext.httpsServer(
        () -> {
          SSLEngine engine = context.createSSLEngine();
          engine.setUseClientMode(false);
          engine.setEnabledProtocols(PROTOCOLS);
          return engine;
        });
  }

  static SSLContext context(CairnSettings.Tls tls) {
    try {
      KeyStore keys = tls.keystore().isEmpty() ? fromPem(tls) : fromPkcs12(tls);
      char[] password = tls.keystorePassword().toCharArray();
      KeyManagerFactory managers =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      managers.init(keys, tls.keystore().isEmpty() ? new char[0] : password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(managers.getKeyManagers(), null, null);
      return context;
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new ConfigException.BadValue(
          "cairn.tls",
          "the TLS certificate and key cannot be used: "
              + (e.getMessage() == null ? e.toString() : e.getMessage()));
    }
  }

  private static KeyStore fromPem(CairnSettings.Tls tls)
      throws IOException, GeneralSecurityException {
    PrivateKey key =
        DERPrivateKeyLoader.load(
            PEMDecoder.decode(Files.readString(Path.of(tls.key()), StandardCharsets.US_ASCII)));
    List<? extends Certificate> chain;
    try (InputStream in = Files.newInputStream(Path.of(tls.cert()))) {
      chain = List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
    }
    if (chain.isEmpty()) {
      throw new GeneralSecurityException(tls.cert() + " holds no certificate");
    }
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("cairn", key, new char[0], chain.toArray(Certificate[]::new));
    return keys;
  }

  private static KeyStore fromPkcs12(CairnSettings.Tls tls)
      throws IOException, GeneralSecurityException {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(Path.of(tls.keystore()))) {
      keys.load(in, tls.keystorePassword().toCharArray());
    }
    return keys;
  }
}

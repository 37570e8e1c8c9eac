package dev.cairn.node;

import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A CA and a node certificate signed by it, made for one test: RSA (what Artery's PEM engine
 * reads), valid for {@code 127.0.0.1} and {@code localhost}, written as PEM files and a PKCS#12
 * keystore.
 */
final class TestCertificates {

  static final String KEYSTORE_PASSWORD = "keystore-password";

  final Path caCert;
  final Path nodeCert;
  final Path nodeKey;
  final Path keystore;
  private final X509Certificate ca;

  private TestCertificates(
      Path caCert, Path nodeCert, Path nodeKey, Path keystore, X509Certificate ca) {
    this.caCert = caCert;
    this.nodeCert = nodeCert;
    this.nodeKey = nodeKey;
    this.keystore = keystore;
    this.ca = ca;
  }

  static TestCertificates create(Path dir) throws Exception {
    Files.createDirectories(dir);
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    KeyPair caKeys = rsa.generateKeyPair();
    KeyPair nodeKeys = rsa.generateKeyPair();
    X500Name caName = new X500Name("CN=Cairn test CA");
    Instant now = Instant.now();
    Date from = Date.from(now.minus(Duration.ofHours(1)));
    Date until = Date.from(now.plus(Duration.ofDays(1)));

    JcaX509v3CertificateBuilder caBuilder =
        new JcaX509v3CertificateBuilder(
            caName, BigInteger.ONE, from, until, caName, caKeys.getPublic());
    caBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    caBuilder.addExtension(
        Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    X509Certificate ca = sign(caBuilder, caKeys);

    JcaX509v3CertificateBuilder nodeBuilder =
        new JcaX509v3CertificateBuilder(
            caName,
            BigInteger.TWO,
            from,
            until,
            new X500Name("CN=cairn-node"),
            nodeKeys.getPublic());
    nodeBuilder.addExtension(
        Extension.subjectAlternativeName,
        false,
        new GeneralNames(
            new GeneralName[] {
              new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
              new GeneralName(GeneralName.dNSName, "localhost")
            }));
    X509Certificate node = sign(nodeBuilder, caKeys);

    Path caCert = pem(dir.resolve("ca.crt"), "CERTIFICATE", ca.getEncoded());
    Path nodeCert = pem(dir.resolve("node.crt"), "CERTIFICATE", node.getEncoded());
    Path nodeKey = pem(dir.resolve("node.key"), "PRIVATE KEY", nodeKeys.getPrivate().getEncoded());
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry(
        "node",
        nodeKeys.getPrivate(),
        KEYSTORE_PASSWORD.toCharArray(),
        new Certificate[] {node, ca});
    Path keystore = dir.resolve("node.p12");
    try (OutputStream out = Files.newOutputStream(keystore)) {
      store.store(out, KEYSTORE_PASSWORD.toCharArray());
    }
    return new TestCertificates(caCert, nodeCert, nodeKey, keystore, ca);
  }

  /** A client's TLS that trusts the CA and nothing else. */
  SSLContext trustingTheCa() throws Exception {
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("ca", ca);
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder builder, KeyPair issuer)
      throws Exception {
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuer.getPrivate())));
  }

  private static Path pem(Path file, String type, byte[] der) throws Exception {
    String body = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der);
    Files.writeString(
        file, "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n");
    return file;
  }
}

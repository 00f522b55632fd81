package dev.jent.integration;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A P-256 key pair with a self-signed certificate for 127.0.0.1, kept in BCFKS key stores, all
 * made by BCFIPS at run time so that no key material has to ship with the project.
 */
public final class SelfSignedIdentity {

  /** The alias of the key entry and of the trusted certificate. */
  public static final String ALIAS = "jent-loopback";

  /** Approved-mode PBKDF2 refuses passwords shorter than 14 characters. */
  public static final int MINIMUM_PASSWORD_LENGTH = 14;

  private static final String BCFIPS = "BCFIPS";
  private static final String BCFKS = "BCFKS";

  private final KeyStore keyStore;
  private final KeyStore trustStore;
  private final X509Certificate certificate;
  private final char[] password;

  private SelfSignedIdentity(
      KeyStore keyStore, KeyStore trustStore, X509Certificate certificate, char[] password) {
    this.keyStore = keyStore;
    this.trustStore = trustStore;
    this.certificate = certificate;
    this.password = password.clone();
  }

  /**
   * Generates the key pair and certificate and stores them in a BCFKS file, then reads that
   * file back, so the key store actually goes through BCFKS's password-based protection.
   *
   * @param keyStoreFile where to write the BCFKS key store (overwritten)
   * @param password protects the store and the key entry; at least 14 characters
   * @return the identity, with key and trust stores as loaded from disk
   * @throws GeneralSecurityException if BCFIPS refuses an operation
   * @throws IOException if the file cannot be written or read
   */
  public static SelfSignedIdentity create(Path keyStoreFile, char[] password)
      throws GeneralSecurityException, IOException {
    if (password.length < MINIMUM_PASSWORD_LENGTH) {
      throw new IllegalArgumentException("BCFKS password has " + password.length
          + " characters; approved mode needs at least " + MINIMUM_PASSWORD_LENGTH);
    }

    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", BCFIPS);
    generator.initialize(new ECGenParameterSpec("P-256"));
    KeyPair keyPair = generator.generateKeyPair();
    X509Certificate certificate = selfSign(keyPair);

    KeyStore fresh = KeyStore.getInstance(BCFKS, BCFIPS);
    fresh.load(null, null);
    fresh.setKeyEntry(ALIAS, keyPair.getPrivate(), password, new Certificate[] {certificate});
    try (OutputStream out = Files.newOutputStream(keyStoreFile)) {
      fresh.store(out, password);
    }

    KeyStore reloaded = KeyStore.getInstance(BCFKS, BCFIPS);
    try (InputStream in = Files.newInputStream(keyStoreFile)) {
      reloaded.load(in, password);
    }
    if (!reloaded.isKeyEntry(ALIAS)) {
      throw new IllegalStateException("BCFKS store " + keyStoreFile + " lost its key entry");
    }
    X509Certificate stored = (X509Certificate) reloaded.getCertificate(ALIAS);

    KeyStore trust = KeyStore.getInstance(BCFKS, BCFIPS);
    trust.load(null, null);
    trust.setCertificateEntry(ALIAS, stored);
    return new SelfSignedIdentity(reloaded, trust, stored, password);
  }

  /** @return the BCFKS key store holding the private key and its certificate */
  public KeyStore keyStore() {
    return keyStore;
  }

  /** @return a BCFKS store trusting only this identity's certificate */
  public KeyStore trustStore() {
    return trustStore;
  }

  /** @return the self-signed certificate */
  public X509Certificate certificate() {
    return certificate;
  }

  /** @return a copy of the password of the key store and the key entry */
  public char[] password() {
    return password.clone();
  }

  private static X509Certificate selfSign(KeyPair keyPair) throws GeneralSecurityException {
    X500Name name = new X500Name("CN=jent loopback test");
    long now = System.currentTimeMillis();
    Date notBefore = new Date(now - TimeUnit.MINUTES.toMillis(5));
    Date notAfter = new Date(now + TimeUnit.DAYS.toMillis(1));
    BigInteger serial = new BigInteger(63, new SecureRandom()).add(BigInteger.ONE);

    try {
      JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
          name, serial, notBefore, notAfter, name, keyPair.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true,
          new KeyUsage(KeyUsage.digitalSignature));
      builder.addExtension(Extension.subjectAlternativeName, false,
          new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));

      ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA")
          .setProvider(BCFIPS)
          .build(keyPair.getPrivate());
      X509CertificateHolder holder = builder.build(signer);
      return new JcaX509CertificateConverter().setProvider(BCFIPS).getCertificate(holder);
    } catch (OperatorCreationException | IOException e) {
      throw new GeneralSecurityException("cannot build the self-signed certificate", e);
    }
  }
}

package dev.jent.integration.probe;

import dev.jent.integration.JentCounters;
import dev.jent.integration.LoopbackTls;
import dev.jent.integration.SelfSignedIdentity;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Generates a P-256 identity in a BCFKS file and runs two full TLS 1.3 handshakes between a
 * BCJSSE client and server over 127.0.0.1, under the profile.
 */
public final class TlsProbe {

  private TlsProbe() {}

  /**
   * @param args ignored
   * @throws Exception any failure ends the probe with a stack trace and status 1
   */
  public static void main(String[] args) throws Exception {
    Probes.requireStrongSource();
    JentCounters atStart = JentCounters.read();

    Path keyStoreFile = Files.createTempFile("jent-loopback", ".bcfks");
    try {
      SelfSignedIdentity identity = SelfSignedIdentity.create(
          keyStoreFile, "loopback-store-password".toCharArray());
      Probes.print("keystore.type", identity.keyStore().getType());
      Probes.print("keystore.provider", identity.keyStore().getProvider().getName());
      Probes.print("certificate.signature", identity.certificate().getSigAlgName());

      try (LoopbackTls tls = new LoopbackTls(identity)) {
        Probes.print("tls.server.provider", tls.serverProviderName());
        Probes.print("tls.client.provider", tls.clientProviderName());
        for (int round = 1; round <= 2; round++) {
          LoopbackTls.Handshake handshake = tls.handshake();
          Probes.print("tls." + round + ".protocol", handshake.protocol());
          Probes.print("tls." + round + ".cipher", handshake.cipherSuite());
        }
      }
    } finally {
      Files.deleteIfExists(keyStoreFile);
    }

    JentCounters atEnd = JentCounters.read();
    Probes.print("jent.requests.start", atStart.requests());
    Probes.print("jent.requests.end", atEnd.requests());
  }
}

package dev.jent.integration;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jent.integration.probe.TlsProbe;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** BCJSSE client and server complete TLS 1.3 over loopback with a BCFKS identity. */
class TlsHandshakeTest {

  @ParameterizedTest
  @EnumSource(BcFipsSet.class)
  void bcjsseCompletesTls13HandshakesUnderTheProfile(BcFipsSet bcFips) throws Exception {
    FreshJvm.Result child = FreshJvm.with(bcFips).run(TlsProbe.class.getName());
    assertEquals(0, child.exitCode, child::describe);

    assertAll(
        () -> assertEquals("BCFKS", child.value("keystore.type")),
        () -> assertEquals("BCFIPS", child.value("keystore.provider")),
        () -> assertEquals("SHA256WITHECDSA",
            child.value("certificate.signature").toUpperCase(java.util.Locale.ROOT)),
        () -> assertEquals("BCJSSE", child.value("tls.server.provider")),
        () -> assertEquals("BCJSSE", child.value("tls.client.provider")),
        () -> assertEquals("TLSv1.3", child.value("tls.1.protocol")),
        () -> assertEquals("TLSv1.3", child.value("tls.2.protocol")),
        () -> assertTrue(child.value("tls.1.cipher").startsWith("TLS_AES_"),
            child::describe),
        () -> assertTrue(Long.parseLong(child.value("jent.requests.end"))
                > Long.parseLong(child.value("jent.requests.start")),
            "the handshakes' DRBGs must have been seeded from JENT\n"
                + child.describe()));
  }
}

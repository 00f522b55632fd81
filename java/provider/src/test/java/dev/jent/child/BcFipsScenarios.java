package dev.jent.child;

import dev.jent.Jent;
import dev.jent.JentEntropySourceProvider;
import dev.jent.JentProvider;
import java.security.SecureRandom;
import java.security.Security;
import org.bouncycastle.crypto.fips.FipsDRBG;
import org.bouncycastle.crypto.fips.FipsSecureRandom;
import org.bouncycastle.jcajce.provider.BouncyCastleFipsProvider;

/** Probe scenarios with bc-fips on the class path; kept apart so Probe loads without it. */
final class BcFipsScenarios {
  private BcFipsScenarios() {}

  /** BCFIPS first, JENT named as the strong source: BCFIPS's default DRBG is seeded by JENT. */
  static void serve() {
    installBcFipsThenJent();
    SecureRandom random = new SecureRandom();
    Probe.check(random.getProvider().getName().equals("BCFIPS"), "default is not BCFIPS");
    random.nextBytes(new byte[64]);
    String status = Jent.statusJson();
    Probe.check(!status.contains("\"generate_seed\":{\"requests\":0"), "BCFIPS did not ask JENT");

    byte[] nonce = new byte[16];
    random.nextBytes(nonce);
    FipsSecureRandom drbg =
        FipsDRBG.SHA512
            .fromEntropySource(new JentEntropySourceProvider())
            .setSecurityStrength(256)
            .setEntropyBitsRequired(256)
            .build(nonce, true);
    drbg.nextBytes(new byte[32]);
    status = Jent.statusJson();
    Probe.check(
        !status.contains("\"entropy_source_provider\":{\"requests\":0"),
        "FipsDRBG did not use the EntropySourceProvider");
    System.out.println("BCFIPS SEEDED FROM JENT: " + status);
  }

  /**
   * BCFIPS first, JENT named as the strong source but without a usable native library: the first
   * BCFIPS random fails loudly, naming the JENT failure, and never recurses.
   */
  static void unavailable() {
    installBcFipsThenJent();
    Throwable failure = null;
    try {
      new SecureRandom().nextBytes(new byte[32]);
    } catch (Throwable e) {
      failure = e;
    }
    Probe.check(failure != null, "BCFIPS produced output without an entropy source");
    boolean namesJent = false;
    for (Throwable t = failure; t != null; t = t.getCause()) {
      Probe.check(!(t instanceof StackOverflowError), "StackOverflowError: recursion into BCFIPS");
      String message = String.valueOf(t.getMessage());
      namesJent |= message.contains("JENT native library could not be loaded");
    }
    Probe.check(namesJent, "the failure does not name the JENT load failure");
    System.out.println("BCFIPS FAILS LOUDLY: " + failure);
  }

  private static void installBcFipsThenJent() {
    // bc-fips 2.1.x on x86_64 would otherwise seed from RDSEED through its own native code.
    System.setProperty("org.bouncycastle.native.cpu_variant", "java");
    Security.setProperty("securerandom.strongAlgorithms", "ENTROPY:JENT");
    Security.insertProviderAt(new BouncyCastleFipsProvider(), 1);
    Security.insertProviderAt(new JentProvider(), 2);
  }
}

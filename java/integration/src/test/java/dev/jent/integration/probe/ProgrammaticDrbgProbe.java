package dev.jent.integration.probe;

import dev.jent.JentEntropySourceProvider;
import dev.jent.integration.JentCounters;
import java.util.Arrays;
import org.bouncycastle.crypto.CryptoServicesRegistrar;
import org.bouncycastle.crypto.EntropySource;
import org.bouncycastle.crypto.fips.FipsDRBG;
import org.bouncycastle.crypto.fips.FipsSecureRandom;

/**
 * Builds a BCFIPS SHA-512 Hash DRBG straight from JENT's {@code EntropySourceProvider}, with no
 * java.security profile and no JCA provider registration, and reports what it drew.
 */
public final class ProgrammaticDrbgProbe {

  private ProgrammaticDrbgProbe() {}

  /**
   * @param args ignored
   * @throws Exception any failure ends the probe with a stack trace and status 1
   */
  public static void main(String[] args) throws Exception {
    Probes.print("approved.only", CryptoServicesRegistrar.isInApprovedOnlyMode());
    JentCounters atStart = JentCounters.read();

    JentEntropySourceProvider entropy = new JentEntropySourceProvider();
    // SP 800-90A 8.6.7: the nonce carries at least half the security strength.
    EntropySource nonceSource = entropy.get(128);
    byte[] nonce = nonceSource.getEntropy();
    Probes.print("nonce.bytes", nonce.length);

    FipsSecureRandom drbg = FipsDRBG.SHA512
        .fromEntropySource(entropy)
        .setSecurityStrength(256)
        .setEntropyBitsRequired(256)
        .build(nonce, true);
    Probes.print("drbg.class", drbg.getClass().getName());
    Probes.print("drbg.algorithm", drbg.getAlgorithm());
    Probes.print("drbg.security.strength", drbg.getSecurityStrength());
    Probes.print("drbg.prediction.resistant", drbg.isPredictionResistant());
    JentCounters afterBuild = JentCounters.read();

    byte[] first = new byte[64];
    byte[] second = new byte[64];
    drbg.nextBytes(first);
    drbg.nextBytes(second);
    JentCounters afterUse = JentCounters.read();

    Probes.print("output.distinct", !Arrays.equals(first, second));
    Probes.print("output.nonzero", !Arrays.equals(first, new byte[first.length]));
    Probes.print("jent.requests.start", atStart.requests());
    Probes.print("jent.requests.after.build", afterBuild.requests());
    Probes.print("jent.requests.after.use", afterUse.requests());
    Probes.print("jent.bytes.start", atStart.bytes());
    Probes.print("jent.bytes.after.use", afterUse.bytes());
  }
}

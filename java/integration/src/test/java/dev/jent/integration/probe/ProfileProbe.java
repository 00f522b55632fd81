package dev.jent.integration.probe;

import dev.jent.integration.JentCounters;
import java.security.DrbgParameters;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import javax.crypto.Cipher;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.crypto.CryptoServicesRegistrar;
import org.bouncycastle.jcajce.provider.BouncyCastleFipsProvider;

/**
 * Reports how a JVM started with only the profile is wired: providers, strong and default
 * SecureRandom, approved mode, key store and key manager defaults, and JENT's counters around
 * BCFIPS's first DRBG seedings.
 */
public final class ProfileProbe {

  private ProfileProbe() {}

  /**
   * @param args ignored
   * @throws Exception any failure ends the probe with a stack trace and status 1
   */
  public static void main(String[] args) throws Exception {
    Probes.requireStrongSource();

    // Before any BCFIPS SecureRandom exists: creating one seeds a DRBG.
    JentCounters atStart = JentCounters.read();

    Provider[] providers = Security.getProviders();
    for (int i = 0; i < providers.length; i++) {
      Probes.print("provider." + (i + 1), providers[i].getName());
    }
    Probes.print("bcfips.jar", BouncyCastleFipsProvider.class.getProtectionDomain()
        .getCodeSource().getLocation().getPath());
    Probes.print("approved.only", CryptoServicesRegistrar.isInApprovedOnlyMode());
    Probes.print("native.enabled", Probes.nativeEnabled());
    Probes.print("native.random.service", Probes.nativeRandomService());

    SecureRandom strong = SecureRandom.getInstanceStrong();
    Probes.print("strong", strong.getAlgorithm() + "/" + strong.getProvider().getName());

    SecureRandom defaultRandom = new SecureRandom();
    Probes.print("default",
        defaultRandom.getAlgorithm() + "/" + defaultRandom.getProvider().getName());
    defaultRandom.nextBytes(new byte[32]);
    JentCounters afterDefault = JentCounters.read();

    SecureRandom newDrbg = SecureRandom.getInstance("DEFAULT", DrbgParameters.instantiation(
        256, DrbgParameters.Capability.PR_AND_RESEED, null), "BCFIPS");
    newDrbg.nextBytes(new byte[32]);
    JentCounters afterNewDrbg = JentCounters.read();

    Probes.print("jent.requests.start", atStart.requests());
    Probes.print("jent.bytes.start", atStart.bytes());
    Probes.print("jent.requests.after.default", afterDefault.requests());
    Probes.print("jent.bytes.after.default", afterDefault.bytes());
    Probes.print("jent.requests.after.new.drbg", afterNewDrbg.requests());
    Probes.print("jent.bytes.after.new.drbg", afterNewDrbg.bytes());
    Probes.print("jent.status", afterNewDrbg.statusJson());

    Probes.print("keystore.default.type", KeyStore.getDefaultType());
    Probes.print("keystore.default.provider",
        KeyStore.getInstance(KeyStore.getDefaultType()).getProvider().getName());
    Probes.print("kmf.default", KeyManagerFactory.getDefaultAlgorithm() + "/"
        + KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm())
            .getProvider().getName());
    Probes.print("tmf.default", TrustManagerFactory.getDefaultAlgorithm() + "/"
        + TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm())
            .getProvider().getName());
    Probes.print("aes.gcm.provider",
        Cipher.getInstance("AES/GCM/NoPadding").getProvider().getName());

    // Approved-only mode in action: BCFIPS does not hand out MD5 then.
    String md5;
    try {
      md5 = MessageDigest.getInstance("MD5", "BCFIPS").getProvider().getName();
    } catch (NoSuchAlgorithmException refused) {
      md5 = "refused";
    }
    Probes.print("bcfips.md5", md5);
  }
}

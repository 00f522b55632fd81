package dev.jent.demo;

import dev.jent.integration.JentCounters;
import dev.jent.integration.StrongSourceCheck;
import java.lang.reflect.Method;
import java.security.DrbgParameters;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import org.bouncycastle.crypto.CryptoServicesRegistrar;

/**
 * Shows, in a JVM started with the jent-fips java.security profile, that Bouncy Castle FIPS is
 * in charge of cryptography and that its entropy comes from JENT.
 *
 * <p>It prints the provider chain, approved-only mode, the strong and default SecureRandom,
 * the JENT status, and then the proof: JENT's counters before and after BCFIPS seeds its
 * default DRBG and a newly built DRBG. The exit status is 0 only if both steps drew from JENT;
 * otherwise it names the step that did not and exits with 1. It exits with 2 if the profile is
 * not wired up at all (JENT missing) and with 3 if JENT is installed but cannot deliver (for
 * example its native library does not load): BCFIPS then has no seed, and says so.
 */
public final class ShowEntropy {

  private static final int EXIT_NOT_FROM_JENT = 1;
  private static final int EXIT_MISCONFIGURED = 2;
  private static final int EXIT_NO_ENTROPY = 3;
  private static final int SEED_STRENGTH_BITS = 256;

  private ShowEntropy() {}

  /**
   * Runs the demonstration.
   *
   * @param args ignored
   * @throws GeneralSecurityException if BCFIPS cannot build a DRBG
   */
  public static void main(String[] args) throws GeneralSecurityException {
    // Checked before anything touches SecureRandom: with the JENT jar missing, BCFIPS would
    // otherwise seed itself from itself until the stack overflows.
    String strongSource;
    try {
      strongSource = StrongSourceCheck.verify();
    } catch (IllegalStateException e) {
      System.out.println("ERROR: " + e.getMessage());
      System.exit(EXIT_MISCONFIGURED);
      return;
    }

    // Read first: creating any BCFIPS SecureRandom already seeds a DRBG.
    JentCounters atStart = JentCounters.read();

    System.out.println("== JENT entropy for Bouncy Castle FIPS ==");
    System.out.println("runtime:   Java " + System.getProperty("java.version") + " ("
        + System.getProperty("java.vendor") + "), " + System.getProperty("os.name")
        + " " + System.getProperty("os.arch"));
    String profile = System.getProperty("java.security.properties");
    System.out.println("profile:   " + describeProfile(profile));
    printProviders();
    System.out.println("approved-only mode:  " + CryptoServicesRegistrar.isInApprovedOnlyMode());
    System.out.println("bc-fips native code: " + nativeCodeState());
    System.out.println("strong source:       " + StrongSourceCheck.STRONG_ALGORITHMS + " -> "
        + strongSource);
    SecureRandom strong = SecureRandom.getInstanceStrong();
    System.out.println("getInstanceStrong(): " + describe(strong));
    System.out.println("JENT status at start: " + atStart.statusJson());
    System.out.println();

    System.out.println("Proof that BCFIPS's entropy comes from JENT (JENT counters):");
    try {
      proveSeedsComeFromJent(atStart);
    } catch (RuntimeException e) {
      // An entropy source that cannot vouch for its output makes BCFIPS fail; the demo
      // reports that plainly instead of a stack trace.
      System.out.println("ERROR: BCFIPS could not get its seed from JENT: " + e.getMessage());
      for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
        System.out.println("  caused by: " + cause);
      }
      System.exit(EXIT_NO_ENTROPY);
    }
  }

  private static void proveSeedsComeFromJent(JentCounters atStart)
      throws GeneralSecurityException {

    // Step 1: the default SecureRandom everyone gets. Its first use seeds one of BCFIPS's
    // pooled default DRBGs, on bc-fips 2.1.x x86_64 only through JENT if the native code is off.
    JentCounters beforeDefault = JentCounters.read();
    SecureRandom defaultRandom = new SecureRandom();
    defaultRandom.nextBytes(new byte[32]);
    JentCounters afterDefault = JentCounters.read();
    boolean defaultFromJent = afterDefault.roseSince(beforeDefault);
    System.out.println("  1. new SecureRandom() = " + describe(defaultRandom)
        + ", first nextBytes(32):");
    System.out.println("     " + beforeDefault + " -> " + afterDefault + "  "
        + verdict(defaultFromJent));

    // Step 2: a DRBG built on request, 256-bit with prediction resistance.
    JentCounters beforeNew = JentCounters.read();
    SecureRandom newDrbg = SecureRandom.getInstance("DEFAULT", DrbgParameters.instantiation(
        SEED_STRENGTH_BITS, DrbgParameters.Capability.PR_AND_RESEED, null), "BCFIPS");
    newDrbg.nextBytes(new byte[32]);
    JentCounters afterNew = JentCounters.read();
    boolean newFromJent = afterNew.roseSince(beforeNew);
    System.out.println("  2. new BCFIPS DRBG (" + SEED_STRENGTH_BITS
        + "-bit, prediction resistance) = " + describe(newDrbg) + ", nextBytes(32):");
    System.out.println("     " + beforeNew + " -> " + afterNew + "  " + verdict(newFromJent));
    System.out.println();

    JentCounters atEnd = JentCounters.read();
    System.out.println("JENT status at end: " + atEnd.statusJson());
    if (defaultFromJent && newFromJent) {
      System.out.println("RESULT: BCFIPS drew " + (atEnd.requests() - atStart.requests())
          + " requests / " + (atEnd.bytes() - atStart.bytes())
          + " bytes of seed from JENT.");
      return;
    }
    System.out.println("RESULT: FAILED - BCFIPS seeded "
        + (defaultFromJent ? "a new DRBG" : "its default DRBG")
        + " without asking JENT. On bc-fips 2.1.x (x86_64) check that the profile sets"
        + " org.bouncycastle.native.cpu_variant=java.");
    System.exit(EXIT_NOT_FROM_JENT);
  }

  private static void printProviders() {
    System.out.println("providers:");
    Provider[] providers = Security.getProviders();
    for (int i = 0; i < providers.length; i++) {
      Provider provider = providers[i];
      System.out.println("  " + (i + 1) + ". " + provider.getName() + " "
          + provider.getVersionStr() + "  (" + provider.getClass().getName() + ")");
    }
  }

  // "-Djava.security.properties==FILE" arrives here as "=FILE".
  private static String describeProfile(String property) {
    if (property == null) {
      return "none (the runtime's own java.security)";
    }
    if (property.startsWith("=")) {
      return property.substring(1) + " (replaces the runtime's java.security)";
    }
    return property + " (merged into the runtime's java.security)";
  }

  private static String describe(SecureRandom random) {
    return random.getAlgorithm() + " from " + random.getProvider().getName();
  }

  private static String verdict(boolean fromJent) {
    return fromJent ? "[rose: seeded from JENT]" : "[unchanged: NOT seeded from JENT]";
  }

  // bc-fips 2.0.0, which this class is compiled against, has no native code and no
  // isNativeEnabled(); 2.1.x has both, so the method is looked up at run time.
  private static String nativeCodeState() {
    try {
      Method isNativeEnabled = CryptoServicesRegistrar.class.getMethod("isNativeEnabled");
      boolean enabled = (Boolean) isNativeEnabled.invoke(null);
      return enabled ? "enabled (RDRAND/RDSEED may bypass JENT)" : "disabled";
    } catch (NoSuchMethodException e) {
      return "none in this bc-fips version";
    } catch (ReflectiveOperationException e) {
      return "unknown (" + e + ")";
    }
  }
}

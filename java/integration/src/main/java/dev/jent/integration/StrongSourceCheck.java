package dev.jent.integration;

import java.security.Provider;
import java.security.Security;

/**
 * Checks, before anything asks for random numbers, that the JVM's strong entropy source is
 * installed and is not Bouncy Castle FIPS itself.
 *
 * <p>BCFIPS seeds every DRBG from {@code SecureRandom.getInstanceStrong()}. When no entry of
 * {@code securerandom.strongAlgorithms} can be served (typically because the JENT jar is not on
 * the class path, which the JDK skips without a word), bc-fips 2.0.0 and 2.1.x fall back to
 * {@code new SecureRandom()}, which is BCFIPS's own DRBG: the seeding code calls itself until
 * the thread dies of a {@link StackOverflowError}. No java.security setting can prevent that,
 * so programs run under the profile call {@link #verify()} first and get a plain error
 * instead.
 */
public final class StrongSourceCheck {

  /** The JDK security property BCFIPS takes its seed source from. */
  public static final String STRONG_ALGORITHMS = "securerandom.strongAlgorithms";

  private static final String BCFIPS = "BCFIPS";

  private StrongSourceCheck() {}

  /**
   * Returns the first {@code ALGORITHM:PROVIDER} entry of {@code securerandom.strongAlgorithms}
   * whose provider is installed and offers that SecureRandom algorithm.
   *
   * <p>Reads only security properties and the provider list; it creates no SecureRandom.
   *
   * @return the entry {@code SecureRandom.getInstanceStrong()} will use, e.g. "ENTROPY:JENT"
   * @throws IllegalStateException if the property is unset, names BCFIPS, is malformed, or
   *     none of its entries is installed; the message says which and what to fix
   */
  public static String verify() {
    String configured = Security.getProperty(STRONG_ALGORITHMS);
    if (configured == null || configured.trim().isEmpty()) {
      throw new IllegalStateException(STRONG_ALGORITHMS + " is not set: BCFIPS would seed"
          + " itself from its own DRBG and recurse until the stack overflows."
          + " Run with -Djava.security.properties==<jent-fips.java.security>.");
    }

    StringBuilder missing = new StringBuilder();
    for (String rawEntry : configured.split(",")) {
      String entry = rawEntry.trim();
      int colon = entry.indexOf(':');
      if (colon <= 0 || colon == entry.length() - 1) {
        throw new IllegalStateException(STRONG_ALGORITHMS + " entry '" + entry
            + "' is not of the form ALGORITHM:PROVIDER");
      }
      String algorithm = entry.substring(0, colon).trim();
      String providerName = entry.substring(colon + 1).trim();

      // BCFIPS as its own seed source is the recursion described above.
      if (BCFIPS.equals(providerName)) {
        throw new IllegalStateException(STRONG_ALGORITHMS + " entry '" + entry
            + "' names BCFIPS: BCFIPS cannot seed itself (endless recursion)."
            + " Name the entropy source, e.g. ENTROPY:JENT.");
      }

      Provider provider = Security.getProvider(providerName);
      if (provider != null && provider.getService("SecureRandom", algorithm) != null) {
        return algorithm + ":" + providerName;
      }
      missing.append(missing.length() == 0 ? "" : ", ").append(entry);
    }

    throw new IllegalStateException("None of " + STRONG_ALGORITHMS + "=" + configured
        + " is installed (missing: " + missing + "). The JDK skips a provider class it"
        + " cannot load without any message: is jent-provider.jar on the class path,"
        + " and security.provider.N=dev.jent.JentProvider in the profile? Without it"
        + " BCFIPS would seed itself from itself until the stack overflows.");
  }
}

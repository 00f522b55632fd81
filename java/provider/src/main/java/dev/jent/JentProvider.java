package dev.jent;

import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.util.List;
import java.util.Map;

/**
 * The JCA provider {@code JENT}, offering the {@code SecureRandom} algorithm {@code ENTROPY}:
 * conditioned, full-entropy output of the JENT CPU-jitter collector (a port of jitterentropy 3.7.0
 * with its SP 800-90B health tests).
 *
 * <p>It is meant to be the source of {@code SecureRandom.getInstanceStrong()}, which is where
 * Bouncy Castle FIPS Java takes its seed material from:
 *
 * <pre>
 * security.provider.N=dev.jent.JentProvider
 * securerandom.strongAlgorithms=ENTROPY:JENT
 * </pre>
 *
 * <p>The constructor never throws and does not touch the native library, because the JDK silently
 * skips a provider whose constructor throws, and Bouncy Castle would then fall back to its own DRBG
 * and recurse. The library is loaded on first use; if that fails, the provider stays registered and
 * every request throws a {@link java.security.ProviderException} naming the cause.
 */
public final class JentProvider extends Provider {
  private static final long serialVersionUID = 1L;

  /** The provider name, {@value}. */
  public static final String NAME = "JENT";

  /** The {@code SecureRandom} algorithm name, {@value}. */
  public static final String ALGORITHM = "ENTROPY";

  /** The provider version, {@value}. */
  public static final String VERSION = "0.1.0";

  /** Creates the provider; never throws and loads nothing. */
  public JentProvider() {
    super(
        NAME,
        VERSION,
        "JENT "
            + VERSION
            + ": SP 800-90B CPU-jitter entropy (jitterentropy 3.7.0 in Rust) as"
            + " SecureRandom."
            + ALGORITHM
            + ", for securerandom.strongAlgorithms");
    putService(new EntropyService(this));
  }

  /** Builds the SPI directly: no reflection, so it also works from a named module. */
  private static final class EntropyService extends Service {
    EntropyService(Provider provider) {
      super(
          provider,
          "SecureRandom",
          ALGORITHM,
          JentSecureRandomSpi.class.getName(),
          List.of(),
          Map.of("ThreadSafe", "true"));
    }

    @Override
    public Object newInstance(Object constructorParameter) throws NoSuchAlgorithmException {
      if (constructorParameter != null) {
        throw new NoSuchAlgorithmException(
            "SecureRandom."
                + ALGORITHM
                + " takes no SecureRandomParameters, got "
                + constructorParameter);
      }
      return new JentSecureRandomSpi();
    }
  }
}

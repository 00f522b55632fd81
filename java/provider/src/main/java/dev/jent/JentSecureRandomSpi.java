package dev.jent;

import java.security.SecureRandomSpi;
import java.util.Objects;

/**
 * {@code SecureRandom.ENTROPY} of the {@code JENT} provider: every call returns fresh conditioned
 * output of a JENT collector; nothing is buffered, derived or reused. The instance holds no state,
 * so it is safe to share between threads.
 *
 * <p>Requests are limited to {@link Jent#MAX_REQUEST_BYTES} bytes; a failure of the source throws a
 * {@link JentException} (a {@link java.security.ProviderException}) and leaves the caller's array
 * untouched.
 */
final class JentSecureRandomSpi extends SecureRandomSpi {
  private static final long serialVersionUID = 1L;

  /**
   * Accepts and ignores the seed: adds nothing to the collector, whose output depends only on its
   * own noise. Seeding cannot weaken or strengthen this source.
   *
   * @throws NullPointerException if {@code seed} is null
   */
  @Override
  protected void engineSetSeed(byte[] seed) {
    Objects.requireNonNull(seed, "seed");
  }

  /** Fills {@code bytes} with fresh entropy, or throws and leaves it untouched. */
  @Override
  protected void engineNextBytes(byte[] bytes) {
    Engine.get().fill(bytes, Engine.Caller.NEXT_BYTES);
  }

  /** Returns {@code numBytes} fresh bytes of full entropy. */
  @Override
  protected byte[] engineGenerateSeed(int numBytes) {
    return Engine.get().generate(numBytes, Engine.Caller.GENERATE_SEED);
  }

  @Override
  public String toString() {
    return JentProvider.NAME + " " + JentProvider.ALGORITHM;
  }
}

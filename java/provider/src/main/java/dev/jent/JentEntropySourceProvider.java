package dev.jent;

import org.bouncycastle.crypto.EntropySource;
import org.bouncycastle.crypto.EntropySourceProvider;

/**
 * JENT entropy for Bouncy Castle FIPS DRBG builders, without going through the JCA:
 *
 * <pre>
 * FipsSecureRandom random = FipsDRBG.SHA512
 *     .fromEntropySource(new JentEntropySourceProvider())
 *     .setSecurityStrength(256)
 *     .setEntropyBitsRequired(256)
 *     .build(nonce, true);
 * </pre>
 *
 * <p>Each {@link EntropySource#getEntropy()} returns {@code ceil(bitsRequired / 8)} fresh bytes of
 * full entropy; the sources are prediction resistant. This is the only class that needs bc-fips on
 * the class or module path.
 */
public final class JentEntropySourceProvider implements EntropySourceProvider {
  /** Creates the provider; loads nothing until the first {@code getEntropy()}. */
  public JentEntropySourceProvider() {}

  /**
   * Returns a source of {@code bitsRequired} bits per call.
   *
   * @throws IllegalArgumentException if {@code bitsRequired} is not positive or asks for more than
   *     {@link Jent#MAX_REQUEST_BYTES} bytes
   */
  @Override
  public EntropySource get(int bitsRequired) {
    if (bitsRequired <= 0 || (bitsRequired + 7L) / 8 > Engine.MAX_REQUEST_BYTES) {
      throw new IllegalArgumentException(
          "bitsRequired must be from 1 to "
              + Engine.MAX_REQUEST_BYTES * 8L
              + ", was "
              + bitsRequired);
    }
    return new Source(bitsRequired);
  }

  private static final class Source implements EntropySource {
    private final int bits;

    Source(int bits) {
      this.bits = bits;
    }

    @Override
    public boolean isPredictionResistant() {
      return true;
    }

    @Override
    public byte[] getEntropy() {
      return Engine.get().generate((bits + 7) / 8, Engine.Caller.ENTROPY_SOURCE_PROVIDER);
    }

    @Override
    public int entropySize() {
      return bits;
    }
  }
}

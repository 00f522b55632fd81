/**
 * JENT: SP 800-90B CPU-jitter entropy (a Rust port of jitterentropy 3.7.0) as a JCA provider.
 *
 * <p>The provider {@code JENT} offers the {@code SecureRandom} algorithm {@code ENTROPY}, meant to
 * be named in {@code securerandom.strongAlgorithms} so that Bouncy Castle FIPS Java seeds its DRBGs
 * from it. {@link dev.jent.JentEntropySourceProvider} serves the same entropy to {@code FipsDRBG}
 * builders directly; it is the only class that needs bc-fips, so bc-fips is an optional ({@code
 * static}) dependency and the provider works without it.
 */
module dev.jent.provider {
  requires java.logging;
  requires static transitive org.bouncycastle.fips.core;

  exports dev.jent;

  provides java.security.Provider with
      dev.jent.JentProvider;
}

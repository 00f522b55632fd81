package dev.jent.integration.probe;

import java.security.SecureRandom;

/**
 * Uses the default SecureRandom with no preflight check and reports what happened, so a test
 * can show what BCFIPS does on its own when its seed source is missing.
 */
public final class UnguardedRandomProbe {

  private UnguardedRandomProbe() {}

  /**
   * @param args ignored
   */
  public static void main(String[] args) {
    try {
      SecureRandom random = new SecureRandom();
      random.nextBytes(new byte[32]);
      Probes.print("outcome", "bytes from " + random.getProvider().getName());
    } catch (StackOverflowError recursion) {
      // Reported, not rethrown: the test wants to see it by name, not as a crash.
      Probes.print("outcome", recursion.getClass().getName());
    } catch (RuntimeException e) {
      Probes.print("outcome", e.getClass().getName() + ": " + e.getMessage());
    }
  }
}

package dev.jent.integration.probe;

import dev.jent.integration.StrongSourceCheck;
import java.lang.reflect.Method;
import org.bouncycastle.crypto.CryptoServicesRegistrar;

/** What the probe programs share: their {@code key=value} output and the preflight. */
final class Probes {

  /** Exit status of a probe whose preflight found the profile not wired up. */
  static final int EXIT_MISCONFIGURED = 2;

  private Probes() {}

  static void print(String key, Object value) {
    System.out.println(key + "=" + value);
  }

  /** Runs the strong-source check; on failure prints it and ends the JVM with status 2. */
  static void requireStrongSource() {
    try {
      print("strong.check", StrongSourceCheck.verify());
    } catch (IllegalStateException e) {
      print("strong.check.error", e.getMessage());
      System.exit(EXIT_MISCONFIGURED);
    }
  }

  /**
   * @return "true"/"false" for bc-fips 2.1.x, "absent" for 2.0.0, which has no native code
   *     and no {@code isNativeEnabled()} (the probes are compiled against 2.0.0)
   */
  static String nativeEnabled() throws ReflectiveOperationException {
    Method method;
    try {
      method = CryptoServicesRegistrar.class.getMethod("isNativeEnabled");
    } catch (NoSuchMethodException e) {
      return "absent";
    }
    return String.valueOf(method.invoke(null));
  }

  /**
   * @return "true" if bc-fips 2.1.x's native code offers a random service (RDRAND "DRBG" or
   *     RDSEED "NRBG") that it would seed its default DRBG from, "false" if not, "absent" for
   *     2.0.0
   */
  static String nativeRandomService() throws ReflectiveOperationException {
    Method getNativeServices;
    try {
      getNativeServices = CryptoServicesRegistrar.class.getMethod("getNativeServices");
    } catch (NoSuchMethodException e) {
      return "absent";
    }
    Object services = getNativeServices.invoke(null);
    Method hasService = services.getClass().getMethod("hasService", String.class);
    hasService.setAccessible(true);
    boolean drbg = (Boolean) hasService.invoke(services, "DRBG");
    boolean nrbg = (Boolean) hasService.invoke(services, "NRBG");
    return String.valueOf(drbg || nrbg);
  }
}

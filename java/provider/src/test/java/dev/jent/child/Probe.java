package dev.jent.child;

import dev.jent.Jent;
import dev.jent.JentEntropySourceProvider;
import dev.jent.JentException;
import dev.jent.JentProvider;
import java.security.InvalidParameterException;
import java.security.Provider;
import java.security.ProviderException;
import java.security.SecureRandom;
import java.security.Security;
import java.util.Arrays;
import java.util.ServiceLoader;

/**
 * Scenarios that need a JVM of their own, run by {@code FreshJvmTest} and {@code
 * InducedFailureTest}. Each prints what it saw, exits 0 when everything matched and fails with an
 * exception otherwise. It uses only the public API, so it also runs with the provider on the module
 * path.
 */
public final class Probe {
  private static final byte SENTINEL = 0x5a;

  private Probe() {}

  public static void main(String[] args) throws Exception {
    String scenario = args[0];
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    switch (scenario) {
      case "serve":
        serve();
        break;
      case "module":
        module(rest.length > 0 && rest[0].equals("with-bc-fips"));
        break;
      case "expect-unavailable":
        expectUnavailable(rest);
        break;
      case "expect-invalid-setting":
        expectInvalidSetting(rest);
        break;
      case "bcfips-unavailable":
        BcFipsScenarios.unavailable();
        break;
      case "bcfips-serve":
        BcFipsScenarios.serve();
        break;
      case "danger-constant":
        dangerConstant();
        break;
      case "danger-permanent":
        dangerPermanent();
        break;
      default:
        throw new IllegalArgumentException("unknown scenario " + scenario);
    }
    System.out.println("PROBE OK " + scenario);
  }

  /** The provider serves through every way in. */
  private static void serve() throws Exception {
    SecureRandom random = SecureRandom.getInstance("ENTROPY", new JentProvider());
    check(random.generateSeed(32).length == 32, "generateSeed");
    System.out.println(Jent.statusJson());
  }

  /** On the module path: named module, found by ServiceLoader, serving. */
  private static void module(boolean withBcFips) throws Exception {
    Module module = Jent.class.getModule();
    check(module.isNamed(), "dev.jent.Jent is not in a named module");
    check(module.getName().equals("dev.jent.provider"), "module name " + module.getName());

    Provider found = null;
    for (Provider provider : ServiceLoader.load(Provider.class)) {
      if (provider.getName().equals("JENT")) {
        found = provider;
      }
    }
    check(found != null, "ServiceLoader did not offer the JENT provider");
    Security.addProvider(found);
    check(SecureRandom.getInstance("ENTROPY", "JENT").generateSeed(16).length == 16, "serve");

    if (withBcFips) {
      check(new JentEntropySourceProvider().get(256).getEntropy().length == 32, "getEntropy");
    } else {
      check(
          ModuleLayer.boot().findModule("org.bouncycastle.fips.core").isEmpty(),
          "bc-fips should be absent in this scenario");
    }
    System.out.println("module " + module.getName() + " serves; bc-fips present: " + withBcFips);
  }

  /**
   * The library cannot load: the provider is still registered, and every way in throws a
   * ProviderException whose message contains each of {@code expected}, leaving arrays untouched.
   */
  private static void expectUnavailable(String[] expected) throws Exception {
    Security.insertProviderAt(new JentProvider(), 1);
    Security.setProperty("securerandom.strongAlgorithms", "ENTROPY:JENT");
    SecureRandom strong = SecureRandom.getInstanceStrong();
    check(strong.getProvider().getName().equals("JENT"), "strong algorithm is not JENT");

    String message = expectFailure(ProviderException.class, () -> strong.generateSeed(32), null);
    byte[] target = sentinelArray(32);
    expectFailure(ProviderException.class, () -> fill(strong, target), null);
    checkUntouched(target);
    for (String text : expected) {
      check(message.contains(text), "message lacks \"" + text + "\": " + message);
    }

    check(!Jent.isAvailable(), "isAvailable() must be false");
    check(Jent.statusJson().contains("\"load_error\""), "status lacks load_error");
    System.out.println("UNAVAILABLE: " + message);
  }

  /** An invalid setting: every request throws InvalidParameterException naming it. */
  private static void expectInvalidSetting(String[] expected) throws Exception {
    SecureRandom random = SecureRandom.getInstance("ENTROPY", new JentProvider());
    String message = "";
    for (int attempt = 0; attempt < 2; attempt++) {
      message = expectFailure(InvalidParameterException.class, () -> random.generateSeed(8), null);
    }
    for (String text : expected) {
      check(message.contains(text), "message lacks \"" + text + "\": " + message);
    }
    System.out.println("INVALID SETTING: " + message);
  }

  /**
   * A constant timer (test library): the power-up test fails on every attempt, no bytes are ever
   * returned, through every way in.
   */
  private static void dangerConstant() throws Exception {
    SecureRandom random = SecureRandom.getInstance("ENTROPY", new JentProvider());
    String first = "";
    for (int attempt = 0; attempt < 3; attempt++) {
      first =
          expectFailure(
              JentException.class, () -> random.generateSeed(32), JentException.Kind.STARTUP);
      byte[] target = sentinelArray(64);
      expectFailure(JentException.class, () -> fill(random, target), JentException.Kind.STARTUP);
      checkUntouched(target);
      expectFailure(
          JentException.class,
          () -> new JentEntropySourceProvider().get(256).getEntropy(),
          JentException.Kind.STARTUP);
    }
    check(first.contains("power-up test"), "message does not name the power-up test: " + first);
    String status = Jent.statusJson();
    check(status.contains("\"danger-test-timer\""), "not the test library: " + status);
    check(status.contains("\"requests\":0,\"bytes\":0,\"failures\":9"), "counters: " + status);
    System.out.println("CONSTANT TIMER: " + first);
  }

  /**
   * A timer that passes the power-up test and then goes constant (test library): the first failure
   * is a permanent health-test failure, and every later request, through every way in, throws a
   * DISABLED failure naming it. No failed request yields bytes.
   */
  private static void dangerPermanent() throws Exception {
    System.setProperty("dev.jent.collectors", "1");
    System.setProperty("dev.jent.timer", "danger-cycle:" + joinedPermanentFailurePattern());
    SecureRandom random = SecureRandom.getInstance("ENTROPY", new JentProvider());

    JentException failure = null;
    int served = 0;
    while (failure == null && served < 2000) {
      byte[] target = sentinelArray(32);
      try {
        random.nextBytes(target);
        served++;
      } catch (JentException e) {
        checkUntouched(target);
        failure = e;
      }
    }
    check(failure != null, "no failure after " + served + " requests");
    check(failure.getKind() == JentException.Kind.HEALTH_PERMANENT, "first failure: " + failure);
    check(failure.isPermanent(), "isPermanent");
    String original = failure.getMessage();
    System.out.println("PERMANENT after " + served + " requests: " + original);

    for (int attempt = 0; attempt < 3; attempt++) {
      byte[] target = sentinelArray(32);
      String later =
          expectFailure(
              JentException.class, () -> fill(random, target), JentException.Kind.DISABLED);
      checkUntouched(target);
      check(later.contains(failure.getMessage().replaceAll(" \\(jent error .*", "")), later);
      expectFailure(JentException.class, () -> random.generateSeed(8), JentException.Kind.DISABLED);
      expectFailure(
          JentException.class,
          () -> new JentEntropySourceProvider().get(128).getEntropy(),
          JentException.Kind.DISABLED);
    }
    System.out.println("STAYS DISABLED: " + Jent.statusJson());
  }

  /**
   * 24000 varied deltas (an xorshift sequence, 1000 to 5095 ticks): enough for the power-up test
   * (which reads the timer fewer than 18000 times) and a few requests; then 20000 identical ones,
   * which the health tests must catch.
   */
  static String joinedPermanentFailurePattern() {
    StringBuilder out = new StringBuilder();
    long state = 0x1234_5678_9abc_def1L;
    for (int i = 0; i < 24_000; i++) {
      state ^= state << 13;
      state ^= state >>> 7;
      state ^= state << 17;
      out.append(1000 + Long.remainderUnsigned(state, 4096)).append(',');
    }
    for (int i = 0; i < 20_000; i++) {
      out.append(i + 1 < 20_000 ? "7," : "7");
    }
    return out.toString();
  }

  interface Call {
    Object call() throws Exception;
  }

  /** Runs {@code call}, requires {@code type} (and {@code kind}), and returns the message. */
  static String expectFailure(Class<? extends Throwable> type, Call call, JentException.Kind kind)
      throws Exception {
    Object result;
    try {
      result = call.call();
    } catch (Throwable e) {
      if (!type.isInstance(e)) {
        throw new AssertionError("expected " + type.getName() + " but got " + e, e);
      }
      if (kind != null && ((JentException) e).getKind() != kind) {
        throw new AssertionError("expected kind " + kind + " but got " + e, e);
      }
      if (e instanceof StackOverflowError) {
        throw new AssertionError("recursion", e);
      }
      return String.valueOf(e.getMessage());
    }
    throw new AssertionError("expected " + type.getName() + " but the call returned " + result);
  }

  private static byte[] fill(SecureRandom random, byte[] target) {
    random.nextBytes(target);
    return target;
  }

  static byte[] sentinelArray(int length) {
    byte[] array = new byte[length];
    Arrays.fill(array, SENTINEL);
    return array;
  }

  static void checkUntouched(byte[] array) {
    for (byte b : array) {
      check(b == SENTINEL, "a failed request wrote into the caller's array");
    }
  }

  static void check(boolean condition, String what) {
    if (!condition) {
      throw new AssertionError(what);
    }
  }
}

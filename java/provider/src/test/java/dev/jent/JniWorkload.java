package dev.jent;

import java.security.InvalidParameterException;
import java.util.function.Supplier;

/**
 * Drives every native of the bridge through its success and error paths. {@link NativeBridgeTest}
 * runs it in the test JVM; {@link FreshJvmTest} runs {@link #main} in a fresh JVM with {@code
 * -Xcheck:jni} and fails on any JNI warning in that JVM's output.
 */
public final class JniWorkload {
  private JniWorkload() {}

  /** Exits with 0 after printing "JNI WORKLOAD OK", or throws. */
  public static void main(String[] args) {
    run();
    System.out.println("JNI WORKLOAD OK");
  }

  static void run() {
    if (!Engine.get().isUsable()) {
      throw new AssertionError("the library did not load: " + Jent.statusJson());
    }
    check(Native.reportedAbiVersion() == Native.ABI_VERSION, "ABI");
    check(Native.buildInfoJson().contains("\"abi\":" + Native.ABI_VERSION), "build info");

    Settings defaults = Settings.parse(name -> null);
    int id = Native.openCollector(defaults);
    check(Native.generateBytes(id, 0).length == 0, "zero bytes");
    check(Native.generateBytes(id, 32).length == 32, "32 bytes");
    check(Native.statusJson(id).contains("\"health\""), "status");

    // A bad argument is refused before the collector is touched; it keeps serving.
    expect(IllegalArgumentException.class, () -> Native.generateBytes(id, -1));
    check(Native.generateBytes(id, 8).length == 8, "still serving");
    Native.closeCollector(id);
    expect(IllegalStateException.class, () -> Native.generateBytes(id, 8));

    int second = Native.openCollector(defaults);
    Native.closeCollector(second);
    expect(IllegalStateException.class, () -> Native.generateBytes(second, 8));
    expect(IllegalStateException.class, () -> Native.statusJson(second));
    expect(IllegalStateException.class, () -> Native.statusJson(-1));
    expectVoid(IllegalStateException.class, () -> Native.closeCollector(second));
    expectVoid(IllegalStateException.class, () -> Native.closeCollector(Integer.MAX_VALUE));

    // Settings the core or the bridge refuse: InvalidParameterException, naming the problem.
    // NTG.1 forbids the internal timer; only the core knows that rule.
    Settings ntg1Internal =
        Settings.parse(
            name ->
                name.equals(Settings.MODE)
                    ? new Settings.Value(name, "ntg1", "test")
                    : name.equals(Settings.TIMER)
                        ? new Settings.Value(name, "internal", "test")
                        : null);
    String refused =
        expect(InvalidParameterException.class, () -> Native.openCollector(ntg1Internal));
    check(refused.contains("104"), refused);
    String danger =
        expect(
            InvalidParameterException.class,
            () -> Native.openCollector(Settings.parse(JniWorkload::dangerTimer)));
    check(danger.contains("test-only"), danger);
  }

  private static Settings.Value dangerTimer(String name) {
    return name.equals(Settings.TIMER)
        ? new Settings.Value(name, "danger-cycle:1,2,3", "test")
        : null;
  }

  private static String expect(Class<? extends Throwable> type, Supplier<?> call) {
    Object result;
    try {
      result = call.get();
    } catch (Throwable e) {
      if (!type.isInstance(e)) {
        throw new AssertionError("expected " + type.getName() + " but got " + e, e);
      }
      return String.valueOf(e.getMessage());
    }
    throw new AssertionError("expected " + type.getName() + " but got the result " + result);
  }

  private static void expectVoid(Class<? extends Throwable> type, Runnable call) {
    expect(
        type,
        () -> {
          call.run();
          return "nothing";
        });
  }

  private static void check(boolean condition, String what) {
    if (!condition) {
      throw new AssertionError("check failed: " + what);
    }
  }
}

package dev.jent;

import java.nio.charset.StandardCharsets;

/**
 * The natives of {@code libjent_jni.so} (crate {@code rust/jni}) and nothing else.
 *
 * <p>Every native is {@code private static} and takes or returns only primitives and {@code
 * byte[]}; the package-private wrappers below are the only way in. Collectors live on the Rust side
 * and are named by small integer ids, so no pointer ever reaches Java. The constants mirror the
 * bridge's {@code settings.rs} and are covered by {@link #ABI_VERSION}.
 *
 * <p>Nothing here loads the library: {@link NativeLoader} does, and only {@link Engine} calls in
 * after it succeeded.
 */
final class Native {
  /** The bridge contract this class was written against; {@code abiVersion()} must return it. */
  static final int ABI_VERSION = 1;

  static final int UNSET = -1;

  static final int MODE_FIPS = 0;
  static final int MODE_NTG1 = 1;
  static final int MODE_STANDARD = 2;

  static final int TIMER_AUTO = 0;
  static final int TIMER_HARDWARE = 1;
  static final int TIMER_CLOCK = 2;
  static final int TIMER_INTERNAL = 3;
  static final int TIMER_DANGER_CYCLE = 4;

  private Native() {}

  private static native int abiVersion();

  private static native byte[] buildInfo();

  private static native int open(
      int osr, int mode, long memorySize, int hashLoopCount, int timer, byte[] timerDeltas);

  private static native byte[] generate(int id, int length);

  private static native byte[] status(int id);

  private static native void close(int id);

  /** The bridge's ABI number; an {@link UnsatisfiedLinkError} means the library is not ours. */
  static int reportedAbiVersion() {
    return abiVersion();
  }

  /** One line of JSON: crate and core versions, ABI, compiled-in features. */
  static String buildInfoJson() {
    return new String(buildInfo(), StandardCharsets.UTF_8);
  }

  /** Starts a collector with {@code settings} and returns its id. */
  static int openCollector(Settings settings) {
    return open(
        settings.osr,
        settings.mode,
        settings.memorySize,
        settings.hashLoopCount,
        settings.timer,
        settings.encodedTimerDeltas());
  }

  /**
   * Returns {@code length} fresh bytes from collector {@code id}. The array is created by the
   * bridge only after the whole request succeeded, so a failure never yields partial output.
   */
  static byte[] generateBytes(int id, int length) {
    return generate(id, length);
  }

  /** The core's status JSON for collector {@code id}. */
  static String statusJson(int id) {
    return new String(status(id), StandardCharsets.UTF_8);
  }

  /** Releases collector {@code id}. */
  static void closeCollector(int id) {
    close(id);
  }
}

package dev.jent;

import java.security.ProviderException;

/**
 * A failure of the JENT entropy source: a failed power-up or health test, a source disabled by an
 * earlier failure, or a platform problem. No output accompanies it: when this is thrown, the
 * caller's array was not written to.
 *
 * <p>{@link #getCode()} is the stable numeric code of the Rust core: power-up codes 1 to 13 as in
 * the C library (for example 8 for a stuck timer), read errors as its negative codes (-2 RCT, -3
 * APT, -5 lag, -6 RCT permanent, -7 APT permanent, -9 and -10 for the memory RCT), 200 for a
 * disabled source, 300 to 399 for platform errors. Invalid settings are not reported with this
 * class but with {@link java.security.InvalidParameterException}.
 */
public final class JentException extends ProviderException {
  private static final long serialVersionUID = 1L;

  /** What kind of failure this is; the numbers are shared with the native bridge. */
  public enum Kind {
    /** The self tests or the SP 800-90B power-up test failed; the source stays disabled. */
    STARTUP(1),
    /** A health test failed intermittently after the core's reset ladder; a retry may succeed. */
    HEALTH_INTERMITTENT(2),
    /** A health test failed permanently; the source stays disabled for the life of the JVM. */
    HEALTH_PERMANENT(3),
    /** An earlier permanent failure disabled the source; the message names that failure. */
    DISABLED(4),
    /** The platform refused something the collector needs (memory, a timer). */
    PLATFORM(5);

    private final int number;

    Kind(int number) {
      this.number = number;
    }

    static Kind fromNumber(int number) {
      for (Kind kind : values()) {
        if (kind.number == number) {
          return kind;
        }
      }
      throw new IllegalStateException("the native bridge reported unknown failure kind " + number);
    }
  }

  private final int code;
  private final Kind kind;

  /** Called by the native bridge, which passes the kind as its number. */
  JentException(String message, int code, int kindNumber) {
    super(message);
    this.code = code;
    this.kind = Kind.fromNumber(kindNumber);
  }

  /**
   * Returns the core's stable error code.
   *
   * @return the code, as listed in the class documentation
   */
  public int getCode() {
    return code;
  }

  /**
   * Returns the kind of failure.
   *
   * @return the kind
   */
  public Kind getKind() {
    return kind;
  }

  /**
   * Tells whether the source is now disabled for the life of the JVM.
   *
   * @return true for {@link Kind#STARTUP}, {@link Kind#HEALTH_PERMANENT} and {@link Kind#DISABLED}
   */
  public boolean isPermanent() {
    return kind == Kind.STARTUP || kind == Kind.HEALTH_PERMANENT || kind == Kind.DISABLED;
  }
}

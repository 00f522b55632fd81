package dev.jent;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.InvalidParameterException;
import java.security.Security;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The {@code dev.jent.*} settings, read once at first use: a security property (for example from a
 * {@code java.security} profile) wins over a system property of the same name.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>name</th><th>allowed</th><th>default</th></tr>
 *   <tr><td>{@code dev.jent.osr}</td><td>0 to 20</td><td>the core's (0 to 2 run as 3)</td></tr>
 *   <tr><td>{@code dev.jent.mode}</td><td>fips, ntg1, standard</td><td>fips</td></tr>
 *   <tr><td>{@code dev.jent.memory_size}</td><td>bytes, a power of two, 1024 to 536870912</td>
 *       <td>sized from the CPU caches</td></tr>
 *   <tr><td>{@code dev.jent.hash_loop}</td><td>1, 2, 4, ..., 128</td><td>1</td></tr>
 *   <tr><td>{@code dev.jent.timer}</td><td>auto, hardware, clock, internal</td><td>auto</td></tr>
 *   <tr><td>{@code dev.jent.collectors}</td><td>1 to 64</td>
 *       <td>available processors, at most 8</td></tr>
 *   <tr><td>{@code dev.jent.native.path}</td><td>absolute path of an installed library</td>
 *       <td>the library inside the jar</td></tr>
 *   <tr><td>{@code dev.jent.native.workdir}</td><td>directory to extract the library into</td>
 *       <td>{@code java.io.tmpdir}</td></tr>
 * </table>
 *
 * <p>An empty value counts as not set, since a security property cannot be removed once set. Any
 * other invalid value is never replaced by a default: {@link #read()} throws an {@link
 * InvalidParameterException} naming the property, its value, where it came from and what is
 * allowed, and every use of the source reports it.
 *
 * <p>{@code dev.jent.timer=danger-cycle:d1,d2,...} selects a test-only timer that advances by the
 * given deltas in turn, to make the health tests fail on purpose. Only the test build of the native
 * library accepts it; the library in the jar refuses it with an explanation.
 */
final class Settings {
  static final String PREFIX = "dev.jent.";
  static final String OSR = PREFIX + "osr";
  static final String MODE = PREFIX + "mode";
  static final String MEMORY_SIZE = PREFIX + "memory_size";
  static final String HASH_LOOP = PREFIX + "hash_loop";
  static final String TIMER = PREFIX + "timer";
  static final String COLLECTORS = PREFIX + "collectors";
  static final String NATIVE_PATH = PREFIX + "native.path";
  static final String NATIVE_WORKDIR = PREFIX + "native.workdir";

  static final int MAX_OSR = 20;
  static final long MIN_MEMORY_SIZE = 1L << 10;
  static final long MAX_MEMORY_SIZE = 1L << 29;
  static final int MAX_HASH_LOOP = 128;
  static final int DEFAULT_COLLECTOR_CAP = 8;
  static final int MAX_COLLECTORS = 64;
  static final int MAX_DANGER_DELTAS = 1 << 20;

  private static final String DANGER_CYCLE = "danger-cycle:";

  final int osr;
  final int mode;
  final long memorySize;
  final int hashLoopCount;
  final int timer;
  final long[] timerDeltas;
  final int collectors;

  /** The settings as given, for the status report: name=value pairs in a JSON object. */
  final String json;

  private Settings(Builder builder) {
    this.osr = builder.osr;
    this.mode = builder.mode;
    this.memorySize = builder.memorySize;
    this.hashLoopCount = builder.hashLoopCount;
    this.timer = builder.timer;
    this.timerDeltas = builder.timerDeltas;
    this.collectors = builder.collectors;
    this.json = builder.json.append('}').toString();
  }

  /** Reads the settings from the security and system properties. */
  static Settings read() {
    return parse(Settings::lookup);
  }

  /**
   * Parses the settings {@code source} returns; it maps a property name to its value and where the
   * value came from, or to null when the property is not set.
   */
  static Settings parse(Function<String, Value> source) {
    Builder builder = new Builder();

    Value osr = builder.note(source.apply(OSR));
    if (osr != null) {
      builder.osr = (int) parseLong(osr, 0, MAX_OSR, "an integer from 0 to " + MAX_OSR);
    }

    Value mode = builder.note(source.apply(MODE));
    if (mode != null) {
      builder.mode = parseMode(mode);
    }

    Value memory = builder.note(source.apply(MEMORY_SIZE));
    if (memory != null) {
      String allowed = "a power of two from 1024 to 536870912 (bytes)";
      builder.memorySize = parseLong(memory, MIN_MEMORY_SIZE, MAX_MEMORY_SIZE, allowed);
      requirePowerOfTwo(memory, builder.memorySize, allowed);
    }

    Value hashLoop = builder.note(source.apply(HASH_LOOP));
    if (hashLoop != null) {
      String allowed = "a power of two from 1 to " + MAX_HASH_LOOP;
      builder.hashLoopCount = (int) parseLong(hashLoop, 1, MAX_HASH_LOOP, allowed);
      requirePowerOfTwo(hashLoop, builder.hashLoopCount, allowed);
    }

    Value timer = builder.note(source.apply(TIMER));
    if (timer != null) {
      parseTimer(timer, builder);
    }

    Value collectors = builder.note(source.apply(COLLECTORS));
    if (collectors != null) {
      String allowed = "an integer from 1 to " + MAX_COLLECTORS;
      builder.collectors = (int) parseLong(collectors, 1, MAX_COLLECTORS, allowed);
    }

    builder.note(source.apply(NATIVE_PATH));
    builder.note(source.apply(NATIVE_WORKDIR));
    return new Settings(builder);
  }

  /** The deltas of the test-only timer as 8-byte little-endian words, or null. */
  byte[] encodedTimerDeltas() {
    if (timerDeltas.length == 0) {
      return null;
    }
    ByteBuffer encoded = ByteBuffer.allocate(timerDeltas.length * 8);
    encoded.order(ByteOrder.LITTLE_ENDIAN);
    for (long delta : timerDeltas) {
      encoded.putLong(delta);
    }
    return encoded.array();
  }

  /** A property value and where it came from. */
  static final class Value {
    final String name;
    final String text;
    final String origin;

    Value(String name, String text, String origin) {
      this.name = name;
      this.text = text;
      this.origin = origin;
    }

    InvalidParameterException invalid(String allowed) {
      return new InvalidParameterException(
          "invalid JENT setting: "
              + origin
              + " "
              + name
              + "=\""
              + text
              + "\"; allowed: "
              + allowed
              + ". Fix or remove the setting; JENT does not fall back to a default.");
    }
  }

  /** A security property first, then a system property; null when neither is set (or empty). */
  static Value lookup(String name) {
    String fromSecurity = Security.getProperty(name);
    if (fromSecurity != null && !fromSecurity.trim().isEmpty()) {
      return new Value(name, fromSecurity, "security property");
    }
    String fromSystem = System.getProperty(name);
    if (fromSystem != null && !fromSystem.trim().isEmpty()) {
      return new Value(name, fromSystem, "system property");
    }
    return null;
  }

  private static long parseLong(Value value, long min, long max, String allowed) {
    long parsed;
    try {
      parsed = Long.parseLong(value.text.trim());
    } catch (NumberFormatException e) {
      throw value.invalid(allowed);
    }
    if (parsed < min || parsed > max) {
      throw value.invalid(allowed);
    }
    return parsed;
  }

  private static void requirePowerOfTwo(Value value, long parsed, String allowed) {
    if (Long.bitCount(parsed) != 1) {
      throw value.invalid(allowed);
    }
  }

  private static int parseMode(Value value) {
    switch (value.text.trim().toLowerCase(Locale.ROOT)) {
      case "fips":
        return Native.MODE_FIPS;
      case "ntg1":
        return Native.MODE_NTG1;
      case "standard":
        return Native.MODE_STANDARD;
      default:
        throw value.invalid("fips, ntg1 or standard");
    }
  }

  private static void parseTimer(Value value, Builder builder) {
    String text = value.text.trim().toLowerCase(Locale.ROOT);
    String allowed = "auto, hardware, clock or internal";
    switch (text) {
      case "auto":
        builder.timer = Native.TIMER_AUTO;
        return;
      case "hardware":
        builder.timer = Native.TIMER_HARDWARE;
        return;
      case "clock":
        builder.timer = Native.TIMER_CLOCK;
        return;
      case "internal":
        builder.timer = Native.TIMER_INTERNAL;
        return;
      default:
        break;
    }
    if (!text.startsWith(DANGER_CYCLE)) {
      throw value.invalid(allowed);
    }

    // Test builds only; the library in the jar refuses this timer itself.
    String dangerAllowed =
        "danger-cycle: followed by 1 to "
            + MAX_DANGER_DELTAS
            + " comma-separated unsigned 64-bit deltas (test builds of the native library only)";
    String[] parts = text.substring(DANGER_CYCLE.length()).split(",", -1);
    if (parts.length > MAX_DANGER_DELTAS) {
      throw value.invalid(dangerAllowed);
    }
    List<Long> deltas = new ArrayList<>();
    for (String part : parts) {
      try {
        deltas.add(Long.parseUnsignedLong(part.trim()));
      } catch (NumberFormatException e) {
        throw value.invalid(dangerAllowed);
      }
    }
    builder.timer = Native.TIMER_DANGER_CYCLE;
    builder.timerDeltas = deltas.stream().mapToLong(Long::longValue).toArray();
  }

  private static final class Builder {
    int osr = Native.UNSET;
    int mode = Native.UNSET;
    long memorySize;
    int hashLoopCount = Native.UNSET;
    int timer = Native.UNSET;
    long[] timerDeltas = new long[0];
    int collectors =
        Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), DEFAULT_COLLECTOR_CAP));
    final StringBuilder json = new StringBuilder("{");

    /** Records a set property for the status report and passes it on. */
    Value note(Value value) {
      if (value != null) {
        if (json.length() > 1) {
          json.append(',');
        }
        Json.appendString(json, value.name).append(':');
        Json.appendString(json, value.text);
      }
      return value;
    }
  }
}

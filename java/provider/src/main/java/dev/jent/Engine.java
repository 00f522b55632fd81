package dev.jent;

import java.security.InvalidParameterException;
import java.security.ProviderException;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * The one entropy source of this JVM: the loaded library, the settings, the collector pool and the
 * counters, created on first use.
 *
 * <p>Creation never throws. A library that cannot be loaded, or settings that are invalid, are
 * remembered, and every request then throws: a {@link ProviderException} naming the load failure,
 * or an {@link InvalidParameterException} naming the setting. Nothing is ever served from a weaker
 * source instead.
 */
final class Engine {
  /** See {@link Jent#MAX_REQUEST_BYTES}. */
  static final int MAX_REQUEST_BYTES = Jent.MAX_REQUEST_BYTES;

  /** Who asked, for the counters in the status report. */
  enum Caller {
    GENERATE_SEED("generate_seed"),
    NEXT_BYTES("next_bytes"),
    ENTROPY_SOURCE_PROVIDER("entropy_source_provider");

    final String key;

    Caller(String key) {
      this.key = key;
    }
  }

  private static final class Holder {
    static final Engine INSTANCE = new Engine();
  }

  private final NativeLoader.Loaded library;
  private final ProviderException loadFailure;
  private final Settings settings;
  private final InvalidParameterException settingsFailure;
  private final CollectorPool pool;

  private final LongAdder[] requests = adders();
  private final LongAdder[] bytes = adders();
  private final LongAdder[] failures = adders();

  private Engine() {
    NativeLoader.Loaded loaded = null;
    ProviderException loadError = null;
    try {
      Settings.Value path = Settings.lookup(Settings.NATIVE_PATH);
      Settings.Value workdir = Settings.lookup(Settings.NATIVE_WORKDIR);
      loaded =
          NativeLoader.load(path == null ? null : path.text, workdir == null ? null : workdir.text);
    } catch (ProviderException e) {
      loadError = e;
    } catch (RuntimeException | LinkageError e) {
      loadError = new ProviderException("unexpected failure loading the JENT native library", e);
    }
    this.library = loaded;
    this.loadFailure = loadError;

    Settings parsed = null;
    InvalidParameterException parseError = null;
    try {
      parsed = Settings.read();
    } catch (InvalidParameterException e) {
      parseError = e;
    }
    this.settings = parsed;
    this.settingsFailure = parseError;
    this.pool = parsed == null || loaded == null ? null : new CollectorPool(parsed);
  }

  /** The engine, created on the first call. */
  static Engine get() {
    return Holder.INSTANCE;
  }

  /**
   * Returns {@code length} fresh conditioned bytes.
   *
   * @throws IllegalArgumentException for a negative length or one above {@link #MAX_REQUEST_BYTES}
   * @throws InvalidParameterException for invalid settings
   * @throws ProviderException when the library is not loaded or the source fails ({@link
   *     JentException})
   */
  byte[] generate(int length, Caller caller) {
    if (length < 0) {
      throw new IllegalArgumentException("cannot generate a negative number of bytes: " + length);
    }
    if (length > MAX_REQUEST_BYTES) {
      throw new IllegalArgumentException(
          "JENT serves at most "
              + MAX_REQUEST_BYTES
              + " bytes per request; "
              + length
              + " were asked for. Seed a DRBG from JENT for bulk output.");
    }
    byte[] output;
    try {
      CollectorPool usable = requireUsable();
      output = length == 0 ? new byte[0] : usable.generate(length);
    } catch (RuntimeException e) {
      failures[caller.ordinal()].increment();
      throw e;
    }
    requests[caller.ordinal()].increment();
    bytes[caller.ordinal()].add(length);
    return output;
  }

  /**
   * Fills {@code target} completely with fresh bytes, or leaves it untouched and throws.
   *
   * @throws NullPointerException if {@code target} is null
   */
  void fill(byte[] target, Caller caller) {
    Objects.requireNonNull(target, "the array to fill with entropy is null");
    byte[] fresh = generate(target.length, caller);
    System.arraycopy(fresh, 0, target, 0, fresh.length);
    Arrays.fill(fresh, (byte) 0);
  }

  /** Whether the library loaded and the settings are valid (the source may still fail later). */
  boolean isUsable() {
    return pool != null;
  }

  private CollectorPool requireUsable() {
    if (loadFailure != null) {
      throw new ProviderException(
          "the JENT entropy source is unavailable: " + loadFailure.getMessage(), loadFailure);
    }
    if (settingsFailure != null) {
      InvalidParameterException error = new InvalidParameterException(settingsFailure.getMessage());
      error.initCause(settingsFailure);
      throw error;
    }
    return pool;
  }

  /** The status report behind {@link Jent#statusJson()}. */
  String statusJson() {
    StringBuilder out = new StringBuilder(512);
    out.append("{\"provider\":");
    Json.appendString(out, JentProvider.NAME);
    out.append(",\"provider_version\":");
    Json.appendString(out, JentProvider.VERSION);
    out.append(",\"available\":").append(isUsable());

    out.append(",\"library\":");
    if (library == null) {
      out.append("null,\"load_error\":");
      Json.appendString(out, loadFailure.getMessage());
    } else {
      out.append("{\"origin\":");
      Json.appendString(out, library.origin);
      out.append(",\"build\":").append(library.buildInfo).append('}');
    }

    out.append(",\"settings\":").append(settings == null ? "null" : settings.json);
    if (settingsFailure != null) {
      out.append(",\"settings_error\":");
      Json.appendString(out, settingsFailure.getMessage());
    }

    appendCollectors(out);
    appendCounters(out);
    return out.append('}').toString();
  }

  private void appendCollectors(StringBuilder out) {
    out.append(",\"pool\":");
    if (pool == null) {
      out.append("null");
      return;
    }
    out.append("{\"capacity\":").append(pool.capacity()).append(",\"collectors\":[");
    boolean first = true;
    for (int id : pool.openCollectors()) {
      out.append(first ? "" : ",");
      first = false;
      out.append("{\"id\":").append(id).append(",\"status\":");
      try {
        out.append(Native.statusJson(id));
      } catch (RuntimeException e) {
        out.append("null,\"status_error\":");
        Json.appendString(out, e.toString());
      }
      out.append('}');
    }
    out.append("]}");
  }

  private void appendCounters(StringBuilder out) {
    long totalRequests = 0;
    long totalBytes = 0;
    long totalFailures = 0;
    out.append(",\"served\":{");
    for (Caller caller : Caller.values()) {
      int i = caller.ordinal();
      long callerRequests = requests[i].sum();
      long callerBytes = bytes[i].sum();
      long callerFailures = failures[i].sum();
      totalRequests += callerRequests;
      totalBytes += callerBytes;
      totalFailures += callerFailures;
      appendCounter(out, caller.key, callerRequests, callerBytes, callerFailures).append(',');
    }
    appendCounter(out, "total", totalRequests, totalBytes, totalFailures).append('}');
  }

  private static StringBuilder appendCounter(
      StringBuilder out, String key, long requestCount, long byteCount, long failureCount) {
    return out.append('"')
        .append(key)
        .append("\":{\"requests\":")
        .append(requestCount)
        .append(",\"bytes\":")
        .append(byteCount)
        .append(",\"failures\":")
        .append(failureCount)
        .append('}');
  }

  private static LongAdder[] adders() {
    LongAdder[] adders = new LongAdder[Caller.values().length];
    for (int i = 0; i < adders.length; i++) {
      adders[i] = new LongAdder();
    }
    return adders;
  }
}

package dev.jent;

/**
 * Status of the JENT entropy source in this JVM.
 *
 * <p>Nothing here returns entropy; use {@code SecureRandom.getInstance("ENTROPY", "JENT")}, {@code
 * SecureRandom.getInstanceStrong()} with the provider configured, or {@link
 * JentEntropySourceProvider}.
 */
public final class Jent {
  /**
   * The largest request served in one call, in bytes (64 KiB): {@code generateSeed}, {@code
   * nextBytes} and {@code getEntropy} refuse more with an {@link IllegalArgumentException}. Seeding
   * asks for a few dozen bytes, and the collector is slow by design (every 32-byte block costs
   * hundreds of timed samples), so a larger request would hold a collector for seconds; seed a DRBG
   * from JENT for bulk output.
   */
  public static final int MAX_REQUEST_BYTES = 1 << 16;

  private Jent() {}

  /**
   * Returns the status of the source as one JSON object. Calling it loads the native library if
   * that has not happened yet, but starts no collector. Keys:
   *
   * <ul>
   *   <li>{@code provider}, {@code provider_version}, {@code available} (library loaded and
   *       settings valid);
   *   <li>{@code library}: {@code origin} (where it was loaded from) and {@code build} (bridge and
   *       core versions, ABI, compiled-in features), or null and {@code load_error};
   *   <li>{@code settings}: the {@code dev.jent.*} properties that are set, as given; {@code
   *       settings_error} when one is invalid;
   *   <li>{@code pool}: {@code capacity} and {@code collectors}, one entry per started collector
   *       with the core's status (version, mode, osr, timer, memory, health state and counters);
   *   <li>{@code served}: {@code requests}, {@code bytes} and {@code failures} for each way in
   *       ({@code generate_seed}, {@code next_bytes}, {@code entropy_source_provider}) and in
   *       {@code total}.
   * </ul>
   *
   * @return the status JSON
   */
  public static String statusJson() {
    return Engine.get().statusJson();
  }

  /**
   * Tells whether the native library is loaded and the settings are valid. The source can still
   * fail its tests when asked for output.
   *
   * @return true if requests can be attempted
   */
  public static boolean isAvailable() {
    return Engine.get().isUsable();
  }
}

package dev.jent.bench;

import dev.jent.integration.JavaLauncher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Compares configurations of the profile side by side: every round starts one fresh JVM per
 * configuration, alternating their order, and the report gives the median of the rounds and
 * the ratio of the medians. Run it through {@code java/integration/run-benchmarks.sh}.
 *
 * <p>Configurations are variants of the profile file, written to the work directory:
 * <ul>
 *   <li>{@code jent}: the profile as shipped;</li>
 *   <li>{@code kernel}: {@code securerandom.strongAlgorithms=NativePRNGBlocking:SUN}, i.e.
 *       BCFIPS seeded from the kernel, everything else equal;</li>
 *   <li>{@code jent-native}: without {@code org.bouncycastle.native.cpu_variant=java}, so
 *       bc-fips 2.1.x uses its native code (and seeds its default DRBG from the CPU);</li>
 *   <li>{@code jent-defrnd}: {@code C:DEFRND[SHA512];ENABLE{ALL};} instead of HYBRID, so every
 *       nextBytes() of the default DRBG reseeds from JENT.</li>
 * </ul>
 */
public final class BenchmarkDriver {

  private static final String BCFIPS_LINE = "security.provider.1=";
  private static final String HYBRID_CONFIG = "C:HYBRID;ENABLE{ALL};";
  private static final String STRONG = "securerandom.strongAlgorithms=";
  private static final String CPU_VARIANT = "org.bouncycastle.native.cpu_variant=";
  private static final long PROCESS_TIMEOUT_MINUTES = 10;

  private final JavaLauncher java;
  private final String classPath;
  private final Path workDirectory;
  private final int rounds;
  private final long warmupMillis;
  private final long measureMillis;
  private final Map<String, Path> profiles = new LinkedHashMap<>();
  private final List<String> notes = new ArrayList<>();

  private BenchmarkDriver(JavaLauncher java, String classPath, Path profile, Path workDirectory,
      int rounds, long warmupMillis, long measureMillis) throws IOException {
    this.java = java;
    this.classPath = classPath;
    this.workDirectory = Files.createDirectories(workDirectory);
    this.rounds = rounds;
    this.warmupMillis = warmupMillis;
    this.measureMillis = measureMillis;

    List<String> shipped = Files.readAllLines(profile, StandardCharsets.UTF_8);
    profiles.put("jent", profile);
    profiles.put("kernel", variant("kernel", shipped, line -> line.startsWith(STRONG)
        ? STRONG + "NativePRNGBlocking:SUN" : line));
    profiles.put("jent-native", variant("jent-native", shipped,
        line -> line.startsWith(CPU_VARIANT) ? "# " + line : line));
    profiles.put("jent-defrnd", variant("jent-defrnd", shipped,
        line -> line.startsWith(BCFIPS_LINE)
            ? line.replace(HYBRID_CONFIG, "C:DEFRND[SHA512];ENABLE{ALL};") : line));
  }

  /**
   * Runs the named suites and prints a report.
   *
   * @param args {@code --java PATH --classpath CP --profile FILE --work DIR [--rounds N]
   *     [--warmup-ms MS] [--measure-ms MS] SUITE...}; suites: startup, random, tls, aes,
   *     seed, drbg-mode
   * @throws Exception any failure ends the run with a stack trace
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> options = new LinkedHashMap<>();
    List<String> suites = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].startsWith("--")) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("option " + args[i] + " needs a value");
        }
        options.put(args[i], args[++i]);
      } else {
        suites.add(args[i]);
      }
    }
    if (suites.isEmpty()) {
      throw new IllegalArgumentException("name at least one suite: startup, random, tls,"
          + " aes, seed, drbg-mode");
    }

    BenchmarkDriver driver = new BenchmarkDriver(
        JavaLauncher.at(required(options, "--java")),
        required(options, "--classpath"),
        Paths.get(required(options, "--profile")),
        Paths.get(required(options, "--work")),
        Integer.parseInt(options.getOrDefault("--rounds", "5")),
        Long.parseLong(options.getOrDefault("--warmup-ms", "3000")),
        Long.parseLong(options.getOrDefault("--measure-ms", "5000")));
    driver.printHeader();
    for (String suite : suites) {
      driver.run(suite);
    }
  }

  private void printHeader() {
    System.out.println("java: " + java.path() + " (Java " + java.featureVersion() + ")");
    System.out.println("class path: " + classPath);
    System.out.println("rounds: " + rounds + ", warm-up " + warmupMillis + " ms, measured "
        + measureMillis + " ms per timed workload");
    System.out.println("load average at start (1, 5, 15 min): " + loadAverage());
    System.out.println();
  }

  private void run(String suite) throws IOException, InterruptedException {
    String timed = String.valueOf(warmupMillis);
    String measured = String.valueOf(measureMillis);
    switch (suite) {
      case "startup":
        compare("JVM launch to first BCFIPS nextBytes, ms (lower is better)",
            Arrays.asList(config("jent"), config("kernel")), "first-bytes");
        break;
      case "random":
        compare("BCFIPS default SecureRandom, nextBytes(32) calls/s",
            Arrays.asList(config("jent"), config("kernel")),
            "default-random", timed, measured);
        break;
      case "drbg-mode":
        compare("BCFIPS default SecureRandom, nextBytes(32) calls/s: HYBRID vs DEFRND",
            Arrays.asList(config("jent"), config("jent-defrnd")),
            "default-random", timed, measured);
        break;
      case "tls":
        compare("TLS 1.3 full handshakes/s over loopback (BCJSSE, P-256)",
            Arrays.asList(config("jent"), config("kernel"), config("jent-native")),
            "tls", timed, measured);
        break;
      case "aes":
        compare("AES-256-GCM, 16 KiB messages with fresh IVs, MiB/s",
            Arrays.asList(config("jent"), config("jent-native")),
            "aes-gcm", timed, measured);
        break;
      case "seed":
        compareThreads(timed, measured);
        break;
      default:
        throw new IllegalArgumentException("unknown suite '" + suite + "'");
    }
  }

  private Config config(String name) {
    return new Config(name, profiles.get(name));
  }

  private void compare(String title, List<Config> configs, String... workload)
      throws IOException, InterruptedException {
    Map<String, List<Double>> results = new LinkedHashMap<>();
    for (Config config : configs) {
      results.put(config.name, new ArrayList<>());
    }
    for (int round = 0; round < rounds; round++) {
      List<Config> order = new ArrayList<>(configs);
      // Alternating the order keeps a slow first or last slot from favouring one side.
      if (round % 2 == 1) {
        Collections.reverse(order);
      }
      for (Config config : order) {
        results.get(config.name).add(measure(config, workload));
      }
    }
    report(title, workload, results);
  }

  // Other work on the machine moves every figure; the load average puts a run in context.
  private static String loadAverage() {
    try {
      String[] fields = new String(Files.readAllBytes(Paths.get("/proc/loadavg")),
          StandardCharsets.US_ASCII).trim().split(" ");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException | RuntimeException e) {
      return "unknown (" + e + ")";
    }
  }

  private void compareThreads(String warmup, String measure)
      throws IOException, InterruptedException {
    Config jent = config("jent");
    // Two threads first, so that the printed ratio is the speed-up over one thread.
    Map<String, List<Double>> results = new LinkedHashMap<>();
    results.put("2 threads", new ArrayList<>());
    results.put("1 thread", new ArrayList<>());
    for (int round = 0; round < rounds; round++) {
      results.get("1 thread").add(measure(jent, "jent-seed", "1", warmup, measure));
      results.get("2 threads").add(measure(jent, "jent-seed", "2", warmup, measure));
    }
    report("JENT generateSeed(32) throughput, bytes/s", new String[] {"jent-seed"}, results);
  }

  private double measure(Config config, String... workload)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(java.path());
    command.addAll(java.nativeAccessOptions());
    command.add("-Djava.security.properties==" + config.profile);
    command.add("-cp");
    command.add(classPath);
    command.add(Workload.class.getName());
    command.addAll(Arrays.asList(workload));

    Path stdout = workDirectory.resolve("workload.out");
    Path stderr = workDirectory.resolve("workload.err");
    long launched = System.nanoTime();
    Process process = new ProcessBuilder(command)
        .redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile())
        .start();
    if (!process.waitFor(PROCESS_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
      process.destroyForcibly().waitFor();
      throw new IllegalStateException("workload timed out: " + String.join(" ", command));
    }
    String out = new String(Files.readAllBytes(stdout), StandardCharsets.UTF_8);
    if (process.exitValue() != 0) {
      throw new IllegalStateException("workload failed (exit " + process.exitValue()
          + "): " + String.join(" ", command) + "\n" + out + "\n"
          + new String(Files.readAllBytes(stderr), StandardCharsets.UTF_8));
    }

    for (String line : out.split("\n")) {
      if (line.startsWith("info.")) {
        notes.add(config.name + " " + String.join(" ", workload) + ": " + line.substring(5));
      }
    }
    for (String line : out.split("\n")) {
      if (line.startsWith("result.first_bytes_nanotime=")) {
        long done = Long.parseLong(line.substring(line.indexOf('=') + 1).trim());
        return (done - launched) / 1e6;
      }
      if (line.startsWith("result.")) {
        return Double.parseDouble(line.substring(line.indexOf('=') + 1).trim());
      }
    }
    throw new IllegalStateException("workload printed no result: " + out);
  }

  private void report(String title, String[] workload, Map<String, List<Double>> results) {
    System.out.println("## " + title);
    System.out.println("load average after the suite (1, 5, 15 min): " + loadAverage());
    System.out.println("workload: " + String.join(" ", workload));
    System.out.println(String.format(Locale.ROOT, "| %-12s | %12s | %12s | %12s | %s |",
        "config", "median", "min", "max", "rounds"));
    System.out.println("|---|---:|---:|---:|---|");
    Map<String, Double> medians = new LinkedHashMap<>();
    for (Map.Entry<String, List<Double>> entry : results.entrySet()) {
      List<Double> sorted = new ArrayList<>(entry.getValue());
      Collections.sort(sorted);
      double median = median(sorted);
      medians.put(entry.getKey(), median);
      String all = entry.getValue().stream()
          .map(BenchmarkDriver::format)
          .collect(Collectors.joining(" "));
      System.out.println(String.format(Locale.ROOT, "| %-12s | %12s | %12s | %12s | %s |",
          entry.getKey(), format(median), format(sorted.get(0)),
          format(sorted.get(sorted.size() - 1)), all));
    }
    List<String> names = new ArrayList<>(medians.keySet());
    for (int i = 1; i < names.size(); i++) {
      System.out.println(String.format(Locale.ROOT, "ratio %s / %s (medians): %.3f",
          names.get(0), names.get(i),
          medians.get(names.get(0)) / medians.get(names.get(i))));
    }
    for (String note : notes) {
      System.out.println("note: " + note);
    }
    notes.clear();
    System.out.println();
  }

  private static double median(List<Double> sorted) {
    int middle = sorted.size() / 2;
    return sorted.size() % 2 == 1
        ? sorted.get(middle)
        : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
  }

  private static String format(double value) {
    return value >= 100
        ? String.format(Locale.ROOT, "%.0f", value)
        : String.format(Locale.ROOT, "%.2f", value);
  }

  private Path variant(String name, List<String> shipped, UnaryOperator<String> edit)
      throws IOException {
    List<String> lines = shipped.stream().map(edit).collect(Collectors.toList());
    if (lines.equals(shipped)) {
      throw new IllegalStateException("profile variant '" + name + "' changes nothing:"
          + " the profile no longer has the line it edits");
    }
    Path file = workDirectory.resolve("profile-" + name + ".java.security");
    Files.write(file, lines, StandardCharsets.UTF_8);
    return file;
  }

  private static String required(Map<String, String> options, String name) {
    String value = options.get(name);
    if (value == null) {
      throw new IllegalArgumentException("missing option " + name);
    }
    return value;
  }

  private static final class Config {
    final String name;
    final Path profile;

    Config(String name, Path profile) {
      this.name = name;
      this.profile = profile;
    }
  }
}

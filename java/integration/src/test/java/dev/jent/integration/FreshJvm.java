package dev.jent.integration;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Starts a new JVM (the one named by the Maven property {@code test.jvm}) with exactly the
 * class path and security configuration a test asks for, and collects what it printed.
 *
 * <p>A fresh JVM is the only honest setting for these tests: providers, security properties,
 * BCFIPS's approved mode and its DRBG pool are all fixed once per JVM.
 */
final class FreshJvm {

  private static final Duration TIMEOUT = Duration.ofMinutes(3);
  private static final AtomicInteger RUNS = new AtomicInteger();
  private static volatile JavaLauncher launcher;

  private final BcFipsSet bcFips;
  private final List<String> jvmOptions = new ArrayList<>();
  private Path profile = requiredPath("jent.test.profile");
  private boolean withProvider = true;

  private FreshJvm(BcFipsSet bcFips) {
    this.bcFips = bcFips;
  }

  /** @return a JVM with the profile, our jars and the given Bouncy Castle set */
  static FreshJvm with(BcFipsSet bcFips) {
    return new FreshJvm(bcFips);
  }

  /** Starts the JVM without {@code -Djava.security.properties}: the runtime's own file. */
  FreshJvm withoutProfile() {
    profile = null;
    return this;
  }

  /** Starts the JVM with another profile file in place of jent-fips.java.security. */
  FreshJvm withProfile(Path replacement) {
    profile = replacement;
    return this;
  }

  /** Leaves the JENT provider jar off the class path. */
  FreshJvm withoutProviderJar() {
    withProvider = false;
    return this;
  }

  /** Adds a JVM option such as {@code -Dname=value}. */
  FreshJvm option(String option) {
    jvmOptions.add(option);
    return this;
  }

  /**
   * Runs {@code mainClass} and waits for it (at most three minutes).
   *
   * @return exit status and output
   */
  Result run(String mainClass, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(jvm());
    command.addAll(launcher().nativeAccessOptions());
    if (profile != null) {
      command.add("-Djava.security.properties==" + profile);
    }
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(classPath());
    command.add(mainClass);
    command.addAll(Arrays.asList(args));

    Path work = Files.createDirectories(requiredPath("jent.test.work"));
    String name = mainClass.substring(mainClass.lastIndexOf('.') + 1) + "-" + bcFips + "-"
        + RUNS.incrementAndGet();
    Path stdout = work.resolve(name + ".out");
    Path stderr = work.resolve(name + ".err");

    // Output goes to files, not pipes, so a chatty child can never block on a full pipe.
    Process process = new ProcessBuilder(command)
        .redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile())
        .start();
    boolean finished = process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    if (!finished) {
      process.destroyForcibly().waitFor();
    }
    return new Result(command, finished ? process.exitValue() : -1, !finished,
        read(stdout), read(stderr));
  }

  private String classPath() {
    List<String> entries = new ArrayList<>(
        Arrays.asList(required("jent.test.classes").split(File.pathSeparator)));
    if (withProvider) {
      entries.add(required("jent.test.provider"));
    }
    for (Path jar : bcFips.jars()) {
      entries.add(jar.toString());
    }
    return String.join(File.pathSeparator, entries);
  }

  /** @return the path of the java launcher the tests start */
  static String jvm() {
    return required("jent.test.jvm");
  }

  /** @return the launcher of {@link #jvm()}, asked for its version once */
  static JavaLauncher launcher() throws IOException, InterruptedException {
    JavaLauncher known = launcher;
    if (known == null) {
      known = JavaLauncher.at(jvm());
      launcher = known;
    }
    return known;
  }

  private static String required(String property) {
    String value = System.getProperty(property);
    if (value == null || value.isEmpty()) {
      throw new IllegalStateException("system property " + property
          + " is not set; run the tests through Maven (mvn verify)");
    }
    return value;
  }

  private static Path requiredPath(String property) {
    return Paths.get(required(property)).toAbsolutePath().normalize();
  }

  private static String read(Path file) throws IOException {
    return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
  }

  /** What a finished (or killed) child JVM left behind. */
  static final class Result {
    final List<String> command;
    final int exitCode;
    final boolean timedOut;
    final String stdout;
    final String stderr;

    Result(List<String> command, int exitCode, boolean timedOut, String stdout,
        String stderr) {
      this.command = command;
      this.exitCode = exitCode;
      this.timedOut = timedOut;
      this.stdout = stdout;
      this.stderr = stderr;
    }

    /** @return the {@code key=value} lines of standard output, in order */
    Map<String, String> values() {
      Map<String, String> values = new LinkedHashMap<>();
      for (String line : stdout.split("\n")) {
        int equals = line.indexOf('=');
        if (equals > 0) {
          values.put(line.substring(0, equals).trim(), line.substring(equals + 1).trim());
        }
      }
      return values;
    }

    /** @return the value of {@code key}, failing with the whole output if it is missing */
    String value(String key) {
      String value = values().get(key);
      if (value == null) {
        throw new AssertionError("child printed no '" + key + "=' line\n" + describe());
      }
      return value;
    }

    /** @return the command, status and both outputs, for assertion messages */
    String describe() {
      return "command: " + String.join(" ", command) + "\nexit: "
          + (timedOut ? "killed after timeout" : exitCode) + "\n--- stdout ---\n"
          + stdout + "--- stderr ---\n" + stderr;
    }
  }
}

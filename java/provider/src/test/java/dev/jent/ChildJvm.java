package dev.jent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts a fresh JVM of the runtime under test ({@code -Djent.test.jvm}, set by the POM from {@code
 * test.jvm}) on the compiled classes, runs {@code dev.jent.child.Probe} with a scenario, and
 * returns its exit code and output. Fresh JVMs are how the tests change settings that are read once
 * per JVM, load a different native library, or leave a source permanently disabled.
 */
final class ChildJvm {
  static final String PROBE = "dev.jent.child.Probe";
  private static final long TIMEOUT_SECONDS = 300;

  private ChildJvm() {}

  /** The outcome of one child JVM. */
  static final class Result {
    final int exitCode;
    final String output;
    final List<String> command;

    Result(int exitCode, String output, List<String> command) {
      this.exitCode = exitCode;
      this.output = output;
      this.command = command;
    }

    /** Fails with the whole output unless the child exited with 0. */
    Result assertSuccess() {
      assertEquals(0, exitCode, this::describe);
      return this;
    }

    /** Fails unless the output contains {@code text}. */
    Result assertOutputContains(String text) {
      assertTrue(output.contains(text), () -> "expected \"" + text + "\" in\n" + describe());
      return this;
    }

    /** Fails if the output contains {@code text}. */
    Result assertOutputLacks(String text) {
      assertTrue(!output.contains(text), () -> "unexpected \"" + text + "\" in\n" + describe());
      return this;
    }

    String describe() {
      return "command: " + String.join(" ", command) + "\nexit code: " + exitCode + "\n" + output;
    }
  }

  static Path classes() {
    return requiredPath("jent.test.classes");
  }

  static Path testClasses() {
    return requiredPath("jent.test.test-classes");
  }

  static Path testLibrary() {
    return requiredPath("jent.test.native-test-library");
  }

  static Path bcFipsJar() {
    return requiredPath("jent.test.bc-fips-jar");
  }

  /** Classpath: the provider's classes and the test classes, plus {@code extra}. */
  static String classpath(Path... extra) {
    List<String> entries = new ArrayList<>();
    entries.add(classes().toString());
    entries.add(testClasses().toString());
    for (Path path : extra) {
      entries.add(path.toString());
    }
    return String.join(java.io.File.pathSeparator, entries);
  }

  /** Runs the probe {@code scenario} with {@code probeArguments}; bc-fips is not on the path. */
  static Result probe(List<String> jvmOptions, String scenario, String... probeArguments) {
    return probe(classpath(), jvmOptions, scenario, probeArguments);
  }

  /** As {@link #probe(List, String, String...)}, with bc-fips on the classpath. */
  static Result probeWithBcFips(List<String> jvmOptions, String scenario, String... arguments) {
    return probe(classpath(bcFipsJar()), jvmOptions, scenario, arguments);
  }

  private static Result probe(
      String classpath, List<String> jvmOptions, String scenario, String... probeArguments) {
    List<String> arguments = new ArrayList<>(jvmOptions);
    arguments.add("-cp");
    arguments.add(classpath);
    arguments.add(PROBE);
    arguments.add(scenario);
    arguments.addAll(Arrays.asList(probeArguments));
    return run(arguments);
  }

  /** Runs {@code java} of the runtime under test with {@code -Xcheck:jni} and these arguments. */
  static Result run(List<String> arguments) {
    List<String> command = new ArrayList<>();
    command.add(javaExecutable());
    command.add("-Xcheck:jni");
    String extra = System.getProperty("jent.test.jvm.args", "").trim();
    if (!extra.isEmpty()) {
      command.addAll(Arrays.asList(extra.split("\\s+")));
    }
    command.addAll(arguments);
    return runCommand(command);
  }

  /** Runs any command, merging its standard error into its output. */
  static Result runCommand(List<String> command) {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    try {
      Process process = builder.start();
      process.getOutputStream().close();
      ByteArrayOutputStream output = new ByteArrayOutputStream();
      Thread pump = new Thread(() -> copy(process.getInputStream(), output), "child-output");
      pump.start();
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        pump.join();
        throw new AssertionError(
            "child JVM did not finish within "
                + TIMEOUT_SECONDS
                + " s: "
                + command
                + "\n"
                + output.toString(StandardCharsets.UTF_8));
      }
      pump.join();
      return new Result(process.exitValue(), output.toString(StandardCharsets.UTF_8), command);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for " + command, e);
    }
  }

  static String javaExecutable() {
    String configured = System.getProperty("jent.test.jvm");
    if (configured != null && !configured.isEmpty() && Files.isExecutable(Paths.get(configured))) {
      return configured;
    }
    return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static Path requiredPath(String property) {
    String value = System.getProperty(property);
    if (value == null || value.isEmpty()) {
      throw new IllegalStateException(property + " is not set; run the tests through Maven");
    }
    return Paths.get(value);
  }

  private static void copy(InputStream in, ByteArrayOutputStream out) {
    byte[] buffer = new byte[8192];
    try {
      int read;
      while ((read = in.read(buffer)) >= 0) {
        synchronized (out) {
          out.write(buffer, 0, read);
        }
      }
    } catch (IOException e) {
      synchronized (out) {
        out.writeBytes(
            ("\n[reading the child's output failed: " + e + "]\n")
                .getBytes(StandardCharsets.UTF_8));
      }
    }
  }
}

package dev.jent;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Health failures induced through the Java API with the test-only native library (cargo feature
 * {@code danger-test-timer}, built into target/test-native and never packaged), each in a fresh JVM
 * because a permanent failure lasts for the life of the JVM.
 */
class InducedFailureTest {
  @BeforeAll
  static void theTestLibraryExists() {
    if (!Files.isRegularFile(ChildJvm.testLibrary())) {
      throw new AssertionError(
          ChildJvm.testLibrary()
              + " is missing: the Maven build makes it in generate-test-resources");
    }
  }

  @Test
  void aConstantTimerFailsThePowerUpTestEveryTimeAndReturnsNoBytes() {
    ChildJvm.probeWithBcFips(
            List.of(
                "-Ddev.jent.native.path=" + ChildJvm.testLibrary(),
                "-Ddev.jent.timer=danger-cycle:5"),
            "danger-constant")
        .assertSuccess()
        .assertOutputContains("CONSTANT TIMER: power-up test");
  }

  @Test
  void aPermanentHealthFailureDisablesTheSourceForGood() {
    ChildJvm.probeWithBcFips(
            List.of("-Ddev.jent.native.path=" + ChildJvm.testLibrary()), "danger-permanent")
        .assertSuccess()
        .assertOutputContains("failed permanently")
        .assertOutputContains("STAYS DISABLED");
  }

  @Test
  void theTestLibraryServesNormallyWithARealTimer() {
    ChildJvm.probe(List.of("-Ddev.jent.native.path=" + ChildJvm.testLibrary()), "serve")
        .assertSuccess()
        .assertOutputContains("\"features\":[\"danger-test-timer\"]");
  }
}

package dev.jent.integration;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jent.demo.ShowEntropy;
import dev.jent.integration.probe.UnguardedRandomProbe;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * JENT is installed but cannot deliver (its native library does not load): BCFIPS must fail
 * with JENT's error, never recurse and never take seed from anywhere else.
 */
class UnusableEntropySourceTest {

  private static final String MISSING_LIBRARY = "/nonexistent/libjent_jni.so";
  private static final String NATIVE_PATH_OPTION = "-Ddev.jent.native.path=" + MISSING_LIBRARY;

  @ParameterizedTest
  @EnumSource(BcFipsSet.class)
  void defaultSecureRandomFailsWithJentsReason(BcFipsSet bcFips) throws Exception {
    FreshJvm.Result child = FreshJvm.with(bcFips)
        .option(NATIVE_PATH_OPTION)
        .run(UnguardedRandomProbe.class.getName());
    assertEquals(0, child.exitCode, child::describe);

    String outcome = child.value("outcome");
    assertAll(
        () -> assertFalse(outcome.startsWith("bytes from"),
            "BCFIPS produced random bytes without its seed source\n"
                + child.describe()),
        () -> assertFalse(outcome.contains("StackOverflowError"), child::describe),
        () -> assertTrue(outcome.contains("the JENT entropy source is unavailable"),
            child::describe),
        () -> assertTrue(child.stdout.contains(MISSING_LIBRARY), child::describe));
  }

  @ParameterizedTest
  @EnumSource(BcFipsSet.class)
  void demoReportsThatBcFipsHasNoSeed(BcFipsSet bcFips) throws Exception {
    FreshJvm.Result child = FreshJvm.with(bcFips)
        .option(NATIVE_PATH_OPTION)
        .run(ShowEntropy.class.getName());

    assertEquals(3, child.exitCode, child::describe);
    assertTrue(child.stdout.contains("ERROR: BCFIPS could not get its seed from JENT"),
        child::describe);
    assertTrue(child.stdout.contains(MISSING_LIBRARY), child::describe);
    assertFalse(child.stdout.contains("RESULT:"), child::describe);
  }
}

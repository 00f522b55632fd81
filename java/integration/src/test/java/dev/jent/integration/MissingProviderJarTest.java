package dev.jent.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jent.demo.ShowEntropy;
import dev.jent.integration.probe.UnguardedRandomProbe;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The profile names JENT, but the JENT jar is not on the class path: the recursion pitfall.
 *
 * <p>The JDK skips the missing provider class silently, and BCFIPS then seeds itself from
 * itself. The first test shows that a program which runs {@link StrongSourceCheck} first (the
 * demo does) stops with a plain error. The second records what BCFIPS does when nobody checks,
 * which is why that check exists and why docs/profile.md tells operators to ship the jar and
 * the profile together.
 */
class MissingProviderJarTest {

  @ParameterizedTest
  @EnumSource(BcFipsSet.class)
  void demoStopsWithAClearErrorInsteadOfRecursing(BcFipsSet bcFips) throws Exception {
    FreshJvm.Result child = FreshJvm.with(bcFips)
        .withoutProviderJar()
        .run(ShowEntropy.class.getName());

    assertEquals(2, child.exitCode, child::describe);
    assertTrue(child.stdout.contains("ERROR: None of securerandom.strongAlgorithms="
            + "ENTROPY:JENT is installed (missing: ENTROPY:JENT)"),
        child::describe);
    assertTrue(child.stdout.contains("jent-provider.jar"), child::describe);
    assertFalse((child.stdout + child.stderr).contains("java.lang.StackOverflowError"),
        child::describe);
    assertEquals("", child.stderr, child::describe);
  }

  @ParameterizedTest
  @EnumSource(BcFipsSet.class)
  void withoutTheCheckBcFipsRecursesIntoItself(BcFipsSet bcFips) throws Exception {
    FreshJvm.Result child = FreshJvm.with(bcFips)
        .withoutProviderJar()
        .run(UnguardedRandomProbe.class.getName());

    assertEquals(0, child.exitCode, child::describe);
    assertEquals("java.lang.StackOverflowError", child.value("outcome"),
        "if this changed, bc-fips no longer recurses: update docs/profile.md\n"
            + child.describe());
  }
}

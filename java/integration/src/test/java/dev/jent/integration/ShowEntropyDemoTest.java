package dev.jent.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jent.demo.ShowEntropy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The demo, run exactly as run-demo.sh runs it, proves its point and exits 0. */
class ShowEntropyDemoTest {

  @ParameterizedTest
  @EnumSource(BcFipsSet.class)
  void demoShowsBcFipsSeededFromJent(BcFipsSet bcFips) throws Exception {
    FreshJvm.Result child = FreshJvm.with(bcFips).run(ShowEntropy.class.getName());

    assertEquals(0, child.exitCode, child::describe);
    assertTrue(child.stdout.contains("approved-only mode:  true"), child::describe);
    assertTrue(child.stdout.contains("getInstanceStrong(): ENTROPY from JENT"),
        child::describe);
    assertTrue(child.stdout.contains("new SecureRandom() = DEFAULT from BCFIPS"),
        child::describe);
    assertEquals(2, occurrences(child.stdout, "[rose: seeded from JENT]"),
        child::describe);
    assertTrue(child.stdout.contains("RESULT: BCFIPS drew "), child::describe);
  }

  private static int occurrences(String text, String part) {
    int count = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
      count++;
    }
    return count;
  }
}

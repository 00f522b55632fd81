package dev.jent.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jent.integration.probe.ProfileProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Shows why the profile sets {@code org.bouncycastle.native.cpu_variant=java}: without it,
 * bc-fips 2.1.x on Linux x86_64 seeds its default DRBG from the CPU and never asks JENT.
 */
class NativeSeedingBypassTest {

  private static final String CPU_VARIANT = "org.bouncycastle.native.cpu_variant";

  @Test
  void withNativeCodeOnBcFips21SeedsItsDefaultDrbgWithoutJent() throws Exception {
    Path profile = Paths.get(System.getProperty("jent.test.profile"));
    List<String> withoutJavaVariant = Files.readAllLines(profile).stream()
        .filter(line -> !line.startsWith(CPU_VARIANT))
        .collect(Collectors.toList());
    assertTrue(withoutJavaVariant.size() < Files.readAllLines(profile).size(),
        "the profile no longer sets " + CPU_VARIANT + "; this test is out of date");
    Path variant = Files.createDirectories(Paths.get(System.getProperty("jent.test.work")))
        .resolve("profile-native-enabled.java.security");
    Files.write(variant, withoutJavaVariant);

    FreshJvm.Result child = FreshJvm.with(BcFipsSet.V2_1)
        .withProfile(variant)
        .run(ProfileProbe.class.getName());
    assertEquals(0, child.exitCode, child::describe);

    boolean cpuSeeding = "true".equals(child.value("native.enabled"))
        && "true".equals(child.value("native.random.service"));
    if (!cpuSeeding) {
      String reason = "bc-fips 2.1.x offers no native random service on this machine ("
          + System.getProperty("os.name") + " " + System.getProperty("os.arch")
          + ", native.enabled=" + child.value("native.enabled") + ", native.random.service="
          + child.value("native.random.service") + "), so there is no CPU seeding that could"
          + " bypass JENT";
      System.out.println("SKIPPED: " + reason);
      Assumptions.abort(reason);
    }

    long requestsAtStart = Long.parseLong(child.value("jent.requests.start"));
    long requestsAfterDefault = Long.parseLong(child.value("jent.requests.after.default"));
    long requestsAfterNewDrbg = Long.parseLong(child.value("jent.requests.after.new.drbg"));
    assertEquals(requestsAtStart, requestsAfterDefault,
        "with native code on, BCFIPS's default DRBG is expected to be seeded by the CPU,"
            + " not by JENT\n" + child.describe());
    assertTrue(requestsAfterNewDrbg > requestsAfterDefault,
        "DRBGs built with DrbgParameters still take the strongAlgorithms route\n"
            + child.describe());
  }
}

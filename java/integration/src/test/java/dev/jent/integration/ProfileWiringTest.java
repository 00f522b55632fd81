package dev.jent.integration;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jent.integration.probe.ProfileProbe;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A JVM started with nothing but the profile and the jars is wired as the profile promises. */
class ProfileWiringTest {

  @ParameterizedTest
  @EnumSource(BcFipsSet.class)
  void profileAloneMakesBcFipsTheDefaultAndJentItsSeedSource(BcFipsSet bcFips)
      throws Exception {
    FreshJvm.Result child = FreshJvm.with(bcFips).run(ProfileProbe.class.getName());
    assertEquals(0, child.exitCode, child::describe);

    assertAll(
        () -> assertEquals("ENTROPY:JENT", child.value("strong.check")),
        () -> assertEquals("ENTROPY/JENT", child.value("strong"), child::describe),
        () -> assertEquals("DEFAULT/BCFIPS", child.value("default"), child::describe),
        () -> assertEquals("true", child.value("approved.only"), child::describe),
        () -> assertEquals("BCFIPS", child.value("provider.1")),
        () -> assertEquals("BCJSSE", child.value("provider.2")),
        () -> assertEquals("JENT", child.value("provider.3")),
        () -> assertTrue(child.value("bcfips.jar")
                .endsWith("/bc-fips-" + bcFips.bcFipsVersion() + ".jar"),
            child::describe),
        () -> assertEquals("refused", child.value("bcfips.md5"),
            "approved-only BCFIPS must not offer MD5"),
        () -> assertEquals("BCFIPS", child.value("aes.gcm.provider")),
        () -> assertEquals("bcfks", child.value("keystore.default.type")),
        () -> assertEquals("BCFIPS", child.value("keystore.default.provider")),
        () -> assertEquals("PKIX/BCJSSE", child.value("kmf.default")),
        () -> assertEquals("PKIX/BCJSSE", child.value("tmf.default")));

    if (bcFips == BcFipsSet.V2_1) {
      assertEquals("false", child.value("native.enabled"),
          "the profile must switch bc-fips 2.1.x native code (and its RDSEED/RDRAND"
              + " seeding) off\n" + child.describe());
    }
  }

  @ParameterizedTest
  @EnumSource(BcFipsSet.class)
  void jentCountersRiseWhenBcFipsSeedsANewDrbg(BcFipsSet bcFips) throws Exception {
    FreshJvm.Result child = FreshJvm.with(bcFips).run(ProfileProbe.class.getName());
    assertEquals(0, child.exitCode, child::describe);

    long requestsAtStart = Long.parseLong(child.value("jent.requests.start"));
    long requestsAfterDefault = Long.parseLong(child.value("jent.requests.after.default"));
    long requestsAfterNewDrbg = Long.parseLong(child.value("jent.requests.after.new.drbg"));
    long bytesAtStart = Long.parseLong(child.value("jent.bytes.start"));
    long bytesAfterDefault = Long.parseLong(child.value("jent.bytes.after.default"));
    long bytesAfterNewDrbg = Long.parseLong(child.value("jent.bytes.after.new.drbg"));

    assertAll(
        () -> assertTrue(requestsAfterDefault > requestsAtStart,
            "seeding BCFIPS's default DRBG must draw from JENT\n" + child.describe()),
        () -> assertTrue(bytesAfterDefault > bytesAtStart, child::describe),
        () -> assertTrue(requestsAfterNewDrbg > requestsAfterDefault,
            "a newly built BCFIPS DRBG must draw from JENT\n" + child.describe()),
        () -> assertTrue(bytesAfterNewDrbg > bytesAfterDefault, child::describe));
  }
}

package dev.jent.integration;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jent.integration.probe.ProgrammaticDrbgProbe;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The programmatic route, for applications that do not use the profile: a BCFIPS
 * {@code FipsSecureRandom} built from {@code JentEntropySourceProvider}.
 */
class ProgrammaticDrbgTest {

  @ParameterizedTest
  @EnumSource(BcFipsSet.class)
  void jentEntropySourceProviderSeedsAWorkingFipsDrbg(BcFipsSet bcFips) throws Exception {
    FreshJvm.Result child = FreshJvm.with(bcFips)
        .withoutProfile()
        .option("-Dorg.bouncycastle.fips.approved_only=true")
        .run(ProgrammaticDrbgProbe.class.getName());
    assertEquals(0, child.exitCode, child::describe);

    long atStart = Long.parseLong(child.value("jent.requests.start"));
    long afterBuild = Long.parseLong(child.value("jent.requests.after.build"));
    long afterUse = Long.parseLong(child.value("jent.requests.after.use"));
    assertAll(
        () -> assertEquals("true", child.value("approved.only")),
        () -> assertEquals("org.bouncycastle.crypto.fips.FipsSecureRandom",
            child.value("drbg.class")),
        () -> assertEquals("256", child.value("drbg.security.strength")),
        () -> assertEquals("true", child.value("drbg.prediction.resistant")),
        () -> assertEquals("16", child.value("nonce.bytes"),
            "128 bits of nonce are 16 bytes"),
        () -> assertEquals("true", child.value("output.distinct")),
        () -> assertEquals("true", child.value("output.nonzero")),
        () -> assertTrue(afterBuild > atStart,
            "instantiation must draw from JENT\n" + child.describe()),
        // Prediction resistance: every request reseeds from the entropy source.
        () -> assertTrue(afterUse >= afterBuild + 2,
            "each prediction-resistant request must draw from JENT\n"
                + child.describe()));
  }
}

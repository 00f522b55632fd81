package dev.jent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.InvalidParameterException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Parsing of the dev.jent.* settings; the end-to-end cases run in fresh JVMs (FreshJvmTest). */
class SettingsTest {
  private static Settings parse(String... nameValuePairs) {
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < nameValuePairs.length; i += 2) {
      values.put(nameValuePairs[i], nameValuePairs[i + 1]);
    }
    return Settings.parse(
        name ->
            values.containsKey(name)
                ? new Settings.Value(name, values.get(name), "system property")
                : null);
  }

  @Test
  void nothingSetMeansTheCoreDefaults() {
    Settings settings = parse();
    assertEquals(Native.UNSET, settings.osr);
    assertEquals(Native.UNSET, settings.mode);
    assertEquals(0, settings.memorySize);
    assertEquals(Native.UNSET, settings.hashLoopCount);
    assertEquals(Native.UNSET, settings.timer);
    assertNull(settings.encodedTimerDeltas());
    int expectedCollectors =
        Math.min(Runtime.getRuntime().availableProcessors(), Settings.DEFAULT_COLLECTOR_CAP);
    assertEquals(expectedCollectors, settings.collectors);
    assertEquals("{}", settings.json);
  }

  @Test
  void validValuesAreTaken() {
    Settings settings =
        parse(
            "dev.jent.osr", "6",
            "dev.jent.mode", " NTG1 ",
            "dev.jent.memory_size", "65536",
            "dev.jent.hash_loop", "8",
            "dev.jent.timer", "clock",
            "dev.jent.collectors", "3");
    assertEquals(6, settings.osr);
    assertEquals(Native.MODE_NTG1, settings.mode);
    assertEquals(65536, settings.memorySize);
    assertEquals(8, settings.hashLoopCount);
    assertEquals(Native.TIMER_CLOCK, settings.timer);
    assertEquals(3, settings.collectors);
    assertTrue(settings.json.contains("\"dev.jent.mode\":\" NTG1 \""), settings.json);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "dev.jent.osr|21|0 to 20",
        "dev.jent.osr|-1|0 to 20",
        "dev.jent.osr|three|0 to 20",
        "dev.jent.mode|fips140|fips, ntg1 or standard",
        "dev.jent.memory_size|1000|power of two",
        "dev.jent.memory_size|512|power of two",
        "dev.jent.memory_size|1073741824|power of two",
        "dev.jent.hash_loop|3|power of two",
        "dev.jent.hash_loop|256|power of two",
        "dev.jent.hash_loop|0|power of two",
        "dev.jent.timer|rdtsc|auto, hardware, clock or internal",
        "dev.jent.timer|danger-cycle:|danger-cycle",
        "dev.jent.timer|danger-cycle:1,x|danger-cycle",
        "dev.jent.collectors|0|1 to 64",
        "dev.jent.collectors|65|1 to 64",
      })
  void anInvalidValueNamesTheSettingTheValueAndWhatIsAllowed(
      String name, String value, String allowed) {
    InvalidParameterException error =
        assertThrows(InvalidParameterException.class, () -> parse(name, value));
    String message = error.getMessage();
    assertTrue(message.contains(name + "=\"" + value + "\""), message);
    assertTrue(message.contains(allowed), message);
    assertTrue(message.contains("system property"), message);
    assertTrue(message.contains("does not fall back"), message);
  }

  @Test
  void theDangerTimerIsParsedForTestBuilds() {
    Settings settings = parse("dev.jent.timer", "danger-cycle:7, 18446744073709551615");
    assertEquals(Native.TIMER_DANGER_CYCLE, settings.timer);
    byte[] expected = {7, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1};
    assertArrayEquals(expected, settings.encodedTimerDeltas());
  }

  @Test
  void aSecurityPropertyWinsOverASystemProperty() {
    String name = "dev.jent.test.precedence";
    String before = java.security.Security.getProperty(name);
    try {
      System.setProperty(name, "from-system");
      assertEquals("from-system", Settings.lookup(name).text);
      assertEquals("system property", Settings.lookup(name).origin);

      java.security.Security.setProperty(name, "from-security");
      assertEquals("from-security", Settings.lookup(name).text);
      assertEquals("security property", Settings.lookup(name).origin);
    } finally {
      System.clearProperty(name);
      java.security.Security.setProperty(name, before == null ? "" : before);
    }
  }

  @Test
  void anEmptyValueCountsAsNotSet() {
    String name = "dev.jent.test.empty";
    try {
      System.setProperty(name, "  ");
      assertNull(Settings.lookup(name));
    } finally {
      System.clearProperty(name);
    }
  }
}

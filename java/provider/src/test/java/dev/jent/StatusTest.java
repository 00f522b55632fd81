package dev.jent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link Jent#statusJson()} on the shipped library, in the test JVM. */
class StatusTest {
  @Test
  void theReportIsJsonWithTheDocumentedKeys() throws Exception {
    SecureRandom.getInstance("ENTROPY", new JentProvider()).generateSeed(8);
    Object status = MiniJson.parse(Jent.statusJson());

    @SuppressWarnings("unchecked")
    Map<String, Object> top = (Map<String, Object>) status;
    assertEquals("JENT", top.get("provider"));
    assertEquals(Boolean.TRUE, top.get("available"));
    assertTrue(Jent.isAvailable());

    Map<String, Object> library = MiniJson.object(status, "library");
    assertTrue(String.valueOf(library.get("origin")).contains("META-INF/native/linux-x86_64"));
    Map<String, Object> build = MiniJson.object(library, "build");
    assertEquals((double) Native.ABI_VERSION, build.get("abi"));
    assertEquals(List.of(), build.get("features"), "the shipped library has no test features");

    Map<String, Object> pool = MiniJson.object(status, "pool");
    assertTrue(MiniJson.number(pool, "capacity") >= 1);
    @SuppressWarnings("unchecked")
    List<Object> collectors = (List<Object>) pool.get("collectors");
    assertFalse(collectors.isEmpty(), "a request was served, so a collector was started");
    Map<String, Object> core = MiniJson.object(collectors.get(0), "status");
    for (String key : new String[] {"version", "mode", "osr", "timer", "memory_size", "health"}) {
      assertTrue(core.containsKey(key), () -> "core status lacks " + key + ": " + core);
    }
    assertEquals("fips", core.get("mode"));
    assertEquals("ok", MiniJson.object(core, "health").get("state"));
  }

  @Test
  void countersFollowEachWayIn() throws Exception {
    SecureRandom random = SecureRandom.getInstance("ENTROPY", new JentProvider());
    Map<String, Object> seedBefore = SecureRandomTest.served("generate_seed");
    Map<String, Object> bytesBefore = SecureRandomTest.served("next_bytes");
    Map<String, Object> totalBefore = SecureRandomTest.served("total");

    random.generateSeed(17);
    random.nextBytes(new byte[5]);

    Map<String, Object> seedAfter = SecureRandomTest.served("generate_seed");
    Map<String, Object> bytesAfter = SecureRandomTest.served("next_bytes");
    Map<String, Object> totalAfter = SecureRandomTest.served("total");
    assertTrue(MiniJson.number(seedAfter, "bytes") >= MiniJson.number(seedBefore, "bytes") + 17);
    assertTrue(MiniJson.number(bytesAfter, "bytes") >= MiniJson.number(bytesBefore, "bytes") + 5);
    assertTrue(
        MiniJson.number(totalAfter, "requests") >= MiniJson.number(totalBefore, "requests") + 2);
  }

  @Test
  void refusedRequestsAreNotCountedAsServed() throws Exception {
    SecureRandom random = SecureRandom.getInstance("ENTROPY", new JentProvider());
    long before = MiniJson.number(SecureRandomTest.served("generate_seed"), "requests");
    try {
      random.generateSeed(-5);
    } catch (IllegalArgumentException expected) {
      // Refused before it reaches a collector: not a request served.
    }
    assertEquals(before, MiniJson.number(SecureRandomTest.served("generate_seed"), "requests"));
  }
}

package dev.jent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import org.bouncycastle.crypto.EntropySource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The bc-fips {@code EntropySourceProvider} face, on the shipped library, in the test JVM. */
class EntropySourceProviderTest {
  private final JentEntropySourceProvider provider = new JentEntropySourceProvider();

  @ParameterizedTest
  @CsvSource({"1,1", "8,1", "9,2", "129,17", "256,32", "512,64"})
  void getEntropyReturnsCeilingOfBitsOverEight(int bits, int bytes) {
    EntropySource source = provider.get(bits);
    assertTrue(source.isPredictionResistant());
    assertEquals(bits, source.entropySize());
    assertEquals(bytes, source.getEntropy().length);
  }

  @Test
  void everyBlockIsFresh() {
    EntropySource source = provider.get(256);
    assertFalse(Arrays.equals(source.getEntropy(), source.getEntropy()));
  }

  @Test
  void nonPositiveOrHugeBitCountsAreRefused() {
    for (int bits : new int[] {0, -8, Integer.MAX_VALUE}) {
      IllegalArgumentException error =
          assertThrows(IllegalArgumentException.class, () -> provider.get(bits));
      assertTrue(error.getMessage().contains("bitsRequired"), error::getMessage);
    }
  }

  @Test
  void requestsAreCountedUnderTheirOwnCaller() {
    Map<String, Object> before = SecureRandomTest.served("entropy_source_provider");
    provider.get(256).getEntropy();
    provider.get(129).getEntropy();
    Map<String, Object> after = SecureRandomTest.served("entropy_source_provider");
    assertTrue(MiniJson.number(after, "requests") >= MiniJson.number(before, "requests") + 2);
    assertTrue(MiniJson.number(after, "bytes") >= MiniJson.number(before, "bytes") + 49);
  }
}

package dev.jent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The SecureRandom face of the provider, on the shipped library, in the test JVM. */
class SecureRandomTest {
  private final SecureRandom random = newRandom();

  private static SecureRandom newRandom() {
    try {
      return SecureRandom.getInstance("ENTROPY", new JentProvider());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 32, 4096})
  void generateSeedReturnsExactlyTheRequestedLength(int length) {
    byte[] seed = random.generateSeed(length);
    assertEquals(length, seed.length);
    if (length >= 32) {
      assertFalse(allZero(seed), "32 or more bytes of entropy cannot all be zero");
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 32, 4096})
  void nextBytesFillsTheWholeArray(int length) {
    byte[] first = new byte[length];
    byte[] second = new byte[length];
    random.nextBytes(first);
    random.nextBytes(second);
    if (length >= 32) {
      assertFalse(allZero(first));
      assertFalse(Arrays.equals(first, second), "two requests must not repeat output");
      // Every position is written: the last 32 bytes are as fresh as the first.
      assertFalse(allZero(Arrays.copyOfRange(first, length - 32, length)));
    }
  }

  @Test
  void consecutiveSeedsDiffer() {
    assertFalse(Arrays.equals(random.generateSeed(32), random.generateSeed(32)));
  }

  @Test
  void aNegativeSeedLengthIsRefusedClearly() {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> random.generateSeed(-1));
    assertTrue(error.getMessage().contains("negative"), error::getMessage);
  }

  @Test
  void aHugeSeedLengthIsRefusedNamingTheBound() {
    for (int length : new int[] {Engine.MAX_REQUEST_BYTES + 1, Integer.MAX_VALUE}) {
      IllegalArgumentException error =
          assertThrows(IllegalArgumentException.class, () -> random.generateSeed(length));
      assertTrue(
          error.getMessage().contains(String.valueOf(Engine.MAX_REQUEST_BYTES)), error::getMessage);
    }
  }

  @Test
  void theLargestAllowedRequestIsServed() {
    assertEquals(Engine.MAX_REQUEST_BYTES, random.generateSeed(Engine.MAX_REQUEST_BYTES).length);
  }

  @Test
  void aTooLargeArrayIsRefusedAndLeftUntouched() {
    byte[] target = new byte[Engine.MAX_REQUEST_BYTES + 1];
    Arrays.fill(target, (byte) 0x5a);
    assertThrows(IllegalArgumentException.class, () -> random.nextBytes(target));
    byte[] expected = new byte[target.length];
    Arrays.fill(expected, (byte) 0x5a);
    assertArrayEquals(expected, target);
  }

  @Test
  void aNullArrayIsRefusedClearly() {
    NullPointerException error =
        assertThrows(NullPointerException.class, () -> random.nextBytes(null));
    assertTrue(String.valueOf(error.getMessage()).contains("null"), error::toString);
  }

  @Test
  void setSeedAddsNothingAndChangesNothing() {
    SecureRandom other = newRandom();
    byte[] seed = new byte[32];
    random.setSeed(seed);
    other.setSeed(seed);
    random.setSeed(42L);

    // Same seed, same moment: output still differs, because seeding adds nothing.
    assertFalse(Arrays.equals(random.generateSeed(32), other.generateSeed(32)));
    assertThrows(NullPointerException.class, () -> random.setSeed(null));
  }

  @Test
  void intsAndLongsComeFromTheSameSource() {
    long before = MiniJson.number(served("next_bytes"), "requests");
    random.nextInt();
    random.nextLong();
    assertTrue(MiniJson.number(served("next_bytes"), "requests") >= before + 2);
  }

  static java.util.Map<String, Object> served(String caller) {
    return MiniJson.object(MiniJson.object(MiniJson.parse(Jent.statusJson()), "served"), caller);
  }

  static boolean allZero(byte[] bytes) {
    for (byte b : bytes) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }
}

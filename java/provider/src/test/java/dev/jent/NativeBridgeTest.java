package dev.jent;

import org.junit.jupiter.api.Test;

/** Every native and its error mapping, on the shipped library, in the test JVM. */
class NativeBridgeTest {
  @Test
  void everyNativeMapsItsErrorsToOneExceptionClass() {
    JniWorkload.run();
  }

  @Test
  void theAbiCheckRefusesAnotherVersion() {
    NativeLoader.AttemptFailure failure =
        org.junit.jupiter.api.Assertions.assertThrows(
            NativeLoader.AttemptFailure.class,
            () -> NativeLoader.checkAbi("test library", Native.ABI_VERSION + 1));
    org.junit.jupiter.api.Assertions.assertTrue(failure.isFinal);
    org.junit.jupiter.api.Assertions.assertTrue(
        failure.getMessage().contains("ABI " + (Native.ABI_VERSION + 1)), failure::getMessage);
  }
}

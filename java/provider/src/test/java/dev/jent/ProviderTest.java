package dev.jent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.DrbgParameters;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.SecureRandom;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ProviderTest {
  private final Provider provider = new JentProvider();

  @Test
  void registersTheEntropyServiceAsThreadSafe() {
    assertEquals("JENT", provider.getName());
    assertEquals("0.1.0", provider.getVersionStr());

    Provider.Service service = provider.getService("SecureRandom", "ENTROPY");
    assertNotNull(service, "SecureRandom.ENTROPY must be registered");
    assertEquals("true", service.getAttribute("ThreadSafe"));
    assertEquals("true", provider.getProperty("SecureRandom.ENTROPY ThreadSafe"));

    List<String> services =
        provider.getServices().stream()
            .map(s -> s.getType() + "." + s.getAlgorithm())
            .collect(Collectors.toList());
    assertEquals(List.of("SecureRandom.ENTROPY"), services);
  }

  @Test
  void secureRandomResolvesToTheProvider() throws Exception {
    SecureRandom random = SecureRandom.getInstance("ENTROPY", provider);
    assertEquals("ENTROPY", random.getAlgorithm());
    assertSame(provider, random.getProvider());
    assertEquals(16, random.generateSeed(16).length);
  }

  @Test
  void refusesDrbgParameters() {
    DrbgParameters.Instantiation parameters =
        DrbgParameters.instantiation(256, DrbgParameters.Capability.PR_AND_RESEED, null);
    NoSuchAlgorithmException error =
        assertThrows(
            NoSuchAlgorithmException.class,
            () -> SecureRandom.getInstance("ENTROPY", parameters, provider));
    assertTrue(
        String.valueOf(error.getMessage()).contains("ENTROPY")
            || String.valueOf(error.getCause()).contains("SecureRandomParameters"),
        error::toString);
  }

  @Test
  void theServiceLoaderFindsTheProvider() {
    boolean found =
        ServiceLoader.load(Provider.class).stream()
            .anyMatch(p -> p.type().getName().equals(JentProvider.class.getName()));
    assertTrue(found, "META-INF/services or module-info must offer dev.jent.JentProvider");
  }
}

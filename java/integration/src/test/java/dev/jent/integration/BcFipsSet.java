package dev.jent.integration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** One Bouncy Castle FIPS jar set (bc-fips, bctls-fips, bcpkix-fips, bcutil-fips). */
enum BcFipsSet {
  /** bc-fips 2.0.0: no native code; seeds from securerandom.strongAlgorithms. */
  V2_0("jent.test.bc20"),
  /** The newest bc-fips 2.1.x: native code on Linux x86_64 unless the profile turns it off. */
  V2_1("jent.test.bc21");

  private final String directoryProperty;

  BcFipsSet(String directoryProperty) {
    this.directoryProperty = directoryProperty;
  }

  /** @return the jars of this set, as copied into target/ by the build */
  List<Path> jars() {
    String directory = System.getProperty(directoryProperty);
    if (directory == null) {
      throw new IllegalStateException("system property " + directoryProperty
          + " is not set; run the tests through Maven (mvn verify)");
    }
    try (Stream<Path> files = Files.list(Paths.get(directory))) {
      List<Path> jars = files.filter(f -> f.toString().endsWith(".jar"))
          .sorted()
          .collect(Collectors.toList());
      if (jars.size() != 4) {
        throw new IllegalStateException("expected 4 Bouncy Castle jars in " + directory
            + ", found " + jars);
      }
      return jars;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + directory, e);
    }
  }

  /** @return the bc-fips version of this set, from its jar's name */
  String bcFipsVersion() {
    for (Path jar : jars()) {
      String name = jar.getFileName().toString();
      if (name.startsWith("bc-fips-")) {
        return name.substring("bc-fips-".length(), name.length() - ".jar".length());
      }
    }
    throw new IllegalStateException("no bc-fips jar in " + jars());
  }
}

package dev.jent.integration;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;

/** A {@code java} launcher other than the running one, as used to start fresh JVMs. */
public final class JavaLauncher {

  private static final String SPEC_VERSION = "java.specification.version = ";

  private final String path;
  private final int featureVersion;

  private JavaLauncher(String path, int featureVersion) {
    this.path = path;
    this.featureVersion = featureVersion;
  }

  /**
   * Asks the launcher for its Java version.
   *
   * @param path the {@code bin/java} to run
   * @return the launcher
   * @throws IOException if it cannot be run or does not report a version
   * @throws InterruptedException if interrupted while waiting for it
   */
  public static JavaLauncher at(String path) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(path, "-XshowSettings:properties", "-version")
        .redirectErrorStream(true)
        .start();
    String settings = new String(process.getInputStream().readAllBytes(),
        StandardCharsets.UTF_8);
    process.waitFor();
    for (String line : settings.split("\n")) {
      String trimmed = line.trim();
      if (trimmed.startsWith(SPEC_VERSION)) {
        String version = trimmed.substring(SPEC_VERSION.length()).trim();
        // Java 8 and older report "1.8"; this project starts at 11.
        return new JavaLauncher(path, Integer.parseInt(version));
      }
    }
    throw new IOException(path + " did not report java.specification.version:\n"
        + settings);
  }

  /** @return the path of the launcher */
  public String path() {
    return path;
  }

  /** @return 11, 17, 21, 25, ... */
  public int featureVersion() {
    return featureVersion;
  }

  /**
   * @return the options that let JENT load its native library without a warning: from Java
   *     22 on the JVM warns about JNI use unless it is granted; older runtimes do not know the
   *     option (11 refuses it)
   */
  public List<String> nativeAccessOptions() {
    return featureVersion >= 22
        ? Collections.singletonList("--enable-native-access=ALL-UNNAMED")
        : Collections.emptyList();
  }
}

package dev.jent;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Behaviour that is fixed once per JVM (settings, the loaded library, module layout), checked in
 * fresh JVMs of the runtime under test, all with {@code -Xcheck:jni}.
 */
class FreshJvmTest {
  @TempDir Path temporary;

  @Test
  void noJniWarningsUnderXcheckJni() {
    List<String> arguments = new ArrayList<>();
    arguments.add("-cp");
    arguments.add(ChildJvm.classpath());
    arguments.add(JniWorkload.class.getName());
    ChildJvm.run(arguments)
        .assertSuccess()
        .assertOutputContains("JNI WORKLOAD OK")
        .assertOutputLacks("WARNING in native method")
        .assertOutputLacks("WARNING: JNI");
  }

  @Test
  void aMissingLibraryFailsLoudlyNamingThePath() {
    String bogus = temporary.resolve("no-such-dir/libjent_jni.so").toString();
    ChildJvm.probe(List.of("-Ddev.jent.native.path=" + bogus), "expect-unavailable", bogus)
        .assertSuccess()
        .assertOutputContains("no such file")
        .assertOutputLacks("StackOverflowError");
  }

  @Test
  void aLibraryThatIsNotOursFailsTheHandshake() {
    Path foreign = Paths.get("/lib/x86_64-linux-gnu/libz.so.1");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.isRegularFile(foreign), "no " + foreign + " on this machine to stand in");
    ChildJvm.probe(
            List.of("-Ddev.jent.native.path=" + foreign),
            "expect-unavailable",
            "not the JENT bridge")
        .assertSuccess();
  }

  @Test
  void aRelativeLibraryPathIsRefused() {
    ChildJvm.probe(
            List.of("-Ddev.jent.native.path=libjent_jni.so"),
            "expect-unavailable",
            "must be an absolute path")
        .assertSuccess();
  }

  @Test
  void anUnsafeWorkdirIsRefusedAndEveryAttemptIsListed() throws IOException {
    Path open = Files.createDirectory(temporary.resolve("world-writable"));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
    ChildJvm.probe(
            List.of("-Ddev.jent.native.workdir=" + open),
            "expect-unavailable",
            "attempts in order",
            "1. library bundled in the jar",
            "no sticky bit",
            "2. System.loadLibrary(\"jent_jni\")")
        .assertSuccess();
  }

  @Test
  void bcFipsFailsLoudlyInsteadOfRecursingWhenTheLibraryIsMissing() {
    List<String> arguments = new ArrayList<>();
    arguments.add("-Ddev.jent.native.path=" + temporary.resolve("missing.so"));
    arguments.add("-cp");
    arguments.add(ChildJvm.classpath(ChildJvm.bcFipsJar()));
    arguments.add(ChildJvm.PROBE);
    arguments.add("bcfips-unavailable");
    ChildJvm.run(arguments).assertSuccess().assertOutputLacks("StackOverflowError");
  }

  @Test
  void bcFipsSeedsFromJent() {
    List<String> arguments = new ArrayList<>();
    arguments.add("-cp");
    arguments.add(ChildJvm.classpath(ChildJvm.bcFipsJar()));
    arguments.add(ChildJvm.PROBE);
    arguments.add("bcfips-serve");
    ChildJvm.run(arguments).assertSuccess().assertOutputContains("BCFIPS SEEDED FROM JENT");
  }

  @Test
  void invalidSettingsAreReportedAtFirstUse() {
    ChildJvm.probe(
            List.of("-Ddev.jent.osr=99"),
            "expect-invalid-setting",
            "dev.jent.osr=\"99\"",
            "0 to 20")
        .assertSuccess();
    ChildJvm.probe(
            List.of("-Ddev.jent.memory_size=3000"),
            "expect-invalid-setting",
            "dev.jent.memory_size",
            "power of two")
        .assertSuccess();
  }

  @Test
  void theShippedLibraryRefusesTheTestOnlyTimer() {
    ChildJvm.probe(
            List.of("-Ddev.jent.timer=danger-cycle:1,2,3"),
            "expect-invalid-setting",
            "test-only",
            "danger-test-timer")
        .assertSuccess();
  }

  @Test
  void securityPropertiesFromAJavaSecurityFileAreHonoured() throws IOException {
    Path profile = temporary.resolve("jent.security");
    Files.write(profile, List.of("dev.jent.hash_loop=3"));
    ChildJvm.probe(
            List.of("-Djava.security.properties=" + profile),
            "expect-invalid-setting",
            "security property dev.jent.hash_loop=\"3\"")
        .assertSuccess();
  }

  @Test
  void theModuleWorksOnTheModulePathWithoutBcFips() {
    List<String> arguments = new ArrayList<>();
    arguments.add("--module-path");
    arguments.add(ChildJvm.classes().toString());
    arguments.add("--add-modules");
    arguments.add("dev.jent.provider");
    arguments.add("-cp");
    arguments.add(ChildJvm.testClasses().toString());
    arguments.add(ChildJvm.PROBE);
    arguments.add("module");
    ChildJvm.run(arguments).assertSuccess().assertOutputContains("bc-fips present: false");
  }

  @Test
  void theModuleWorksOnTheModulePathWithBcFips() {
    List<String> arguments = new ArrayList<>();
    arguments.add("--module-path");
    arguments.add(ChildJvm.classes() + File.pathSeparator + ChildJvm.bcFipsJar());
    arguments.add("--add-modules");
    arguments.add("dev.jent.provider,org.bouncycastle.fips.core");
    arguments.add("-cp");
    arguments.add(ChildJvm.testClasses().toString());
    arguments.add(ChildJvm.PROBE);
    arguments.add("module");
    arguments.add("with-bc-fips");
    ChildJvm.run(arguments).assertSuccess().assertOutputContains("bc-fips present: true");
  }
}

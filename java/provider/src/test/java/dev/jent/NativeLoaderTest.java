package dev.jent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loader's refusals and explanations, each set up for real on this machine. */
class NativeLoaderTest {
  private static final byte[] LIBRARY = "not really a library".getBytes(StandardCharsets.UTF_8);

  @TempDir Path base;

  @Test
  void createsAnOwnerOnlyDirectoryWithAFreshName() throws Exception {
    String first = NativeLoader.randomName();
    String second = NativeLoader.randomName();
    assertTrue(first.matches("jent-native-[0-9a-f]{16}"), first);
    assertNotEquals(first, second);

    Path directory = NativeLoader.createPrivateDirectory(base, first);
    assertEquals("rwx------", permissions(directory));
    NativeLoader.verifyPrivate(directory, true);

    Path file = directory.resolve(NativeLoader.LIBRARY_FILE);
    NativeLoader.extract(new ByteArrayInputStream(LIBRARY), file);
    assertEquals("rw-------", permissions(file));
    NativeLoader.verifyPrivate(file, false);
  }

  @Test
  void refusesAPlantedSymlinkInsteadOfItsDirectory() throws Exception {
    Path elsewhere = Files.createDirectory(base.resolve("elsewhere"));
    Path planted = Files.createSymbolicLink(base.resolve("jent-native-planted"), elsewhere);
    NativeLoader.AttemptFailure failure =
        assertThrows(
            NativeLoader.AttemptFailure.class,
            () -> NativeLoader.createPrivateDirectory(base, "jent-native-planted"));
    assertTrue(failure.getMessage().contains("already exists"), failure::getMessage);
    assertTrue(Files.isSymbolicLink(planted), "the planted link must be left alone");

    NativeLoader.AttemptFailure link =
        assertThrows(
            NativeLoader.AttemptFailure.class, () -> NativeLoader.verifyPrivate(planted, true));
    assertTrue(link.getMessage().contains("symbolic link"), link::getMessage);
  }

  @Test
  void refusesADanglingSymlinkInsteadOfItsDirectory() throws Exception {
    Files.createSymbolicLink(base.resolve("jent-native-dangling"), base.resolve("not-yet"));
    assertThrows(
        NativeLoader.AttemptFailure.class,
        () -> NativeLoader.createPrivateDirectory(base, "jent-native-dangling"));
    assertFalse(Files.exists(base.resolve("not-yet")), "the link target must not be created");
  }

  @Test
  void refusesADirectoryWithLoosePermissions() throws Exception {
    Path loose = Files.createDirectory(base.resolve("loose"));
    Files.setPosixFilePermissions(loose, PosixFilePermissions.fromString("rwxr-xr-x"));
    NativeLoader.AttemptFailure failure =
        assertThrows(
            NativeLoader.AttemptFailure.class, () -> NativeLoader.verifyPrivate(loose, true));
    assertTrue(failure.getMessage().contains("rwxr-xr-x"), failure::getMessage);
  }

  @Test
  void refusesADirectoryOfAnotherOwner() throws Exception {
    assumeTrue(
        NativeLoader.processUid().orElse(-1) == 0,
        "changing a file's owner needs root; this JVM runs as uid "
            + NativeLoader.processUid().orElse(-1));
    Path foreign = Files.createDirectory(base.resolve("foreign"));
    Files.setPosixFilePermissions(foreign, NativeLoader.PRIVATE_DIRECTORY);
    Files.setAttribute(foreign, "unix:uid", 65534, LinkOption.NOFOLLOW_LINKS);
    NativeLoader.AttemptFailure failure =
        assertThrows(
            NativeLoader.AttemptFailure.class, () -> NativeLoader.verifyPrivate(foreign, true));
    assertTrue(failure.getMessage().contains("uid 65534"), failure::getMessage);
  }

  @Test
  void refusesALibraryFileItDidNotCreate() throws Exception {
    Path directory = NativeLoader.createPrivateDirectory(base, NativeLoader.randomName());
    Path planted = directory.resolve(NativeLoader.LIBRARY_FILE);
    Files.write(planted, "planted".getBytes(StandardCharsets.UTF_8));

    NativeLoader.AttemptFailure failure =
        assertThrows(
            NativeLoader.AttemptFailure.class,
            () -> NativeLoader.extract(new ByteArrayInputStream(LIBRARY), planted));
    assertTrue(failure.getMessage().contains("already exists"), failure::getMessage);
    assertEquals("planted", new String(Files.readAllBytes(planted), StandardCharsets.UTF_8));
  }

  @Test
  void refusesASymlinkPlantedAsTheLibraryFile() throws Exception {
    Path directory = NativeLoader.createPrivateDirectory(base, NativeLoader.randomName());
    Path target = Files.write(base.resolve("victim"), "keep".getBytes(StandardCharsets.UTF_8));
    Path planted = Files.createSymbolicLink(directory.resolve(NativeLoader.LIBRARY_FILE), target);
    assertThrows(
        NativeLoader.AttemptFailure.class,
        () -> NativeLoader.extract(new ByteArrayInputStream(LIBRARY), planted));
    assertEquals("keep", new String(Files.readAllBytes(target), StandardCharsets.UTF_8));
  }

  @Test
  void refusesAWorkdirOthersCanWriteWithoutTheStickyBit() throws Exception {
    Path open = Files.createDirectory(base.resolve("open"));
    chmod("0777", open);
    NativeLoader.AttemptFailure failure =
        assertThrows(NativeLoader.AttemptFailure.class, () -> NativeLoader.checkWorkdir(open));
    assertTrue(failure.getMessage().contains("no sticky bit"), failure::getMessage);

    Path groupWritable = Files.createDirectory(base.resolve("group"));
    chmod("0775", groupWritable);
    assertThrows(NativeLoader.AttemptFailure.class, () -> NativeLoader.checkWorkdir(groupWritable));

    Path sticky = Files.createDirectory(base.resolve("sticky"));
    chmod("1777", sticky);
    NativeLoader.checkWorkdir(sticky);

    Path file = Files.write(base.resolve("file"), LIBRARY);
    NativeLoader.AttemptFailure notDirectory =
        assertThrows(NativeLoader.AttemptFailure.class, () -> NativeLoader.checkWorkdir(file));
    assertTrue(notDirectory.getMessage().contains("not a directory"), notDirectory::getMessage);
  }

  @Test
  void explainsANoexecMountFromMountinfo() {
    String mountinfo =
        "22 27 0:21 / /proc rw,relatime - proc proc rw\n"
            + "27 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n"
            + "64 27 0:30 / /tmp rw,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw\n"
            + "65 64 0:31 / /tmp/exec\\040ok rw,relatime - tmpfs tmpfs rw\n";
    Path inNoexec = Paths.get("/tmp/jent-native-0123/libjent_jni.so");
    Path inExec = Paths.get("/tmp/exec ok/jent-native-0123/libjent_jni.so");

    assertEquals("/tmp", NativeLoader.noexecMountPoint(inNoexec, mountinfo));
    assertNull(NativeLoader.noexecMountPoint(inExec, mountinfo));
    assertNull(NativeLoader.noexecMountPoint(Paths.get("/opt/lib.so"), mountinfo));

    String explained = NativeLoader.explainLoadFailure(inNoexec, "whatever", mountinfo);
    assertTrue(explained.contains("mounted noexec (mount point /tmp)"), explained);
    assertTrue(explained.contains("dev.jent.native.workdir"), explained);

    String fromText =
        NativeLoader.explainLoadFailure(
            inExec, "failed to map segment from shared object", mountinfo);
    assertTrue(fromText.contains("noexec"), fromText);
    assertEquals("", NativeLoader.explainLoadFailure(inExec, "wrong ELF class", mountinfo));
  }

  @Test
  void aRealNoexecWorkdirIsExplained() throws Exception {
    assumeTrue(NativeLoader.processUid().orElse(-1) == 0, "mounting a noexec tmpfs needs root");
    Path mountPoint = Files.createDirectory(base.resolve("noexec"));
    String mount = "mount -t tmpfs -o noexec,mode=0755 tmpfs " + quote(mountPoint.toString());
    ChildJvm.Result probe;
    try {
      probe = ChildJvm.runCommand(List.of("unshare", "-m", "sh", "-c", mount));
    } catch (java.io.UncheckedIOException e) {
      probe = new ChildJvm.Result(-1, "unshare cannot be run: " + e.getMessage(), List.of());
    }
    assumeTrue(
        probe.exitCode == 0,
        "cannot mount a noexec tmpfs in a private mount namespace here: " + probe.output.trim());

    String java =
        String.join(
            " ",
            quote(ChildJvm.javaExecutable()),
            "-Ddev.jent.native.workdir=" + quote(mountPoint.toString()),
            "-cp",
            quote(ChildJvm.classpath()),
            ChildJvm.PROBE,
            "expect-unavailable",
            "mounted\\ noexec");
    String script = mount + " && exec " + java;
    ChildJvm.runCommand(List.of("unshare", "-m", "sh", "-c", script))
        .assertSuccess()
        .assertOutputContains("mounted noexec (mount point " + mountPoint);
  }

  private static String quote(String text) {
    return "'" + text.replace("'", "'\\''") + "'";
  }

  private static String permissions(Path path) throws IOException {
    return PosixFilePermissions.toString(
        Files.readAttributes(
                path, java.nio.file.attribute.PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
            .permissions());
  }

  private static void chmod(String mode, Path path) throws Exception {
    ChildJvm.runCommand(List.of("chmod", mode, path.toString())).assertSuccess();
  }
}

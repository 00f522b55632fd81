package dev.jent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.ProviderException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Finds, checks and loads {@code libjent_jni.so}.
 *
 * <p>The attempts, in order:
 *
 * <ol>
 *   <li>If {@code dev.jent.native.path} is set: {@code System.load} of that absolute path, and
 *       nothing else. Whoever sets it knows better than any fallback.
 *   <li>The library inside the jar, {@code META-INF/native/<os>-<arch>/libjent_jni.so}:
 *       <ol>
 *         <li>The work directory ({@code dev.jent.native.workdir}, else {@code java.io.tmpdir})
 *             must be a directory that other users cannot write to, or that has the sticky bit.
 *         <li>A new directory with a fresh random name is created in it, owner-only ({@code
 *             rwx------}), and checked: not a symbolic link, owned by this process's user, exactly
 *             those permissions. One that already exists is refused, never reused.
 *         <li>The library is written to a file created atomically ({@code CREATE_NEW}, {@code
 *             rw-------}) in that directory and checked the same way.
 *         <li>{@code System.load} of the absolute path; then file and directory are deleted.
 *       </ol>
 *   <li>{@code System.loadLibrary("jent_jni")}, for a library installed on {@code
 *       java.library.path}.
 * </ol>
 *
 * <p>After a library loads, its bridge ABI number must match {@link Native#ABI_VERSION}; a library
 * that loads but fails this handshake ends the search, because its natives may already be bound.
 *
 * <p>If every attempt fails, one {@link ProviderException} lists them all, with the first failure
 * as its cause and the others attached with {@code addSuppressed}. A load that fails because the
 * work directory is on a {@code noexec} mount says so.
 *
 * <p>This class must never ask for randomness: {@code SecureRandom}, {@code Files.createTempFile}
 * and {@code File.createTempFile} would all end up back in this provider while it is loading. The
 * directory name comes from {@code /dev/urandom}, or, when that cannot be read, from a counter, the
 * process id and {@code System.nanoTime()}; a predictable name is safe because a name that is
 * already taken is refused, never reused. Diagnostics go to {@code java.util.logging} at {@code
 * FINE} only.
 */
final class NativeLoader {
  static final String LIBRARY_NAME = "jent_jni";
  static final String LIBRARY_FILE = "lib" + LIBRARY_NAME + ".so";
  static final String RESOURCE_ROOT = "/META-INF/native/";
  static final String DIRECTORY_PREFIX = "jent-native-";

  static final Set<PosixFilePermission> PRIVATE_DIRECTORY =
      PosixFilePermissions.fromString("rwx------");
  static final Set<PosixFilePermission> PRIVATE_FILE = PosixFilePermissions.fromString("rw-------");

  private static final int GROUP_OR_OTHERS_WRITE = 0022;
  private static final int STICKY = 01000;

  private static final Logger LOG = Logger.getLogger(NativeLoader.class.getName());
  private static final AtomicLong NAME_COUNTER = new AtomicLong();

  private NativeLoader() {}

  /** A library that loaded and passed the handshake. */
  static final class Loaded {
    /** Where it came from, for the status report. */
    final String origin;

    /** The bridge's build description (JSON). */
    final String buildInfo;

    Loaded(String origin, String buildInfo) {
      this.origin = origin;
      this.buildInfo = buildInfo;
    }
  }

  /** One failed attempt; {@code final} means no later attempt may run. */
  static final class AttemptFailure extends Exception {
    private static final long serialVersionUID = 1L;

    final boolean isFinal;

    AttemptFailure(String message, Throwable cause, boolean isFinal) {
      super(message, cause);
      this.isFinal = isFinal;
    }

    AttemptFailure(String message) {
      this(message, null, false);
    }
  }

  /**
   * Loads the library as the class documentation describes.
   *
   * @param nativePath the value of {@code dev.jent.native.path}, or null
   * @param workdir the value of {@code dev.jent.native.workdir}, or null
   * @throws ProviderException listing every attempt when none succeeded
   */
  static Loaded load(String nativePath, String workdir) {
    List<AttemptFailure> failures = new ArrayList<>();

    if (nativePath != null) {
      try {
        return loadExternal(nativePath);
      } catch (AttemptFailure failure) {
        failures.add(failure);
        throw aggregate(failures);
      }
    }

    try {
      return loadBundled(workdir);
    } catch (AttemptFailure failure) {
      failures.add(failure);
      if (failure.isFinal) {
        throw aggregate(failures);
      }
    }

    try {
      return loadFromLibraryPath();
    } catch (AttemptFailure failure) {
      failures.add(failure);
      throw aggregate(failures);
    }
  }

  private static Loaded loadExternal(String nativePath) throws AttemptFailure {
    String origin = Settings.NATIVE_PATH + "=" + nativePath;
    Path path;
    try {
      path = Paths.get(nativePath);
    } catch (InvalidPathException e) {
      throw new AttemptFailure(origin + ": not a valid path: " + e.getMessage(), e, false);
    }
    if (!path.isAbsolute()) {
      throw new AttemptFailure(origin + ": must be an absolute path to the library file");
    }
    if (!Files.isRegularFile(path)) {
      throw new AttemptFailure(origin + ": no such file (or not a regular file)");
    }

    systemLoad(path, origin);
    return new Loaded(origin, handshake(origin));
  }

  private static Loaded loadBundled(String workdirSetting) throws AttemptFailure {
    String platform = platform();
    String resource = RESOURCE_ROOT + platform + "/" + LIBRARY_FILE;
    String origin = "library bundled in the jar at " + resource.substring(1);

    try (InputStream library = NativeLoader.class.getResourceAsStream(resource)) {
      if (library == null) {
        throw new AttemptFailure(origin + ": not in this jar; it has no library for " + platform);
      }
      Path base = workdir(workdirSetting);
      checkWorkdir(base);

      Path directory = createPrivateDirectory(base, randomName());
      Path file = directory.resolve(LIBRARY_FILE);
      try {
        extract(library, file);
        systemLoad(file, origin);
        return new Loaded(origin + ", extracted to " + file, handshake(origin));
      } finally {
        deleteQuietly(file);
        deleteQuietly(directory);
      }
    } catch (AttemptFailure failure) {
      if (failure.getMessage().startsWith(origin)) {
        throw failure;
      }
      throw new AttemptFailure(origin + ": " + failure.getMessage(), failure, failure.isFinal);
    } catch (IOException | RuntimeException e) {
      throw new AttemptFailure(origin + ": " + e, e, false);
    }
  }

  private static Loaded loadFromLibraryPath() throws AttemptFailure {
    String origin =
        "System.loadLibrary(\""
            + LIBRARY_NAME
            + "\") from java.library.path="
            + System.getProperty("java.library.path");
    try {
      System.loadLibrary(LIBRARY_NAME);
    } catch (UnsatisfiedLinkError | RuntimeException e) {
      throw new AttemptFailure(origin + ": " + e.getMessage(), e, false);
    }
    fine("loaded " + origin);
    return new Loaded(origin, handshake(origin));
  }

  /** The bridge must report the ABI this class was written for. */
  static String handshake(String origin) throws AttemptFailure {
    int reported;
    try {
      reported = Native.reportedAbiVersion();
    } catch (UnsatisfiedLinkError e) {
      throw new AttemptFailure(
          origin + ": loaded, but it is not the JENT bridge library (no abiVersion native)",
          e,
          true);
    }
    checkAbi(origin, reported);
    return Native.buildInfoJson();
  }

  static void checkAbi(String origin, int reported) throws AttemptFailure {
    if (reported != Native.ABI_VERSION) {
      throw new AttemptFailure(
          origin
              + ": the library speaks bridge ABI "
              + reported
              + " but this jar needs ABI "
              + Native.ABI_VERSION
              + "; use the libjent_jni.so built together with this jar",
          null,
          true);
    }
  }

  /** {@code linux-x86_64} and the like, as the jar's {@code META-INF/native} folders are named. */
  static String platform() throws AttemptFailure {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    if (!os.startsWith("linux")) {
      throw new AttemptFailure("no bundled library for operating system " + os + " (Linux only)");
    }
    switch (arch) {
      case "amd64":
      case "x86_64":
        return "linux-x86_64";
      case "aarch64":
      case "arm64":
        return "linux-aarch_64";
      default:
        throw new AttemptFailure("no bundled library for architecture " + arch);
    }
  }

  private static Path workdir(String setting) throws AttemptFailure {
    String chosen = setting != null ? setting : System.getProperty("java.io.tmpdir");
    if (chosen == null || chosen.isEmpty()) {
      throw new AttemptFailure("no work directory: java.io.tmpdir is not set");
    }
    return Paths.get(chosen).toAbsolutePath();
  }

  /**
   * The work directory must be a directory whose entries other users cannot rename or replace: not
   * writable by group or others, unless it has the sticky bit as {@code /tmp} does.
   */
  static void checkWorkdir(Path base) throws AttemptFailure, IOException {
    if (!Files.isDirectory(base)) {
      throw new AttemptFailure("work directory " + base + " is not a directory");
    }
    int mode;
    try {
      mode = (Integer) Files.getAttribute(base, "unix:mode");
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      throw new AttemptFailure(
          "cannot read the permission bits of work directory " + base + ": " + e, e, false);
    }
    if ((mode & GROUP_OR_OTHERS_WRITE) != 0 && (mode & STICKY) == 0) {
      throw new AttemptFailure(
          "refusing work directory "
              + base
              + ": other users can write to it (mode "
              + Integer.toOctalString(mode & 07777)
              + ") and it has no sticky bit, so they could replace the extracted library; point "
              + Settings.NATIVE_WORKDIR
              + " at a private directory");
    }
  }

  /** Creates {@code base/name} owner-only, refusing anything that was already there. */
  static Path createPrivateDirectory(Path base, String name) throws AttemptFailure, IOException {
    Path directory = base.resolve(name);
    try {
      Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(PRIVATE_DIRECTORY));
    } catch (FileAlreadyExistsException e) {
      throw new AttemptFailure(
          "refusing "
              + directory
              + ": it already exists, and the loader only uses a directory it has just created"
              + " itself (planted by someone else?)",
          e,
          false);
    }
    fine("created " + directory);
    restrictAndVerify(directory, true);
    return directory;
  }

  /** Writes the library to a new owner-only file; an existing file is refused, never reused. */
  static void extract(InputStream library, Path file) throws AttemptFailure, IOException {
    EnumSet<StandardOpenOption> createNew =
        EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    try (OutputStream out =
        Channels.newOutputStream(
            Files.newByteChannel(
                file, createNew, PosixFilePermissions.asFileAttribute(PRIVATE_FILE)))) {
      library.transferTo(out);
    } catch (FileAlreadyExistsException e) {
      throw new AttemptFailure(
          "refusing "
              + file
              + ": a file of that name already exists, and the loader only loads a file it has"
              + " just created itself",
          e,
          false);
    }
    restrictAndVerify(file, false);
    fine("extracted the library to " + file);
  }

  /**
   * Checks that {@code path} is what the loader created: the right type, not a symbolic link, owned
   * by this process's user; then narrows a umask-reduced mode to exactly owner-only and checks the
   * permissions.
   */
  static void restrictAndVerify(Path path, boolean directory) throws AttemptFailure, IOException {
    Set<PosixFilePermission> expected = directory ? PRIVATE_DIRECTORY : PRIVATE_FILE;
    PosixFileAttributes attributes = verifyTypeAndOwner(path, directory);
    if (!attributes.permissions().equals(expected)) {
      Files.setPosixFilePermissions(path, expected);
    }
    verifyPrivate(path, directory);
  }

  /** Refuses {@code path} unless it is a private directory or file of this process's user. */
  static void verifyPrivate(Path path, boolean directory) throws AttemptFailure, IOException {
    Set<PosixFilePermission> expected = directory ? PRIVATE_DIRECTORY : PRIVATE_FILE;
    PosixFileAttributes attributes = verifyTypeAndOwner(path, directory);
    if (!attributes.permissions().equals(expected)) {
      throw new AttemptFailure(
          "refusing "
              + path
              + ": its permissions are "
              + PosixFilePermissions.toString(attributes.permissions())
              + ", not "
              + PosixFilePermissions.toString(expected));
    }
  }

  private static PosixFileAttributes verifyTypeAndOwner(Path path, boolean directory)
      throws AttemptFailure, IOException {
    PosixFileAttributes attributes =
        Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (attributes.isSymbolicLink()) {
      throw new AttemptFailure("refusing " + path + ": it is a symbolic link");
    }
    if (directory ? !attributes.isDirectory() : !attributes.isRegularFile()) {
      throw new AttemptFailure(
          "refusing " + path + ": it is not a " + (directory ? "directory" : "regular file"));
    }

    OptionalInt processUid = processUid();
    if (processUid.isPresent()) {
      int owner = (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
      if (owner != processUid.getAsInt()) {
        throw new AttemptFailure(
            "refusing "
                + path
                + ": it belongs to uid "
                + owner
                + ", not to this process (uid "
                + processUid.getAsInt()
                + ")");
      }
    } else {
      String owner = attributes.owner().getName();
      String user = System.getProperty("user.name");
      if (!owner.equals(user)) {
        throw new AttemptFailure(
            "refusing "
                + path
                + ": it belongs to "
                + owner
                + ", not to this process ("
                + user
                + ")");
      }
    }
    return attributes;
  }

  /** The effective uid from {@code /proc/self/status}, if readable. */
  static OptionalInt processUid() {
    try {
      for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          String[] ids = line.substring(4).trim().split("\\s+");
          return OptionalInt.of(Integer.parseInt(ids[1]));
        }
      }
    } catch (IOException | RuntimeException e) {
      fine("cannot read the process uid from /proc/self/status: " + e);
    }
    return OptionalInt.empty();
  }

  private static void systemLoad(Path file, String origin) throws AttemptFailure {
    try {
      System.load(file.toString());
    } catch (UnsatisfiedLinkError e) {
      String explanation = explainLoadFailure(file, String.valueOf(e.getMessage()), mountinfo());
      throw new AttemptFailure(
          origin + ": System.load(" + file + ") failed: " + e.getMessage() + explanation, e, false);
    }
    fine("loaded " + file);
  }

  /**
   * Explains a failed {@code System.load}: a {@code noexec} mount under {@code file} (from {@code
   * mountinfo}, the text of {@code /proc/self/mountinfo}), or the error text the kernel gives for
   * one. Returns an empty string when neither applies.
   */
  static String explainLoadFailure(Path file, String error, String mountinfo) {
    String advice =
        " set "
            + Settings.NATIVE_WORKDIR
            + " to a directory on a filesystem mounted without noexec, or install the library"
            + " and set "
            + Settings.NATIVE_PATH;
    String mountPoint = noexecMountPoint(file, mountinfo);
    if (mountPoint != null) {
      return "; "
          + file.getParent()
          + " is on a filesystem mounted noexec (mount point "
          + mountPoint
          + "), where a library cannot be mapped as code:"
          + advice;
    }
    if (error.contains("failed to map segment") || error.contains("Operation not permitted")) {
      return "; this error usually means the work directory is on a noexec filesystem or a"
          + " security policy forbids executable mappings there:"
          + advice;
    }
    return "";
  }

  /** The mount point holding {@code file} if that mount has {@code noexec}, else null. */
  static String noexecMountPoint(Path file, String mountinfo) {
    Path target = file.toAbsolutePath().normalize();
    Path parent = target.getParent();
    if (parent != null) {
      try {
        target = parent.toRealPath().resolve(target.getFileName());
      } catch (IOException e) {
        fine("cannot resolve " + parent + ": " + e);
      }
    }

    String bestMount = null;
    boolean bestNoexec = false;
    for (String line : mountinfo.split("\n")) {
      // Fields: id parent major:minor root mount-point mount-options ... - fstype source super
      String[] fields = line.split(" ");
      if (fields.length < 6) {
        continue;
      }
      String mountPoint = unescapeMountField(fields[4]);
      if (!target.startsWith(mountPoint)) {
        continue;
      }
      if (bestMount == null || mountPoint.length() >= bestMount.length()) {
        bestMount = mountPoint;
        bestNoexec = List.of(fields[5].split(",")).contains("noexec");
      }
    }
    return bestNoexec ? bestMount : null;
  }

  /** mountinfo escapes space, tab, newline and backslash as three octal digits. */
  private static String unescapeMountField(String field) {
    StringBuilder out = new StringBuilder(field.length());
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && isOctal(field, i + 1)) {
        out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static boolean isOctal(String text, int from) {
    if (from + 3 > text.length()) {
      return false;
    }
    for (int i = from; i < from + 3; i++) {
      if (text.charAt(i) < '0' || text.charAt(i) > '7') {
        return false;
      }
    }
    return true;
  }

  private static String mountinfo() {
    try {
      return new String(
          Files.readAllBytes(Paths.get("/proc/self/mountinfo")), StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      fine("cannot read /proc/self/mountinfo: " + e);
      return "";
    }
  }

  /**
   * A directory name that is unique in practice. Never from {@code SecureRandom}: see the class
   * documentation.
   */
  static String randomName() {
    byte[] bytes = new byte[8];
    try (InputStream urandom = Files.newInputStream(Paths.get("/dev/urandom"))) {
      if (urandom.readNBytes(bytes, 0, bytes.length) == bytes.length) {
        return DIRECTORY_PREFIX + hex(bytes);
      }
      fine("/dev/urandom returned too few bytes; naming the directory from a counter");
    } catch (IOException | RuntimeException e) {
      fine("cannot read /dev/urandom (" + e + "); naming the directory from a counter");
    }
    return DIRECTORY_PREFIX
        + ProcessHandle.current().pid()
        + "-"
        + NAME_COUNTER.incrementAndGet()
        + "-"
        + Long.toHexString(System.nanoTime());
  }

  private static String hex(byte[] bytes) {
    StringBuilder out = new StringBuilder(bytes.length * 2);
    for (byte b : bytes) {
      out.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
    }
    return out.toString();
  }

  private static void deleteQuietly(Path path) {
    try {
      if (Files.deleteIfExists(path)) {
        fine("deleted " + path);
      }
    } catch (IOException | RuntimeException e) {
      fine("cannot delete " + path + ": " + e);
    }
  }

  private static ProviderException aggregate(List<AttemptFailure> failures) {
    StringBuilder message =
        new StringBuilder("the JENT native library could not be loaded; attempts in order:");
    for (int i = 0; i < failures.size(); i++) {
      message.append("\n  ").append(i + 1).append(". ").append(failures.get(i).getMessage());
    }
    ProviderException error = new ProviderException(message.toString(), failures.get(0));
    for (AttemptFailure later : failures.subList(1, failures.size())) {
      error.addSuppressed(later);
    }
    fine(message.toString());
    return error;
  }

  private static void fine(String message) {
    if (LOG.isLoggable(Level.FINE)) {
      LOG.fine(message);
    }
  }
}

package dev.jent.bench;

import dev.jent.integration.JentCounters;
import dev.jent.integration.LoopbackTls;
import dev.jent.integration.SelfSignedIdentity;
import dev.jent.integration.StrongSourceCheck;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;

/**
 * One measurement, run in a JVM of its own that {@link BenchmarkDriver} starts with the
 * configuration under test. Prints {@code result.NAME=VALUE} lines.
 *
 * <p>Each timed workload first runs untimed for the warm-up period (seeding, class loading,
 * JIT compilation), then counts completed operations for the measured period.
 */
public final class Workload {

  private static final int SEED_REQUEST_BYTES = 32;
  private static final int RANDOM_REQUEST_BYTES = 32;
  private static final int GCM_MESSAGE_BYTES = 16 * 1024;

  private Workload() {}

  /**
   * Runs the workload named by the first argument.
   *
   * @param args {@code first-bytes}; or {@code default-random|aes-gcm|tls WARMUP_MS MEASURE_MS};
   *     or {@code jent-seed THREADS WARMUP_MS MEASURE_MS}
   * @throws Exception any failure ends the JVM with a stack trace and status 1
   */
  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      throw new IllegalArgumentException("missing workload name; expected first-bytes,"
          + " default-random, aes-gcm, tls or jent-seed");
    }
    switch (args[0]) {
      case "first-bytes":
        firstBytes();
        break;
      case "default-random":
        defaultRandom(millis(args, 1), millis(args, 2));
        break;
      case "aes-gcm":
        aesGcm(millis(args, 1), millis(args, 2));
        break;
      case "tls":
        tlsHandshakes(millis(args, 1), millis(args, 2));
        break;
      case "jent-seed":
        jentSeed(Integer.parseInt(args[1]), millis(args, 2), millis(args, 3));
        break;
      default:
        throw new IllegalArgumentException("unknown workload '" + args[0] + "'");
    }
  }

  // The driver read System.nanoTime() just before starting this JVM. On Linux both clocks
  // are CLOCK_MONOTONIC, which is shared by all processes, so the difference is the time from
  // JVM launch to the first random bytes.
  private static void firstBytes() {
    StrongSourceCheck.verify();
    new SecureRandom().nextBytes(new byte[RANDOM_REQUEST_BYTES]);
    long done = System.nanoTime();
    print("first_bytes_nanotime", done);
  }

  private static void defaultRandom(long warmupMillis, long measureMillis) {
    StrongSourceCheck.verify();
    SecureRandom random = new SecureRandom();
    byte[] buffer = new byte[RANDOM_REQUEST_BYTES];
    Runnable call = () -> random.nextBytes(buffer);
    print("calls_per_second", rate(call, warmupMillis, measureMillis));
  }

  private static void aesGcm(long warmupMillis, long measureMillis)
      throws GeneralSecurityException {
    StrongSourceCheck.verify();
    KeyGenerator generator = KeyGenerator.getInstance("AES", "BCFIPS");
    generator.init(256);
    SecretKey key = generator.generateKey();
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding", "BCFIPS");
    byte[] message = new byte[GCM_MESSAGE_BYTES];
    byte[] sealed = new byte[GCM_MESSAGE_BYTES + 16];

    // Approved mode wants the module to make the IV, so every message gets a fresh one.
    Runnable seal = () -> {
      try {
        cipher.init(Cipher.ENCRYPT_MODE, key);
        cipher.doFinal(message, 0, message.length, sealed, 0);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("AES-GCM encryption failed", e);
      }
    };
    double messagesPerSecond = rate(seal, warmupMillis, measureMillis);
    print("mib_per_second", messagesPerSecond * GCM_MESSAGE_BYTES / (1024.0 * 1024.0));
  }

  private static void tlsHandshakes(long warmupMillis, long measureMillis) throws Exception {
    StrongSourceCheck.verify();
    Path keyStoreFile = Files.createTempFile("jent-bench", ".bcfks");
    try {
      SelfSignedIdentity identity = SelfSignedIdentity.create(
          keyStoreFile, "benchmark-store-password".toCharArray());
      try (LoopbackTls tls = new LoopbackTls(identity)) {
        Runnable handshake = () -> {
          try {
            tls.handshake();
          } catch (java.io.IOException e) {
            throw new IllegalStateException("handshake failed", e);
          }
        };
        print("handshakes_per_second", rate(handshake, warmupMillis, measureMillis));
      }
    } finally {
      Files.deleteIfExists(keyStoreFile);
    }
  }

  private static void jentSeed(int threads, long warmupMillis, long measureMillis)
      throws Exception {
    ThreadMXBean threadCpu = ManagementFactory.getThreadMXBean();
    if (!threadCpu.isCurrentThreadCpuTimeSupported()) {
      throw new IllegalStateException("this JVM cannot measure thread CPU time");
    }
    if (threads < 1) {
      throw new IllegalArgumentException("thread count must be at least 1, was " + threads);
    }
    // The first request loads the providers (BCFIPS checks its own jar then) and the native
    // library; it must not eat into the timed windows, which are fixed in advance.
    SecureRandom.getInstance("ENTROPY", "JENT").generateSeed(SEED_REQUEST_BYTES);

    AtomicLong bytesServed = new AtomicLong();
    AtomicLong measuredCpuNanos = new AtomicLong();
    long measureStart = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(warmupMillis);
    long measureEnd = measureStart + TimeUnit.MILLISECONDS.toNanos(measureMillis);

    // Each thread has its own SecureRandom; JENT hands concurrent callers separate
    // collectors, so this measures how collection scales with threads.
    List<Thread> workers = new ArrayList<>();
    List<Throwable> failures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread worker = new Thread(() -> {
        try {
          SecureRandom entropy = SecureRandom.getInstance("ENTROPY", "JENT");
          while (System.nanoTime() < measureStart) {
            entropy.generateSeed(SEED_REQUEST_BYTES);
          }
          long cpuAtStart = threadCpu.getCurrentThreadCpuTime();
          while (System.nanoTime() < measureEnd) {
            entropy.generateSeed(SEED_REQUEST_BYTES);
            bytesServed.addAndGet(SEED_REQUEST_BYTES);
          }
          measuredCpuNanos.addAndGet(threadCpu.getCurrentThreadCpuTime() - cpuAtStart);
        } catch (GeneralSecurityException | RuntimeException e) {
          synchronized (failures) {
            failures.add(e);
          }
        }
      }, "jent-seed-" + t);
      workers.add(worker);
      worker.start();
    }
    for (Thread worker : workers) {
      worker.join();
    }
    if (!failures.isEmpty()) {
      throw new IllegalStateException("a seed thread failed", failures.get(0));
    }
    // The last request of each thread may end after measureEnd: counted over the real span.
    double seconds = (System.nanoTime() - measureStart) / 1e9;
    print("bytes_per_second", bytesServed.get() / seconds);

    // On a machine shared with other work the threads may not get a core each; these two
    // figures tell whether the threads ran in parallel and what a CPU-second of collection
    // yields, independently of how much CPU the machine could spare.
    double cpuSeconds = measuredCpuNanos.get() / 1e9;
    System.out.println("info.cores_busy=" + String.format(Locale.ROOT, "%.2f",
        cpuSeconds / seconds));
    System.out.println("info.bytes_per_cpu_second=" + String.format(Locale.ROOT, "%.0f",
        bytesServed.get() / cpuSeconds));
  }

  private static double rate(Runnable operation, long warmupMillis, long measureMillis) {
    long warmupEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(warmupMillis);
    while (System.nanoTime() < warmupEnd) {
      operation.run();
    }
    // What JENT served during the timed window shows whether the entropy source is on the hot
    // path at all. Reading the status loads JENT's library if the configuration had not, so it
    // happens outside the window.
    JentCounters before = JentCounters.read();

    long start = System.nanoTime();
    long end = start + TimeUnit.MILLISECONDS.toNanos(measureMillis);
    long operations = 0;
    long now;
    do {
      operation.run();
      operations++;
      now = System.nanoTime();
    } while (now < end);

    JentCounters after = JentCounters.read();
    System.out.println("info.operations=" + operations + " jent_requests_in_window="
        + (after.requests() - before.requests()) + " jent_bytes_in_window="
        + (after.bytes() - before.bytes()));
    return operations / ((now - start) / 1e9);
  }

  private static long millis(String[] args, int index) {
    if (args.length <= index) {
      throw new IllegalArgumentException("workload " + args[0] + " needs argument "
          + index + " (milliseconds)");
    }
    return Long.parseLong(args[index]);
  }

  private static void print(String name, Object value) {
    System.out.println("result." + name + "=" + value);
  }
}

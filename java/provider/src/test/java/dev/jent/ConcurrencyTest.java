package dev.jent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Many threads asking for seeds at once: no error, no deadlock, no repeated output. */
class ConcurrencyTest {
  private static final int THREADS = 16;
  private static final int REQUESTS_PER_THREAD = 40;

  @Test
  void concurrentSeedRequestsAllSucceedWithDistinctOutput() {
    assertTimeoutPreemptively(Duration.ofSeconds(120), this::runConcurrently);
  }

  private void runConcurrently() throws Exception {
    SecureRandom shared = SecureRandom.getInstance("ENTROPY", new JentProvider());
    JentEntropySourceProvider sources = new JentEntropySourceProvider();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<List<String>>> results = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        Callable<List<String>> task =
            () -> {
              start.await();
              List<String> outputs = new ArrayList<>();
              for (int i = 0; i < REQUESTS_PER_THREAD; i++) {
                byte[] bytes;
                switch ((thread + i) % 3) {
                  case 0:
                    bytes = shared.generateSeed(32);
                    break;
                  case 1:
                    bytes = new byte[32];
                    shared.nextBytes(bytes);
                    break;
                  default:
                    bytes = sources.get(256).getEntropy();
                }
                assertEquals(32, bytes.length);
                outputs.add(hex(bytes));
              }
              return outputs;
            };
        results.add(pool.submit(task));
      }
      start.countDown();

      Set<String> distinct = new HashSet<>();
      int total = 0;
      for (Future<List<String>> result : results) {
        for (String output : result.get()) {
          distinct.add(output);
          total++;
        }
      }
      assertEquals(THREADS * REQUESTS_PER_THREAD, total);
      assertEquals(total, distinct.size(), "a 32-byte output repeated across threads");
    } finally {
      pool.shutdownNow();
    }

    // The pool never grows beyond its capacity, however many threads asked.
    Object status = MiniJson.parse(Jent.statusJson());
    java.util.Map<String, Object> collectors = MiniJson.object(status, "pool");
    long capacity = MiniJson.number(collectors, "capacity");
    int started = ((List<?>) collectors.get("collectors")).size();
    assertTrue(started >= 1 && started <= capacity, () -> started + " of " + capacity);
  }

  private static String hex(byte[] bytes) {
    StringBuilder out = new StringBuilder();
    for (byte b : bytes) {
      out.append(String.format("%02x", b));
    }
    return out.toString();
  }
}

package dev.jent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Long-lived collectors shared by all callers, created lazily up to a fixed capacity.
 *
 * <p>A caller takes an idle collector, or starts a new one while fewer than {@code capacity} exist,
 * or waits for one to come back. Each collector serves one thread at a time, so concurrent callers
 * run in parallel as long as there are collectors and cores for them. Starting a collector runs the
 * core's self tests and SP 800-90B power-up test, which is why collectors are never started per
 * request.
 *
 * <p>A collector that fails a request is gone: the core has already run its reset ladder and
 * disabled it, and the bridge has dropped it from its registry. The pool forgets its id (never
 * closing it, since the bridge may already have given the id to a new collector) and starts a fresh
 * collector, with a new power-up test, when one is needed. Permanent failures are latched by the
 * bridge, which then refuses every request from any collector.
 */
final class CollectorPool {
  /** How long a waiting caller sleeps before it checks again whether it may start a collector. */
  private static final long WAIT_MILLIS = 50;

  private final Settings settings;
  private final int capacity;
  private final BlockingQueue<Integer> idle = new LinkedBlockingQueue<>();
  private final AtomicInteger live = new AtomicInteger();
  private final List<Integer> open = new CopyOnWriteArrayList<>();

  CollectorPool(Settings settings) {
    this.settings = settings;
    this.capacity = settings.collectors;
  }

  /** Returns {@code length} fresh bytes, or throws without returning any. */
  byte[] generate(int length) {
    int id = acquire();
    boolean served = false;
    try {
      byte[] bytes = Native.generateBytes(id, length);
      served = true;
      return bytes;
    } finally {
      if (served) {
        idle.add(id);
      } else {
        forget(id);
      }
    }
  }

  /** The configured number of collectors. */
  int capacity() {
    return capacity;
  }

  /** The ids of the collectors started so far and still open. */
  List<Integer> openCollectors() {
    return new ArrayList<>(open);
  }

  private int acquire() {
    boolean interrupted = false;
    try {
      while (true) {
        Integer id = idle.poll();
        if (id != null) {
          return id;
        }
        int started = tryStart();
        if (started >= 0) {
          return started;
        }
        try {
          id = idle.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          // An entropy request is not abandoned halfway; the interrupt is kept for the caller.
          interrupted = true;
        }
        if (id != null) {
          return id;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Starts a collector if the pool has room, returning its id, or -1 when it is full. */
  private int tryStart() {
    while (true) {
      int current = live.get();
      if (current >= capacity) {
        return -1;
      }
      if (live.compareAndSet(current, current + 1)) {
        break;
      }
    }
    try {
      int id = Native.openCollector(settings);
      open.add(id);
      return id;
    } catch (RuntimeException | Error e) {
      live.decrementAndGet();
      throw e;
    }
  }

  /** Drops a collector the bridge has already removed after a failed request. */
  private void forget(int id) {
    open.remove(Integer.valueOf(id));
    live.decrementAndGet();
  }
}

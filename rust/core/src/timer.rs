//! Time stamps: the hardware counter, a portable clock, and the internal counting-thread timer.
//!
//! Only differences between two reads matter, so every source returns a raw, monotonic-ish
//! counter in its own unit. The trait lets tests drive the collector with scripted readings.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{SystemTime, UNIX_EPOCH};

/// A source of time stamps for the collector.
pub trait TimeSource: Send {
    /// Reads the time stamp.
    fn now(&mut self) -> u64;

    /// A handle for another collector. Hardware sources are stateless. A scripted source may
    /// share its position with its handles, so that every collector of one `Library` draws from
    /// one sequence as all collectors of a C process do (the known-answer test's timer does), or
    /// start its own copy (the test-only `DangerCycleTimer` does).
    fn duplicate(&self) -> Box<dyn TimeSource>;

    /// A short name for status reports.
    fn name(&self) -> &'static str;
}

/// The CPU's time-stamp counter: `rdtsc` on x86_64, `cntvct_el0` on aarch64, and the portable
/// clock elsewhere, matching the platform table of jitterentropy 3.7.0.
#[derive(Clone, Copy, Debug, Default)]
pub struct HardwareTimer;

impl TimeSource for HardwareTimer {
    #[inline(always)]
    fn now(&mut self) -> u64 {
        hardware_now()
    }

    fn duplicate(&self) -> Box<dyn TimeSource> {
        Box::new(*self)
    }

    fn name(&self) -> &'static str {
        if cfg!(any(target_arch = "x86_64", target_arch = "aarch64")) {
            if cfg!(target_arch = "x86_64") {
                "rdtsc"
            } else {
                "cntvct_el0"
            }
        } else {
            "clock_gettime"
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn hardware_now() -> u64 {
    // The C library reads rdtsc without a fence; so do we, since the fence would change what the
    // noise source measures.
    // SAFETY: rdtsc has no preconditions on x86_64; it only reads the time-stamp counter.
    unsafe { core::arch::x86_64::_rdtsc() }
}

#[cfg(target_arch = "aarch64")]
#[inline(always)]
fn hardware_now() -> u64 {
    let value: u64;
    // SAFETY: reading the virtual counter register is allowed at EL0 on Linux and has no side
    // effects; the asm touches no memory and no other register.
    unsafe {
        core::arch::asm!("mrs {}, cntvct_el0", out(reg) value, options(nomem, nostack));
    }
    value
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
#[inline(always)]
fn hardware_now() -> u64 {
    clock_now()
}

/// The portable fallback of the C library: CLOCK_REALTIME as
/// `(seconds mod 2^32) * 10^9 + nanoseconds`, 0 if the clock is before the epoch. It can be
/// selected at run time so that hosts without a usable counter, and tests, can use it.
#[derive(Clone, Copy, Debug, Default)]
pub struct ClockTimer;

impl TimeSource for ClockTimer {
    fn now(&mut self) -> u64 {
        clock_now()
    }

    fn duplicate(&self) -> Box<dyn TimeSource> {
        Box::new(*self)
    }

    fn name(&self) -> &'static str {
        "clock_gettime"
    }
}

fn clock_now() -> u64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(since) => {
            (since.as_secs() & 0xffff_ffff) * 1_000_000_000 + u64::from(since.subsec_nanos())
        }
        Err(_) => 0,
    }
}

/// A timer that advances by the given deltas in turn, for induced-failure tests only.
#[cfg(feature = "danger-test-timer")]
#[derive(Clone, Debug)]
pub struct DangerCycleTimer {
    deltas: Vec<u64>,
    index: usize,
    value: u64,
}

#[cfg(feature = "danger-test-timer")]
impl DangerCycleTimer {
    /// A timer starting at 10^12 that adds `deltas[k mod len]` on read k (a zero delta if empty).
    pub fn new(deltas: Vec<u64>) -> Self {
        Self {
            deltas,
            index: 0,
            value: 1_000_000_000_000,
        }
    }
}

#[cfg(feature = "danger-test-timer")]
impl TimeSource for DangerCycleTimer {
    fn now(&mut self) -> u64 {
        let delta = if self.deltas.is_empty() {
            0
        } else {
            self.deltas[self.index % self.deltas.len()]
        };
        self.index = self.index.wrapping_add(1);
        self.value = self.value.wrapping_add(delta);
        self.value
    }

    fn duplicate(&self) -> Box<dyn TimeSource> {
        Box::new(self.clone())
    }

    fn name(&self) -> &'static str {
        "danger-test-cycle"
    }
}

/// State shared between a collector and its counting thread.
#[derive(Debug, Default)]
struct CounterShared {
    counter: AtomicU64,
    interrupt: AtomicBool,
}

/// The internal "notime" timer: a helper thread counts as fast as it can while the collector
/// works, and a time stamp is the counter value, once it has moved since the last read. The
/// thread runs only during a read call (C: `jent_notime_settick` .. `jent_notime_unsettick`).
#[derive(Debug)]
pub(crate) struct InternalTimer {
    shared: Arc<CounterShared>,
    worker: Option<JoinHandle<()>>,
    last: u64,
}

impl InternalTimer {
    /// A stopped timer. The C library refuses the internal timer on hosts with fewer than two
    /// CPUs: the counting thread would compete with the collector for the only one.
    pub(crate) fn new(cpus: usize) -> Option<Self> {
        if cpus < 2 {
            return None;
        }
        Some(Self {
            shared: Arc::new(CounterShared::default()),
            worker: None,
            last: 0,
        })
    }

    /// Starts the counting thread.
    pub(crate) fn start(&mut self) -> bool {
        if self.worker.is_some() {
            return true;
        }
        self.shared.interrupt.store(false, Ordering::SeqCst);
        self.shared.counter.store(0, Ordering::SeqCst);
        self.last = 0;

        let shared = Arc::clone(&self.shared);
        let spawned = std::thread::Builder::new()
            .name("jent-notime".into())
            .spawn(move || {
                while !shared.interrupt.load(Ordering::Relaxed) {
                    shared.counter.fetch_add(1, Ordering::Relaxed);
                }
            });
        match spawned {
            Ok(handle) => {
                self.worker = Some(handle);
                true
            }
            Err(_) => false,
        }
    }

    /// Stops and joins the counting thread.
    pub(crate) fn stop(&mut self) {
        self.shared.interrupt.store(true, Ordering::SeqCst);
        if let Some(handle) = self.worker.take() {
            // A panicking counter thread cannot have produced a time stamp we returned later;
            // there is nothing to recover.
            let _ = handle.join();
        }
    }

    /// Waits until the counter moved, then returns it.
    pub(crate) fn now(&mut self) -> u64 {
        if self.worker.is_none() {
            // Never spin on a stopped counter: a zero makes the power-up test fail (ENOTIME).
            return 0;
        }
        loop {
            let value = self.shared.counter.load(Ordering::Relaxed);
            if value != self.last {
                self.last = value;
                return value;
            }
            std::thread::yield_now();
        }
    }
}

impl Drop for InternalTimer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Number of CPUs this process may run on (cgroup and affinity aware).
pub(crate) fn available_cpus() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

//! The process-wide part of jitterentropy 3.7.0: self tests, the power-up test, the common timer
//! GCD, collector allocation with its start-up, and the reset ladder.
//!
//! The C library keeps this state in globals (the GCD, "self test has run", "internal timer
//! forced"). Here it is a value, [`Library`], so that a test can start from the state of a fresh
//! process and so that nothing global is mutated behind a caller's back. Products keep one
//! `Library` per process, as the C library does implicitly.

use std::sync::Arc;

use crate::collector::{Collector, Probe};
use crate::flags;
use crate::memory::{self, NoiseBuffer};
use crate::timer::{InternalTimer, TimeSource};

/// Samples in the power-up test after the warm-up.
const POWERUP_SAMPLES: usize = 1024;
/// Warm-up samples before the power-up test counts anything.
const POWERUP_WARMUP: usize = 100;
/// The power-up test fails if more than 90 % of its samples are stuck.
const POWERUP_STUCK_THRESHOLD: usize = POWERUP_SAMPLES * 9 / 10;

/// Power-up return codes (the C library's `E*` values).
pub mod init_code {
    /// Passed.
    pub const OK: i32 = 0;
    /// The timer returned zero.
    pub const ENOTIME: i32 = 1;
    /// Two equal time stamps, or a huge common divisor.
    pub const ECOARSETIME: i32 = 2;
    /// The timer ran backwards too often.
    pub const ENOMONOTONIC: i32 = 3;
    /// Too little variation of the deltas.
    pub const EMINVARVAR: i32 = 6;
    /// Too many stuck samples.
    pub const ESTUCK: i32 = 8;
    /// APT or lag failure during the test.
    pub const EHEALTH: i32 = 9;
    /// RCT failure during the test.
    pub const ERCT: i32 = 10;
    /// Hash self test failed.
    pub const EHASH: i32 = 11;
    /// Allocation or start-up failed.
    pub const EMEM: i32 = 12;
    /// GCD self test failed.
    pub const EGCD: i32 = 13;
}

use init_code::*;

/// Process-wide state and entry points of the C API.
pub struct Library {
    gcd: u64,
    self_test_passed: bool,
    internal_timer_forced: bool,
    timer: Box<dyn TimeSource>,
    probe: Option<Arc<dyn Probe>>,
    os_fips_mode: bool,
    cpus: usize,
    cache_size: u64,
    backtracking_generate: bool,
}

impl std::fmt::Debug for Library {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Library")
            .field("gcd", &self.gcd)
            .field("self_test_passed", &self.self_test_passed)
            .field("internal_timer_forced", &self.internal_timer_forced)
            .field("timer", &self.timer.name())
            .finish_non_exhaustive()
    }
}

impl Library {
    /// The state of a fresh process using `timer`. OS FIPS mode is read from
    /// `/proc/sys/crypto/fips_enabled` as the plain Linux build of the C library does.
    pub fn new(timer: Box<dyn TimeSource>) -> Self {
        Self {
            gcd: 0,
            self_test_passed: false,
            internal_timer_forced: false,
            timer,
            probe: None,
            os_fips_mode: os_fips_mode(),
            cpus: crate::timer::available_cpus(),
            cache_size: memory::relevant_cache_size(false),
            backtracking_generate: false,
        }
    }

    /// Sets whether the operating system is in FIPS mode (tests reproduce a host without it).
    pub fn set_os_fips_mode(&mut self, enabled: bool) {
        self.os_fips_mode = enabled;
    }

    /// Chooses the 3.7.0 build variant: `false` is the default Linux build, which claims secure
    /// memory and ends reads without the extra output-less generate; `true` is the
    /// `JENT_CONF_RELAX_MLOCK` build, which runs it.
    pub fn set_backtracking_generate(&mut self, enabled: bool) {
        self.backtracking_generate = enabled;
    }

    /// Observes every stuck-test evaluation of every collector of this library.
    pub fn set_probe(&mut self, probe: Arc<dyn Probe>) {
        self.probe = Some(probe);
    }

    /// Overrides the CPU count used to decide whether the internal timer may run.
    pub fn set_cpus(&mut self, cpus: usize) {
        self.cpus = cpus;
    }

    /// The established common timer GCD (0 = not established).
    pub fn gcd(&self) -> u64 {
        self.gcd
    }

    /// Whether a failed hardware-timer power-up test forced the internal timer process-wide.
    pub fn internal_timer_forced(&self) -> bool {
        self.internal_timer_forced
    }

    /// Name of the hardware timer in use.
    pub fn timer_name(&self) -> &'static str {
        self.timer.name()
    }

    /// CPUs this library believes it may use.
    pub fn cpus(&self) -> usize {
        self.cpus
    }

    /// `jent_entropy_init`: self tests, then the power-up test at osr 3 with the hardware timer,
    /// and with the internal timer if that fails.
    pub fn entropy_init(&mut self) -> i32 {
        let code = self.self_tests();
        if code != OK {
            return code;
        }
        let mut code = self.power_up_test(0, flags::DISABLE_INTERNAL_TIMER);
        if code != OK {
            code = self.power_up_test(0, flags::FORCE_INTERNAL_TIMER);
        }
        self.finish_init(code)
    }

    /// `jent_entropy_init_ex(osr, flags)`: the same with the caller's osr and flags, which also
    /// decide which timers are tried.
    pub fn entropy_init_ex(&mut self, osr: u32, flags: u32) -> i32 {
        let code = self.self_tests();
        if code != OK {
            return code;
        }
        let mut code = ENOTIME;
        if flags & flags::FORCE_INTERNAL_TIMER == 0 {
            code = self.power_up_test(osr, flags | flags::DISABLE_INTERNAL_TIMER);
        }
        if code != OK && flags & flags::DISABLE_INTERNAL_TIMER == 0 {
            code = self.power_up_test(osr, flags | flags::FORCE_INTERNAL_TIMER);
        }
        self.finish_init(code)
    }

    /// Known-answer self tests (SHA3-256, XDRBG-256, GCD). Marks the self test as run.
    fn self_tests(&mut self) -> i32 {
        if !crate::keccak::sha3_256_self_test() || !crate::xdrbg::xdrbg_self_test() {
            return EHASH;
        }
        let code = gcd_self_test();
        self.self_test_passed = true;
        code
    }

    fn finish_init(&mut self, code: i32) -> i32 {
        if code != OK {
            self.self_test_passed = false;
        }
        code
    }

    /// `jent_time_entropy_init`: 100 warm-up and 1024 test samples on a temporary FIPS collector,
    /// checking the timer (SP 800-90B §4.3 start-up tests) and establishing the common GCD.
    pub fn power_up_test(&mut self, osr: u32, mut flags: u32) -> i32 {
        if flags & flags::FORCE_INTERNAL_TIMER != 0 {
            // Starting this test forces the internal timer process-wide, even if it then fails.
            self.internal_timer_forced = true;
        } else {
            flags |= flags::DISABLE_INTERNAL_TIMER;
        }
        flags |= flags::FORCE_FIPS;

        let Some(mut collector) = self.allocate(osr, flags) else {
            return EMEM;
        };
        if !collector.start_internal_timer() {
            return EMEM;
        }
        let code = self.run_power_up_samples(&mut collector);
        collector.stop_internal_timer();
        code
    }

    fn run_power_up_samples(&mut self, collector: &mut Collector) -> i32 {
        let mut deltas = vec![0u64; POWERUP_SAMPLES];
        let mut stuck_count = 0usize;
        let mut backwards = 0usize;

        // Prime prev_time.
        collector.measure();

        for i in 0..POWERUP_WARMUP + POWERUP_SAMPLES {
            let (stuck, delta) = collector.measure();
            let end = collector.prev_time;
            let start = end.wrapping_sub(delta);
            if start == 0 || end == 0 {
                return ENOTIME;
            }
            // A zero delta means two equal time stamps: the timer is too coarse.
            if delta == 0 {
                return ECOARSETIME;
            }
            if i < POWERUP_WARMUP {
                continue;
            }
            if stuck {
                stuck_count += 1;
            }
            if end <= start {
                backwards += 1;
            }
            deltas[i - POWERUP_WARMUP] = delta;
        }

        if backwards > 3 {
            return ENOMONOTONIC;
        }
        let failures = collector.reported_failures();
        if failures != 0 {
            return if failures & crate::health::RCT_FAILURE != 0 {
                ERCT
            } else {
                EHEALTH
            };
        }
        let code = self.analyze_gcd(&deltas, collector.osr);
        if code != OK {
            return code;
        }
        if stuck_count > POWERUP_STUCK_THRESHOLD {
            return ESTUCK;
        }
        OK
    }

    /// GCD analysis of the power-up deltas: enough variation for the osr, a sane common divisor,
    /// which becomes the process-wide GCD if none was established yet.
    fn analyze_gcd(&mut self, deltas: &[u64], osr: u32) -> i32 {
        let (running_gcd, variation) = gcd_and_variation(deltas);
        if variation.wrapping_mul(u64::from(osr)) < deltas.len() as u64 {
            return EMINVARVAR;
        }
        if running_gcd >= u64::from(u32::MAX / 2) {
            return ECOARSETIME;
        }
        if self.gcd == 0 {
            self.gcd = running_gcd;
        }
        OK
    }

    /// `jent_entropy_collector_alloc_internal`: a collector set up but not started.
    fn allocate(&mut self, osr: u32, mut flags: u32) -> Option<Collector> {
        if flags & flags::DISABLE_INTERNAL_TIMER != 0 && flags & flags::FORCE_INTERNAL_TIMER != 0 {
            return None;
        }
        let osr = osr.max(crate::MIN_OSR);
        if osr > crate::MAX_OSR {
            return None;
        }
        if !self.self_test_passed && self.entropy_init_ex(osr, flags) != OK {
            return None;
        }
        if flags & flags::NTG1 != 0 {
            flags |= flags::DISABLE_INTERNAL_TIMER;
        }
        if self.internal_timer_forced && flags & flags::DISABLE_INTERNAL_TIMER != 0 {
            return None;
        }

        let mut memory = None;
        if flags & flags::DISABLE_MEMORY_ACCESS == 0 {
            let cache = if flags & flags::CACHE_ALL != 0 {
                memory::relevant_cache_size(true)
            } else {
                self.cache_size
            };
            flags = flags::update_memsize(flags, 0, cache);
            memory = Some(NoiseBuffer::new(flags::memory_size(flags)));
        }
        flags = flags::update_hashloop(flags, 0);

        let fips = flags & (flags::FORCE_FIPS | flags::NTG1) != 0 || self.os_fips_mode;
        let gcd = if self.gcd == 0 { 1 } else { self.gcd };
        let mut collector = Collector::new(
            osr,
            flags,
            fips,
            memory,
            flags::hash_loop_count(flags),
            gcd,
            self.timer.duplicate(),
            self.probe.clone(),
        );
        collector.backtracking_generate = self.backtracking_generate;

        if flags & flags::DISABLE_INTERNAL_TIMER == 0 && !self.enable_internal_timer(&mut collector)
        {
            return None;
        }
        Some(collector)
    }

    /// `jent_notime_enable`: gives the collector the internal timer when it is forced, after a
    /// power-up test with it if none has run yet.
    fn enable_internal_timer(&mut self, collector: &mut Collector) -> bool {
        let wanted = collector.flags & flags::FORCE_INTERNAL_TIMER != 0;
        if !self.internal_timer_forced && !wanted {
            return true;
        }
        if !self.internal_timer_forced
            && self.power_up_test(collector.osr, collector.flags | flags::FORCE_INTERNAL_TIMER)
                != OK
        {
            return false;
        }
        match InternalTimer::new(self.cpus) {
            Some(timer) => {
                collector.internal_timer = Some(timer);
                true
            }
            None => false,
        }
    }

    /// `jent_entropy_collector_alloc`: allocates and starts a collector (the first block, or the
    /// two FIPS start-up stages), replacing it through the reset ladder while start-up reports
    /// failures. `None` where the C library returns NULL.
    pub fn collector_alloc(&mut self, osr: u32, flags: u32) -> Option<Collector> {
        let mut collector = self.start_collector(osr, flags)?;
        collector.max_memory_set = flags::memsize_field(flags) != 0;
        Some(collector)
    }

    /// `_jent_entropy_collector_alloc`.
    fn start_collector(&mut self, osr: u32, flags: u32) -> Option<Collector> {
        let mut collector = self.allocate(osr, flags)?;
        if !collector.start_internal_timer() {
            return None;
        }
        // A do-while in the C library: after a replacement the loop condition is checked
        // before the next block, so the replacement's own start-up state decides.
        loop {
            collector.collect_block();
            if collector.reported_failures() != 0 {
                collector.stop_internal_timer();
                collector = self.reset_ladder(collector, false)?;
                if !collector.start_internal_timer() {
                    return None;
                }
            }
            if collector.startup == crate::collector::Startup::Completed {
                break;
            }
        }
        collector.stop_internal_timer();
        Some(collector)
    }

    /// `jent_health_failure_reset`: a replacement collector with osr + 1, a larger buffer (unless
    /// the caller fixed its size) and a longer hash loop, carrying the health state over.
    /// `fully_started` selects whether the replacement runs its start-up (read path) or not
    /// (allocation path, which drives the start-up itself).
    fn reset_ladder(&mut self, old: Collector, fully_started: bool) -> Option<Collector> {
        let mut osr = old.osr + 1;
        if osr > crate::MAX_OSR {
            return None;
        }
        let mut flags = old.flags;
        if !old.max_memory_set {
            flags = flags::update_memsize(flags, 1, self.cache_size);
        }
        flags = flags::update_hashloop(flags, 1);

        while self.entropy_init_ex(osr, flags) != OK {
            osr += 1;
            if osr > crate::MAX_OSR {
                return None;
            }
        }

        let mut replacement = if fully_started {
            self.start_collector(osr, flags)?
        } else {
            self.allocate(osr, flags)?
        };
        replacement.max_memory_set = old.max_memory_set;
        replacement
            .health
            .carry_over_from(&old.health, replacement.osr);
        Some(replacement)
    }

    /// `jent_read_entropy`.
    pub fn read_entropy(&self, collector: &mut Collector, out: &mut [u8]) -> isize {
        collector.read_entropy(out)
    }

    /// `jent_read_entropy_safe`: reads, and on an intermittent failure replaces the collector
    /// through the reset ladder and retries the rest. Permanent failures return at once. If the
    /// ladder fails, the collector is gone and the caller gets `None` with the error code.
    pub fn read_entropy_safe(
        &mut self,
        collector: Collector,
        out: &mut [u8],
    ) -> (Option<Collector>, isize) {
        let mut collector = collector;
        let mut done = 0usize;
        while done < out.len() {
            let code = collector.read_entropy(&mut out[done..]);
            match code {
                -1 | -4 | -6 | -7 | -8 | -10 => return (Some(collector), code),
                -2 | -3 | -5 | -9 => match self.reset_ladder(collector, true) {
                    Some(replacement) => collector = replacement,
                    None => return (None, code),
                },
                n if n >= 0 => done += n as usize,
                _ => return (Some(collector), -1),
            }
        }
        (Some(collector), out.len() as isize)
    }
}

/// Running GCD of all deltas and the sum of absolute differences of neighbours.
fn gcd_and_variation(deltas: &[u64]) -> (u64, u64) {
    let Some(&first) = deltas.first() else {
        return (0, 0);
    };
    let mut running = first;
    let mut variation = 0u64;
    for pair in deltas.windows(2) {
        variation = variation.wrapping_add(pair[1].abs_diff(pair[0]));
        running = gcd(pair[1], running);
    }
    (running, variation)
}

fn gcd(a: u64, b: u64) -> u64 {
    let (mut a, mut b) = if a < b { (b, a) } else { (a, b) };
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// The GCD self test: the GCD of 0, 3, 6, ..., 27 must be 3.
fn gcd_self_test() -> i32 {
    let deltas: Vec<u64> = (0..10).map(|i| i * 3).collect();
    if gcd_and_variation(&deltas).0 == 3 {
        OK
    } else {
        EGCD
    }
}

fn os_fips_mode() -> bool {
    std::fs::read("/proc/sys/crypto/fips_enabled")
        .map(|bytes| bytes.first() == Some(&b'1'))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gcd_of_multiples() {
        assert_eq!(gcd_and_variation(&[8, 16, 24, 40]).0, 8);
        assert_eq!(gcd_and_variation(&[8, 16, 24, 40]).1, 8 + 8 + 16);
        assert_eq!(gcd_self_test(), OK);
    }
}

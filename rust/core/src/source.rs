//! The product API: configuration, a long-lived entropy source with the reset ladder, and
//! raw-noise access for SP 800-90B assessment.

use std::fmt;
use std::str::FromStr;
use std::time::Instant;

use zeroize::Zeroizing;

use crate::collector::Collector;
use crate::error::Error;
use crate::flags;
use crate::health::{self, HealthCounters};
use crate::library::{Library, init_code};
use crate::status::{HealthReport, Status};
use crate::timer::{ClockTimer, HardwareTimer, TimeSource};

/// Which rules the collector follows.
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq)]
pub enum Mode {
    /// Health failures are latched but never reported (the C library's default mode).
    Standard,
    /// FIPS 140-3 / SP 800-90B: failures reported, safety factor, two-stage start-up.
    #[default]
    Fips,
    /// BSI AIS 20/31 NTG.1: FIPS behaviour with stricter cutoffs and no internal timer.
    Ntg1,
}

impl Mode {
    /// The name used in settings and status reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::Fips => "fips",
            Self::Ntg1 => "ntg1",
        }
    }
}

impl FromStr for Mode {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        match text.trim().to_ascii_lowercase().as_str() {
            "standard" => Ok(Self::Standard),
            "fips" => Ok(Self::Fips),
            "ntg1" => Ok(Self::Ntg1),
            _ => Err(Error::InvalidSetting(format!(
                "mode {text:?}: use one of standard, fips, ntg1"
            ))),
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which time source the collector reads.
#[derive(Clone, Debug, Default, Eq, PartialEq)]
#[non_exhaustive]
pub enum TimerKind {
    /// The hardware counter, falling back to the internal timer where the C library would.
    #[default]
    Auto,
    /// The hardware counter only.
    Hardware,
    /// The portable clock (`CLOCK_REALTIME`) only.
    Clock,
    /// The internal counting-thread timer (needs two CPUs; refused in NTG.1 mode).
    Internal,
    /// A scripted timer advancing by these deltas in turn. Test builds only.
    #[cfg(feature = "danger-test-timer")]
    DangerCycle(Vec<u64>),
}

impl TimerKind {
    /// The name used in settings and status reports.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Hardware => "hardware",
            Self::Clock => "clock",
            Self::Internal => "internal",
            #[cfg(feature = "danger-test-timer")]
            Self::DangerCycle(_) => "danger-cycle",
        }
    }
}

impl FromStr for TimerKind {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        match text.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Self::Auto),
            "hardware" => Ok(Self::Hardware),
            "clock" => Ok(Self::Clock),
            "internal" => Ok(Self::Internal),
            _ => Err(Error::InvalidSetting(format!(
                "timer {text:?}: use one of auto, hardware, clock, internal"
            ))),
        }
    }
}

/// Settings of an entropy source.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Config {
    /// Oversampling rate: 0..=20; 0, 1 and 2 are raised to 3 as in the C library.
    pub osr: u32,
    /// FIPS (default), NTG.1 or standard rules.
    pub mode: Mode,
    /// Whether the memory-access noise source runs (required in FIPS and NTG.1 mode).
    pub memory_access: bool,
    /// Buffer size in bytes (a power of two, 1 KiB ..= 512 MiB); `None` sizes it from the cache.
    pub memory_size: Option<usize>,
    /// Hash-loop iterations per sample: 1, 2, 4, ..., 128.
    pub hash_loop_count: u32,
    /// Size the buffer from all cache levels instead of L1.
    pub cache_all: bool,
    /// The time source.
    pub timer: TimerKind,
    /// End every read with an output-less generate step (3.7.0's behaviour when its memory is
    /// not secure). It is also switched on when the pool's pages cannot be locked.
    pub backtracking_generate: bool,
    /// Fail instead of running with unlocked memory when `mlock` is refused.
    pub require_locked_memory: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            osr: crate::MIN_OSR,
            mode: Mode::Fips,
            memory_access: true,
            memory_size: None,
            hash_loop_count: 1,
            cache_all: false,
            timer: TimerKind::Auto,
            backtracking_generate: false,
            require_locked_memory: false,
        }
    }
}

impl Config {
    /// Checks every setting, naming the first one that is wrong.
    ///
    /// # Errors
    /// [`Error::InvalidOsr`], [`Error::InvalidMemorySize`], [`Error::InvalidHashLoopCount`],
    /// [`Error::MemoryAccessRequired`] (FIPS or NTG.1 without memory access, which 3.7.0 can
    /// never start), [`Error::InternalTimerRefused`].
    pub fn validate(&self) -> Result<(), Error> {
        if self.osr > crate::MAX_OSR {
            return Err(Error::InvalidOsr(self.osr));
        }
        if let Some(size) = self.memory_size
            && (!size.is_power_of_two() || !(1024..=512 << 20).contains(&size))
        {
            return Err(Error::InvalidMemorySize(size));
        }
        if !self.hash_loop_count.is_power_of_two() || self.hash_loop_count > 128 {
            return Err(Error::InvalidHashLoopCount(self.hash_loop_count));
        }
        if !self.memory_access && self.mode != Mode::Standard {
            return Err(Error::MemoryAccessRequired);
        }
        if self.timer == TimerKind::Internal
            && (self.mode == Mode::Ntg1 || crate::timer::available_cpus() < 2)
        {
            return Err(Error::InternalTimerRefused);
        }
        Ok(())
    }

    /// The C flags for these settings.
    pub fn flags(&self) -> u32 {
        let mut value = 0;
        match self.mode {
            Mode::Standard => {}
            Mode::Fips => value |= flags::FORCE_FIPS,
            Mode::Ntg1 => value |= flags::NTG1,
        }
        if !self.memory_access {
            value |= flags::DISABLE_MEMORY_ACCESS;
        }
        if self.cache_all {
            value |= flags::CACHE_ALL;
        }
        if let Some(size) = self.memory_size {
            value = flags::with_memsize_field(value, size.trailing_zeros() - flags::MEMSIZE_OFFSET);
        }
        value = flags::with_hashloop_field(value, self.hash_loop_count.trailing_zeros());
        match self.timer {
            TimerKind::Auto => {}
            TimerKind::Internal => value |= flags::FORCE_INTERNAL_TIMER,
            _ => value |= flags::DISABLE_INTERNAL_TIMER,
        }
        value
    }

    fn time_source(&self) -> Box<dyn TimeSource> {
        match &self.timer {
            TimerKind::Clock => Box::new(ClockTimer),
            #[cfg(feature = "danger-test-timer")]
            TimerKind::DangerCycle(deltas) => {
                Box::new(crate::timer::DangerCycleTimer::new(deltas.clone()))
            }
            _ => Box::new(HardwareTimer),
        }
    }
}

/// Runs the self tests and the power-up test and starts a collector; shared by
/// [`EntropySource`] and [`RawNoise`].
fn start(config: &Config) -> Result<(Library, Collector, f64), Error> {
    config.validate()?;
    let began = Instant::now();
    let mut library = Library::new(config.time_source());
    library.set_backtracking_generate(config.backtracking_generate);

    let flags = config.flags();
    let code = library.entropy_init_ex(config.osr, flags);
    if code != init_code::OK {
        return Err(Error::from_init_code(code).unwrap_or(Error::Allocation));
    }
    let mut collector = library
        .collector_alloc(config.osr, flags)
        .ok_or(Error::Allocation)?;

    if !collector.pool_locked() {
        if config.require_locked_memory {
            return Err(Error::MemoryLock(
                collector.secret.lock_errno().unwrap_or(0),
            ));
        }
        // Like 3.7.0 built with relaxed mlock: memory that may be swapped is not secure, so
        // every read ends with a generate step that overwrites the state it leaves behind.
        collector.backtracking_generate = true;
    }
    Ok((library, collector, began.elapsed().as_secs_f64() * 1000.0))
}

/// A long-lived entropy source: one collector, replaced through the reset ladder on
/// intermittent failures, disabled for good on permanent ones. `Send`, not `Sync`: share it
/// behind a lock, or keep one per thread.
pub struct EntropySource {
    config: Config,
    library: Library,
    collector: Option<Collector>,
    disabled: Option<i32>,
    startup_ms: f64,
    bytes_served: u64,
    requests_served: u64,
    resets: u64,
    last_error: Option<i32>,
}

impl fmt::Debug for EntropySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EntropySource")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl EntropySource {
    /// Runs the self tests, the power-up test and the start-up, and returns a ready source.
    ///
    /// # Errors
    /// A configuration error from [`Config::validate`], a power-up error (codes 1..=13), or
    /// [`Error::MemoryLock`] when locked memory is required and refused.
    pub fn new(config: Config) -> Result<Self, Error> {
        let (library, collector, startup_ms) = start(&config)?;
        Ok(Self {
            config,
            library,
            collector: Some(collector),
            disabled: None,
            startup_ms,
            bytes_served: 0,
            requests_served: 0,
            resets: 0,
            last_error: None,
        })
    }

    /// Fills `out` with conditioned output. Either all of `out` is written, or none of it: a
    /// health failure never yields bytes.
    ///
    /// # Errors
    /// An intermittent health error the reset ladder could not recover from (the source is then
    /// disabled), a permanent health error (likewise), or [`Error::Disabled`] on every call after
    /// that.
    pub fn fill(&mut self, out: &mut [u8]) -> Result<(), Error> {
        if let Some(code) = self.disabled {
            return Err(Error::Disabled(code));
        }
        let Some(collector) = self.collector.take() else {
            return Err(Error::Disabled(self.last_error.unwrap_or(-1)));
        };

        // Read into scratch memory so that nothing reaches `out` unless every block passed.
        let mut scratch = Zeroizing::new(vec![0u8; out.len()]);
        let osr_before = collector.osr;
        let (collector, code) = self.library.read_entropy_safe(collector, &mut scratch);
        if let Some(collector) = &collector
            && collector.osr != osr_before
        {
            self.resets += 1;
        }
        self.collector = collector;

        if code < 0 {
            let error = Error::from_read_code(code);
            self.last_error = Some(code as i32);
            // A failure the ladder could not recover from is as final as a permanent one.
            self.disabled = Some(code as i32);
            self.collector = None;
            return Err(error);
        }
        out.copy_from_slice(&scratch);
        self.bytes_served += out.len() as u64;
        self.requests_served += 1;
        Ok(())
    }

    /// A status report.
    pub fn status(&self) -> Status {
        let collector = self.collector.as_ref();
        let failures = collector.map_or(0, |c| c.health.failures());
        Status {
            version: crate::CRATE_VERSION,
            jent_version: crate::JENT_VERSION,
            mode: self.config.mode.as_str(),
            osr_requested: self.config.osr,
            osr: collector.map_or(0, |c| c.osr),
            flags: collector.map_or(0, |c| c.flags),
            memory_size: collector.map_or(0, Collector::memory_size),
            memory_locked: collector
                .and_then(|c| c.memory.as_ref().map(|m| m.is_locked()))
                .unwrap_or(false),
            memory_lock_errno: collector
                .and_then(|c| c.memory.as_ref().and_then(|m| m.lock_errno())),
            pool_locked: collector.is_some_and(|c| c.pool_locked()),
            backtracking_generate: collector.is_some_and(|c| c.backtracking_generate),
            hash_loop_count: collector.map_or(0, |c| c.hash_loop_count),
            timer: if collector.is_some_and(|c| c.internal_timer.is_some()) {
                "internal"
            } else {
                self.library.timer_name()
            },
            timer_setting: self.config.timer.as_str(),
            gcd: self.library.gcd(),
            cpus: self.library.cpus(),
            startup_ms: self.startup_ms,
            health: HealthReport {
                state: if self.disabled.is_some() {
                    "disabled"
                } else {
                    "ok"
                },
                failures: health::failure_names(failures),
                last_error_code: self.last_error,
                resets: self.resets,
                counters: collector.map(|c| c.health.counters()).unwrap_or_default(),
            },
            bytes_served: self.bytes_served,
            requests_served: self.requests_served,
            danger_test_timer_compiled: cfg!(feature = "danger-test-timer"),
        }
    }
}

/// Raw noise for SP 800-90B assessment: normal samples taken exactly as the collector takes them
/// (memory access, time stamp, health tests, hash loop, absorption into the pool), returning the
/// delta the health tests saw.
pub struct RawNoise {
    _library: Library,
    collector: Collector,
}

impl fmt::Debug for RawNoise {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawNoise").finish_non_exhaustive()
    }
}

impl RawNoise {
    /// Starts a collector as [`EntropySource::new`] does (power-up test and start-up included).
    ///
    /// # Errors
    /// As [`EntropySource::new`].
    pub fn new(config: Config) -> Result<Self, Error> {
        let (library, mut collector, _) = start(&config)?;
        if !collector.start_internal_timer() {
            return Err(Error::TimerThread);
        }
        Ok(Self {
            _library: library,
            collector,
        })
    }

    /// Takes one normal sample and returns its delta after GCD division.
    ///
    /// # Errors
    /// The read error of a reported health failure (FIPS and NTG.1 mode).
    pub fn next_delta(&mut self) -> Result<u64, Error> {
        let (_, delta) = self.collector.measure();
        let failures = self.collector.reported_failures();
        if failures != 0 {
            return Err(Error::from_read_code(crate::collector::read_error_code(
                failures,
            )));
        }
        Ok(delta)
    }

    /// The running health-test counters.
    pub fn health_counters(&self) -> HealthCounters {
        self.collector.health.counters()
    }

    /// The latched failure bits, by name.
    pub fn health_failures(&self) -> Vec<&'static str> {
        health::failure_names(self.collector.health.failures())
    }

    /// Effective osr, memory size and hash-loop count of the collector.
    pub fn effective_settings(&self) -> (u32, usize, u64) {
        let collector = &self.collector;
        (
            collector.osr,
            collector.memory_size(),
            collector.hash_loop_count,
        )
    }
}

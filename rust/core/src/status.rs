//! The status report, serialised as JSON for the CLI and the Java status API.

use serde::Serialize;

use crate::health::HealthCounters;

/// Health part of a status report.
#[derive(Clone, Debug, Serialize)]
pub struct HealthReport {
    /// "ok", or "disabled" after a permanent failure.
    pub state: &'static str,
    /// Latched failure bits of the current collector, by name.
    pub failures: Vec<&'static str>,
    /// Code of the last read error, if any.
    pub last_error_code: Option<i32>,
    /// Collectors replaced by the reset ladder after intermittent failures.
    pub resets: u64,
    /// Running health-test counters.
    pub counters: HealthCounters,
}

/// A status report of an entropy source. It holds counters and settings, never entropy.
#[derive(Clone, Debug, Serialize)]
pub struct Status {
    /// Version of this crate.
    pub version: &'static str,
    /// Version of the C library this crate ports (3070000 = 3.7.0).
    pub jent_version: u32,
    /// "fips", "ntg1" or "standard".
    pub mode: &'static str,
    /// The osr asked for.
    pub osr_requested: u32,
    /// The osr in use (raised to at least 3, and by the reset ladder).
    pub osr: u32,
    /// The C flags of the collector in use.
    pub flags: u32,
    /// Bytes of the memory-access buffer (0 without memory access).
    pub memory_size: usize,
    /// Whether the buffer is locked into memory.
    pub memory_locked: bool,
    /// Why locking failed (errno), if it did.
    pub memory_lock_errno: Option<i32>,
    /// Whether the pool's pages are locked into memory.
    pub pool_locked: bool,
    /// Whether reads end with an output-less generate step.
    pub backtracking_generate: bool,
    /// Hash-loop iterations per sample.
    pub hash_loop_count: u64,
    /// The time source in use ("rdtsc", "cntvct_el0", "clock_gettime", "internal", ...).
    pub timer: &'static str,
    /// The timer setting asked for.
    pub timer_setting: &'static str,
    /// Common divisor of the timer's deltas found by the power-up test.
    pub gcd: u64,
    /// CPUs available to the process.
    pub cpus: usize,
    /// Milliseconds spent in self tests, power-up test and start-up.
    pub startup_ms: f64,
    /// Health state.
    pub health: HealthReport,
    /// Bytes returned to callers.
    pub bytes_served: u64,
    /// Successful requests.
    pub requests_served: u64,
    /// Whether this build contains the scripted test timer (never in a shipped build).
    pub danger_test_timer_compiled: bool,
}

impl Status {
    /// The report as one line of JSON.
    pub fn to_json(&self) -> String {
        // Serialising plain numbers, strings and vectors cannot fail.
        serde_json::to_string(self).unwrap_or_else(|_| String::from("{}"))
    }
}

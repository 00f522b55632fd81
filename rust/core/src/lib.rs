//! A CPU-jitter entropy source: a faithful Rust port of jitterentropy-library 3.7.0.
//!
//! Every sample is the execution time of some work (memory accesses and a SHA3-256 hash loop).
//! Samples pass the SP 800-90B health tests of the C library with the same cutoffs (repetition
//! count, adaptive proportion, lag predictor, repetition count with memory) and are absorbed into
//! a SHAKE256 pool; each 32-byte output block is one XDRBG-256 generate step over (256 + safety)
//! x osr fresh samples. With the same timer readings the output is bit-exact with the C library
//! (`tests/kat.rs` replays its known answers).
//!
//! [`EntropySource`] is the product API. [`Library`] and [`Collector`] mirror the C API
//! (`jent_entropy_init_ex`, `jent_entropy_collector_alloc`, `jent_read_entropy[_safe]`) for the
//! known-answer tests and for callers that need the exact C behaviour.

#![deny(unsafe_op_in_unsafe_fn)]

mod collector;
mod error;
pub mod flags;
pub mod health;
mod keccak;
mod library;
mod memory;
mod source;
mod status;
mod timer;
mod xdrbg;

pub use collector::{Collector, Probe};
pub use error::{Error, ErrorKind};
pub use library::{Library, init_code};
pub use source::{Config, EntropySource, Mode, RawNoise, TimerKind};
pub use status::{HealthReport, Status};
#[cfg(feature = "danger-test-timer")]
pub use timer::DangerCycleTimer;
pub use timer::{ClockTimer, HardwareTimer, TimeSource};

/// Version of the C library this crate ports: major * 10^6 + minor * 10^4 + patch * 100.
pub const JENT_VERSION: u32 = 3_070_000;

/// Version of this crate.
pub const CRATE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Smallest oversampling rate; 0, 1 and 2 are raised to it (the loop shuffle is disabled).
pub const MIN_OSR: u32 = 3;

/// Largest oversampling rate.
pub const MAX_OSR: u32 = 20;

/// Bits per output block.
pub(crate) const DATA_SIZE_BITS: u32 = 256;

//! Errors with stable numeric codes.
//!
//! The codes follow the C library where it has one: power-up codes 1..=13 are the `ENOTIME` ..
//! `EGCD` values of `jent_entropy_init`, read errors are the negative `jent_read_entropy` values.
//! Codes this port adds live in their own ranges (configuration 100..=199, a disabled source 200,
//! platform 300..=399). A published code is never renumbered; a retired one stays reserved.

use std::fmt;

/// Which kind of failure an [`Error`] is, for callers that map errors to their own types.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A setting is out of range or a combination cannot work. Nothing was started.
    InvalidConfig,
    /// The self tests or the power-up test (SP 800-90B §4.3) did not pass.
    Startup,
    /// An intermittent health-test failure that the reset ladder could not recover from.
    HealthIntermittent,
    /// A permanent health-test failure: the source is disabled for good.
    HealthPermanent,
    /// The source failed permanently earlier and refuses every request.
    Disabled,
    /// The operating system refused something the collector needs (a thread, memory).
    Platform,
}

/// Everything that can go wrong. `Display` names the test or setting and never shows entropy.
#[derive(Clone, Debug, Eq, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// Power-up test: the timer returned zero (`ENOTIME`, 1).
    NoTimer,
    /// Power-up test: two reads gave the same value, or the GCD is too large (`ECOARSETIME`, 2).
    CoarseTimer,
    /// Power-up test: the timer went backwards more than 3 times in 1024 samples (`ENOMONOTONIC`, 3).
    NotMonotonic,
    /// Power-up test: the sum of delta variations is too small for the claimed osr (`EMINVARVAR`, 6).
    MinVariationOfVariation,
    /// Power-up test: more than 90 % of the samples were stuck (`ESTUCK`, 8).
    TooManyStuck,
    /// Power-up test: a health test other than the RCT failed (`EHEALTH`, 9).
    PowerUpHealth,
    /// Power-up test: the repetition count test failed (`ERCT`, 10).
    PowerUpRct,
    /// Self test: the SHA3-256 or XDRBG-256 known answer did not match (`EHASH`, 11).
    HashSelfTest,
    /// A collector could not be set up: memory, a failed start-up or no usable timer (`EMEM`, 12).
    Allocation,
    /// Self test: the GCD computation gave a wrong answer (`EGCD`, 13).
    GcdSelfTest,
    /// Repetition count test (SP 800-90B §4.4.1), intermittent cutoff (-2).
    RctIntermittent,
    /// Adaptive proportion test (SP 800-90B §4.4.2), intermittent cutoff (-3).
    AptIntermittent,
    /// The internal timer thread could not be started (-4).
    TimerThread,
    /// Lag predictor test, intermittent cutoff (-5).
    LagIntermittent,
    /// Repetition count test, permanent cutoff (-6).
    RctPermanent,
    /// Adaptive proportion test, permanent cutoff (-7).
    AptPermanent,
    /// Lag predictor test, permanent cutoff (-8; 3.7.0 never raises it).
    LagPermanent,
    /// Repetition count test with memory, intermittent cutoff (-9).
    RctMemoryIntermittent,
    /// Repetition count test with memory, permanent cutoff (-10).
    RctMemoryPermanent,
    /// The oversampling rate is above 20 (100).
    InvalidOsr(u32),
    /// The memory size is not a power of two between 1 KiB and 512 MiB (101).
    InvalidMemorySize(usize),
    /// The hash-loop count is not a power of two between 1 and 128 (102).
    InvalidHashLoopCount(u32),
    /// FIPS or NTG.1 mode without memory access can never start in 3.7.0 (103).
    MemoryAccessRequired,
    /// The internal timer was requested where it is not allowed: NTG.1 mode, or one CPU (104).
    InternalTimerRefused,
    /// A setting could not be parsed; the payload names the setting and the accepted values (105).
    InvalidSetting(String),
    /// A permanent failure earlier disabled this source; the payload is that failure's code (200).
    Disabled(i32),
    /// Locking the collector's memory failed and the configuration requires it (300).
    MemoryLock(i32),
}

impl Error {
    /// The stable numeric code of this error.
    pub fn code(&self) -> i32 {
        match self {
            Self::NoTimer => 1,
            Self::CoarseTimer => 2,
            Self::NotMonotonic => 3,
            Self::MinVariationOfVariation => 6,
            Self::TooManyStuck => 8,
            Self::PowerUpHealth => 9,
            Self::PowerUpRct => 10,
            Self::HashSelfTest => 11,
            Self::Allocation => 12,
            Self::GcdSelfTest => 13,
            Self::RctIntermittent => -2,
            Self::AptIntermittent => -3,
            Self::TimerThread => -4,
            Self::LagIntermittent => -5,
            Self::RctPermanent => -6,
            Self::AptPermanent => -7,
            Self::LagPermanent => -8,
            Self::RctMemoryIntermittent => -9,
            Self::RctMemoryPermanent => -10,
            Self::InvalidOsr(_) => 100,
            Self::InvalidMemorySize(_) => 101,
            Self::InvalidHashLoopCount(_) => 102,
            Self::MemoryAccessRequired => 103,
            Self::InternalTimerRefused => 104,
            Self::InvalidSetting(_) => 105,
            Self::Disabled(_) => 200,
            Self::MemoryLock(_) => 300,
        }
    }

    /// The kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::NoTimer
            | Self::CoarseTimer
            | Self::NotMonotonic
            | Self::MinVariationOfVariation
            | Self::TooManyStuck
            | Self::PowerUpHealth
            | Self::PowerUpRct
            | Self::HashSelfTest
            | Self::Allocation
            | Self::GcdSelfTest => ErrorKind::Startup,
            Self::RctIntermittent
            | Self::AptIntermittent
            | Self::LagIntermittent
            | Self::RctMemoryIntermittent => ErrorKind::HealthIntermittent,
            Self::RctPermanent
            | Self::AptPermanent
            | Self::LagPermanent
            | Self::RctMemoryPermanent => ErrorKind::HealthPermanent,
            Self::InvalidOsr(_)
            | Self::InvalidMemorySize(_)
            | Self::InvalidHashLoopCount(_)
            | Self::MemoryAccessRequired
            | Self::InternalTimerRefused
            | Self::InvalidSetting(_) => ErrorKind::InvalidConfig,
            Self::Disabled(_) => ErrorKind::Disabled,
            Self::TimerThread | Self::MemoryLock(_) => ErrorKind::Platform,
        }
    }

    /// Whether this error disables the source for good.
    pub fn is_permanent(&self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::HealthPermanent | ErrorKind::Disabled
        )
    }

    /// Maps a power-up return code of the C library (1..=13) to an error.
    pub(crate) fn from_init_code(code: i32) -> Option<Self> {
        Some(match code {
            1 => Self::NoTimer,
            2 => Self::CoarseTimer,
            3 => Self::NotMonotonic,
            6 => Self::MinVariationOfVariation,
            8 => Self::TooManyStuck,
            9 => Self::PowerUpHealth,
            10 => Self::PowerUpRct,
            11 => Self::HashSelfTest,
            12 => Self::Allocation,
            13 => Self::GcdSelfTest,
            _ => return None,
        })
    }

    /// Maps a negative read code of the C library to an error.
    pub(crate) fn from_read_code(code: isize) -> Self {
        match code {
            -2 => Self::RctIntermittent,
            -3 => Self::AptIntermittent,
            -4 => Self::TimerThread,
            -5 => Self::LagIntermittent,
            -6 => Self::RctPermanent,
            -7 => Self::AptPermanent,
            -8 => Self::LagPermanent,
            -9 => Self::RctMemoryIntermittent,
            -10 => Self::RctMemoryPermanent,
            _ => Self::Allocation,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoTimer => f.write_str("power-up test: the timer returned zero (ENOTIME)"),
            Self::CoarseTimer => f.write_str(
                "power-up test: the timer is too coarse, two reads gave the same value or all \
                 deltas share a huge common divisor (ECOARSETIME)",
            ),
            Self::NotMonotonic => {
                f.write_str("power-up test: the timer went backwards more than 3 times (ENOMONOTONIC)")
            }
            Self::MinVariationOfVariation => f.write_str(
                "power-up test: the time deltas vary too little for the oversampling rate (EMINVARVAR)",
            ),
            Self::TooManyStuck => {
                f.write_str("power-up test: more than 90 % of the samples were stuck (ESTUCK)")
            }
            Self::PowerUpHealth => f.write_str(
                "power-up test: the adaptive proportion or lag predictor test failed (EHEALTH)",
            ),
            Self::PowerUpRct => {
                f.write_str("power-up test: the repetition count test failed (ERCT)")
            }
            Self::HashSelfTest => {
                f.write_str("self test: SHA3-256 or XDRBG-256 known answer mismatch (EHASH)")
            }
            Self::Allocation => f.write_str(
                "the collector could not be started: memory, start-up health tests or the \
                 reset ladder failed (EMEM)",
            ),
            Self::GcdSelfTest => f.write_str("self test: GCD computation mismatch (EGCD)"),
            Self::RctIntermittent => f.write_str(
                "repetition count test (SP 800-90B 4.4.1) failed: intermittent cutoff reached",
            ),
            Self::AptIntermittent => f.write_str(
                "adaptive proportion test (SP 800-90B 4.4.2) failed: intermittent cutoff reached",
            ),
            Self::TimerThread => f.write_str("the internal timer thread could not be started"),
            Self::LagIntermittent => {
                f.write_str("lag predictor test failed: intermittent cutoff reached")
            }
            Self::RctPermanent => f.write_str(
                "repetition count test (SP 800-90B 4.4.1) failed permanently: source disabled",
            ),
            Self::AptPermanent => f.write_str(
                "adaptive proportion test (SP 800-90B 4.4.2) failed permanently: source disabled",
            ),
            Self::LagPermanent => {
                f.write_str("lag predictor test failed permanently: source disabled")
            }
            Self::RctMemoryIntermittent => f.write_str(
                "repetition count test with memory failed: intermittent cutoff reached",
            ),
            Self::RctMemoryPermanent => f.write_str(
                "repetition count test with memory failed permanently: source disabled",
            ),
            Self::InvalidOsr(osr) => {
                write!(f, "osr {osr} is not allowed: the oversampling rate must be 0..=20")
            }
            Self::InvalidMemorySize(size) => write!(
                f,
                "memory size {size} is not allowed: use a power of two from 1024 to 536870912 bytes"
            ),
            Self::InvalidHashLoopCount(count) => write!(
                f,
                "hash-loop count {count} is not allowed: use 1, 2, 4, 8, 16, 32, 64 or 128"
            ),
            Self::MemoryAccessRequired => f.write_str(
                "FIPS and NTG.1 mode need the memory-access noise source: jitterentropy 3.7.0 \
                 can never start them without it",
            ),
            Self::InternalTimerRefused => f.write_str(
                "the internal timer is not allowed here: NTG.1 mode forbids it and it needs at \
                 least two CPUs",
            ),
            Self::InvalidSetting(what) => write!(f, "invalid setting: {what}"),
            Self::Disabled(code) => write!(
                f,
                "the entropy source is disabled after a permanent failure (code {code}): {}",
                Self::from_read_code(*code as isize)
            ),
            Self::MemoryLock(errno) => {
                write!(f, "locking the collector memory failed (errno {errno})")
            }
        }
    }
}

impl std::error::Error for Error {}

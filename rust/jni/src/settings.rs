//! Turns the primitives `dev.jent.Native.open` passes into a `jent_core::Config`.
//!
//! Java parses the `dev.jent.*` properties and reports syntax errors naming the property; this
//! module maps the resulting numbers onto the core's types and lets the core's own
//! `Config::validate` have the last word on ranges. The numeric constants below are part of the
//! ABI ([`crate::ABI_VERSION`]) and are mirrored in `dev.jent.Native`.

use jent_core::{Config, Mode, TimerKind};

use crate::door::BridgeError;

/// "Not set": keep the core's default for this field.
pub const UNSET: i32 = -1;

/// `dev.jent.mode=fips`.
pub const MODE_FIPS: i32 = 0;
/// `dev.jent.mode=ntg1`.
pub const MODE_NTG1: i32 = 1;
/// `dev.jent.mode=standard`.
pub const MODE_STANDARD: i32 = 2;

/// `dev.jent.timer=auto`.
pub const TIMER_AUTO: i32 = 0;
/// `dev.jent.timer=hardware`.
pub const TIMER_HARDWARE: i32 = 1;
/// `dev.jent.timer=clock`.
pub const TIMER_CLOCK: i32 = 2;
/// `dev.jent.timer=internal`.
pub const TIMER_INTERNAL: i32 = 3;
/// `dev.jent.timer=danger-cycle:<d1>,<d2>,...`: test builds only.
pub const TIMER_DANGER_CYCLE: i32 = 4;

/// The settings as Java passes them, before they become a `Config`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawSettings {
    /// Oversampling rate, or [`UNSET`].
    pub osr: i32,
    /// One of the `MODE_*` constants, or [`UNSET`].
    pub mode: i32,
    /// Memory buffer size in bytes; 0 means "size it from the cache" (the core's `None`).
    pub memory_size: i64,
    /// Hash loop count, or [`UNSET`].
    pub hash_loop_count: i32,
    /// One of the `TIMER_*` constants, or [`UNSET`].
    pub timer: i32,
    /// For [`TIMER_DANGER_CYCLE`] only: the deltas as 8-byte little-endian unsigned integers.
    pub timer_deltas: Vec<u8>,
}

impl RawSettings {
    /// Every setting unset: the core's defaults apply.
    pub fn unset() -> Self {
        Self {
            osr: UNSET,
            mode: UNSET,
            memory_size: 0,
            hash_loop_count: UNSET,
            timer: UNSET,
            timer_deltas: Vec::new(),
        }
    }

    /// Builds the core configuration, starting from `Config::default()` and overriding each
    /// field that is set.
    ///
    /// # Errors
    ///
    /// [`BridgeError::Setting`] for a number outside the ABI's constants, a negative size, or
    /// the test-only timer in a build without it; [`BridgeError::Core`] when the core's
    /// `Config::validate` refuses the result.
    pub fn to_config(&self) -> Result<Config, BridgeError> {
        let mut config = Config::default();

        if self.osr != UNSET {
            config.osr = u32::try_from(self.osr)
                .map_err(|_| setting(format!("dev.jent.osr={} is negative", self.osr)))?;
        }

        config.mode = match self.mode {
            UNSET => config.mode,
            MODE_FIPS => Mode::Fips,
            MODE_NTG1 => Mode::Ntg1,
            MODE_STANDARD => Mode::Standard,
            other => return Err(setting(format!("mode code {other} is not part of ABI"))),
        };

        config.memory_size = match self.memory_size {
            0 => None,
            size => Some(usize::try_from(size).map_err(|_| {
                setting(format!(
                    "dev.jent.memory_size={size} is not a positive byte count"
                ))
            })?),
        };

        if self.hash_loop_count != UNSET {
            config.hash_loop_count = u32::try_from(self.hash_loop_count).map_err(|_| {
                setting(format!(
                    "dev.jent.hash_loop={} is negative",
                    self.hash_loop_count
                ))
            })?;
        }

        config.timer = self.timer_kind()?;
        config.validate()?;
        Ok(config)
    }

    fn timer_kind(&self) -> Result<TimerKind, BridgeError> {
        if self.timer != TIMER_DANGER_CYCLE && !self.timer_deltas.is_empty() {
            return Err(setting(
                "timer deltas are only accepted with the danger-cycle timer".into(),
            ));
        }
        match self.timer {
            UNSET | TIMER_AUTO => Ok(TimerKind::Auto),
            TIMER_HARDWARE => Ok(TimerKind::Hardware),
            TIMER_CLOCK => Ok(TimerKind::Clock),
            TIMER_INTERNAL => Ok(TimerKind::Internal),
            TIMER_DANGER_CYCLE => danger_cycle(&self.timer_deltas),
            other => Err(setting(format!("timer code {other} is not part of ABI"))),
        }
    }
}

#[cfg(feature = "danger-test-timer")]
fn danger_cycle(encoded: &[u8]) -> Result<TimerKind, BridgeError> {
    let chunks = encoded.chunks_exact(8);
    if encoded.is_empty() || !chunks.remainder().is_empty() {
        return Err(setting(format!(
            "the danger-cycle timer needs at least one delta, encoded as 8-byte words; got {} \
             bytes",
            encoded.len()
        )));
    }
    let mut deltas = Vec::with_capacity(encoded.len() / 8);
    for chunk in chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        deltas.push(u64::from_le_bytes(word));
    }
    Ok(TimerKind::DangerCycle(deltas))
}

#[cfg(not(feature = "danger-test-timer"))]
fn danger_cycle(_encoded: &[u8]) -> Result<TimerKind, BridgeError> {
    Err(setting(
        "dev.jent.timer=danger-cycle:... selects a test-only timer that makes the health tests \
         fail on purpose; this native library was built without the danger-test-timer feature \
         and refuses it (only the test build under target/test-native accepts it)"
            .into(),
    ))
}

fn setting(message: String) -> BridgeError {
    BridgeError::Setting(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_fields_keep_the_core_defaults() {
        let config = RawSettings::unset()
            .to_config()
            .expect("defaults are valid");
        let default = Config::default();
        assert_eq!(config.osr, default.osr);
        assert_eq!(config.mode, default.mode);
        assert_eq!(config.memory_size, None);
        assert_eq!(config.hash_loop_count, default.hash_loop_count);
        assert_eq!(config.timer, TimerKind::Auto);
    }

    #[test]
    fn set_fields_reach_the_config() {
        let raw = RawSettings {
            osr: 5,
            mode: MODE_NTG1,
            memory_size: 1 << 16,
            hash_loop_count: 4,
            timer: TIMER_CLOCK,
            ..RawSettings::unset()
        };
        let config = raw.to_config().expect("valid settings");
        assert_eq!(config.osr, 5);
        assert_eq!(config.mode, Mode::Ntg1);
        assert_eq!(config.memory_size, Some(1 << 16));
        assert_eq!(config.hash_loop_count, 4);
        assert_eq!(config.timer, TimerKind::Clock);
    }

    #[test]
    fn codes_outside_the_abi_are_refused() {
        assert!(matches!(
            RawSettings {
                mode: 9,
                ..RawSettings::unset()
            }
            .to_config(),
            Err(BridgeError::Setting(_))
        ));
        assert!(matches!(
            RawSettings {
                timer: 9,
                ..RawSettings::unset()
            }
            .to_config(),
            Err(BridgeError::Setting(_))
        ));
        assert!(matches!(
            RawSettings {
                osr: -3,
                ..RawSettings::unset()
            }
            .to_config(),
            Err(BridgeError::Setting(_))
        ));
        assert!(matches!(
            RawSettings {
                memory_size: -1,
                ..RawSettings::unset()
            }
            .to_config(),
            Err(BridgeError::Setting(_))
        ));
        assert!(matches!(
            RawSettings {
                timer_deltas: vec![1; 8],
                ..RawSettings::unset()
            }
            .to_config(),
            Err(BridgeError::Setting(_))
        ));
    }

    #[test]
    fn the_core_has_the_last_word_on_ranges() {
        match (RawSettings {
            osr: 21,
            ..RawSettings::unset()
        })
        .to_config()
        {
            Err(BridgeError::Core(error)) => {
                assert_eq!(error.kind(), jent_core::ErrorKind::InvalidConfig)
            }
            other => panic!("expected a core configuration error, got {other:?}"),
        }
    }

    #[cfg(not(feature = "danger-test-timer"))]
    #[test]
    fn the_shipped_build_refuses_the_danger_timer() {
        let raw = RawSettings {
            timer: TIMER_DANGER_CYCLE,
            timer_deltas: vec![0; 8],
            ..RawSettings::unset()
        };
        match raw.to_config() {
            Err(BridgeError::Setting(message)) => {
                assert!(message.contains("test-only"), "{message}")
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[cfg(feature = "danger-test-timer")]
    #[test]
    fn the_test_build_decodes_the_danger_deltas() {
        let mut encoded = Vec::new();
        for delta in [7u64, 1 << 40] {
            encoded.extend_from_slice(&delta.to_le_bytes());
        }
        let raw = RawSettings {
            timer: TIMER_DANGER_CYCLE,
            timer_deltas: encoded,
            ..RawSettings::unset()
        };
        assert_eq!(
            raw.timer_kind().expect("well-formed deltas"),
            TimerKind::DangerCycle(vec![7, 1 << 40])
        );
        let ragged = RawSettings {
            timer: TIMER_DANGER_CYCLE,
            timer_deltas: vec![1; 9],
            ..RawSettings::unset()
        };
        assert!(matches!(ragged.timer_kind(), Err(BridgeError::Setting(_))));
    }
}

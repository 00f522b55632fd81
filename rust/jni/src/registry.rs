//! The collectors Java uses, kept on the Rust side and named by small integer ids.
//!
//! Java never sees a pointer: `open` returns an index into a registry of collectors, and every
//! later call looks the index up again, so a stale or forged id is an error and never undefined
//! behaviour.
//! Each collector sits behind its own mutex (`EntropySource` is `Send` but not `Sync`); the Java
//! pool hands a collector to one thread at a time, so that mutex is not contended in practice.
//!
//! A collector that fails a request is dropped from the registry at once: the core disables an
//! `EntropySource` after any failure its reset ladder could not absorb, so it would never serve
//! again. The Java pool starts a fresh one (with a new power-up test) when it needs one.
//!
//! The registry also holds the process-wide failure latch. The first permanent failure (the core's
//! `Error::is_permanent`: a permanent health-test failure) is recorded once, and from then on
//! `open` and `generate` refuse with a [`BridgeError::Disabled`] naming it, whatever collector is
//! asked: an entropy source that has failed for good stays failed for the life of the JVM.

use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use jent_core::EntropySource;
use zeroize::Zeroizing;

use crate::door::BridgeError;

/// Upper bound on live collectors; the Java pool caps itself far lower (`dev.jent.collectors`).
pub const MAX_COLLECTORS: usize = 1024;

type Collector = Arc<Mutex<EntropySource>>;

/// Slot `i` holds collector id `i`; a closed collector leaves `None` for reuse.
static COLLECTORS: Mutex<Vec<Option<Collector>>> = Mutex::new(Vec::new());

/// The first permanent failure seen in this process, if any.
static PERMANENT_FAILURE: OnceLock<Failure> = OnceLock::new();

/// A failure remembered by the latch: the core's stable code and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The core's stable error code (`jent_core::Error::code`).
    pub code: i32,
    /// The core's message, which names the failed test; it never contains output bytes.
    pub message: String,
}

/// Creates a collector (self tests, power-up test, first block) and returns its id.
///
/// # Errors
///
/// [`BridgeError::Disabled`] once the latch is set, [`BridgeError::Core`] when the core refuses
/// (a configuration, power-up or platform error), [`BridgeError::TooManyCollectors`] past
/// [`MAX_COLLECTORS`].
pub fn open(raw: &crate::settings::RawSettings) -> Result<i32, BridgeError> {
    refuse_if_disabled()?;
    let config = raw.to_config()?;

    // Built outside the registry lock: the power-up test takes a while.
    let source = EntropySource::new(config).map_err(latch)?;

    let mut slots = COLLECTORS.lock().unwrap_or_else(PoisonError::into_inner);
    let collector = Some(Arc::new(Mutex::new(source)));
    let index = match slots.iter().position(Option::is_none) {
        Some(free) => {
            slots[free] = collector;
            free
        }
        None if slots.len() < MAX_COLLECTORS => {
            slots.push(collector);
            slots.len() - 1
        }
        None => return Err(BridgeError::TooManyCollectors(MAX_COLLECTORS)),
    };
    i32::try_from(index).map_err(|_| BridgeError::TooManyCollectors(MAX_COLLECTORS))
}

/// Fills a fresh buffer of `length` bytes from collector `id`.
///
/// The buffer is returned only when the whole request succeeded; on any failure it is wiped
/// and dropped, so a caller can never see part of a failed request, and the collector is removed
/// from the registry.
///
/// # Errors
///
/// [`BridgeError::Disabled`] once the latch is set, [`BridgeError::UnknownCollector`] for an id
/// `open` did not return or `close` released, [`BridgeError::Poisoned`] for a collector whose
/// last use panicked, [`BridgeError::Core`] for the core's failures (a permanent one also sets
/// the latch).
pub fn generate(id: i32, length: usize) -> Result<Zeroizing<Vec<u8>>, BridgeError> {
    refuse_if_disabled()?;
    let collector = lookup(id)?;
    let outcome = match collector.lock() {
        Ok(mut source) => {
            let mut scratch = Zeroizing::new(vec![0u8; length]);
            source.fill(&mut scratch).map(|()| scratch).map_err(latch)
        }
        Err(_) => Err(BridgeError::Poisoned(id)),
    };
    if outcome.is_err() {
        // The core has disabled this source (or it panicked): it will never serve again.
        let _ = close(id);
    }
    outcome
}

/// The core's status JSON for collector `id`.
///
/// # Errors
///
/// [`BridgeError::UnknownCollector`] or [`BridgeError::Poisoned`], as for [`generate`]. The latch
/// does not stop a status query: a disabled source must still be able to say why.
pub fn status(id: i32) -> Result<String, BridgeError> {
    let collector = lookup(id)?;
    let source = collector.lock().map_err(|_| BridgeError::Poisoned(id))?;
    Ok(source.status().to_json())
}

/// Releases collector `id`; its memory is wiped by the core when the last user drops it.
///
/// # Errors
///
/// [`BridgeError::UnknownCollector`] for an id that is not open.
pub fn close(id: i32) -> Result<(), BridgeError> {
    let mut slots = COLLECTORS.lock().unwrap_or_else(PoisonError::into_inner);
    let slot = usize::try_from(id)
        .ok()
        .and_then(|index| slots.get_mut(index))
        .filter(|slot| slot.is_some())
        .ok_or(BridgeError::UnknownCollector(id))?;
    *slot = None;
    Ok(())
}

/// The latched permanent failure, if there is one.
pub fn permanent_failure() -> Option<&'static Failure> {
    PERMANENT_FAILURE.get()
}

fn lookup(id: i32) -> Result<Collector, BridgeError> {
    let slots = COLLECTORS.lock().unwrap_or_else(PoisonError::into_inner);
    usize::try_from(id)
        .ok()
        .and_then(|index| slots.get(index))
        .and_then(Option::clone)
        .ok_or(BridgeError::UnknownCollector(id))
}

fn refuse_if_disabled() -> Result<(), BridgeError> {
    match PERMANENT_FAILURE.get() {
        Some(first) => Err(BridgeError::Disabled(first.clone())),
        None => Ok(()),
    }
}

/// Passes a core error through, recording it first if it ends the source for good.
fn latch(error: jent_core::Error) -> BridgeError {
    if error.is_permanent() {
        // Only the first failure is kept; later ones are consequences of it.
        let _ = PERMANENT_FAILURE.set(Failure {
            code: error.code(),
            message: error.to_string(),
        });
    }
    BridgeError::Core(error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::RawSettings;

    #[test]
    fn ids_that_were_never_opened_are_refused() {
        assert!(matches!(
            generate(-1, 8),
            Err(BridgeError::UnknownCollector(-1))
        ));
        assert!(matches!(
            generate(i32::MAX, 8),
            Err(BridgeError::UnknownCollector(_))
        ));
        assert!(matches!(status(-7), Err(BridgeError::UnknownCollector(-7))));
        assert!(matches!(
            close(i32::MAX),
            Err(BridgeError::UnknownCollector(_))
        ));
    }

    #[test]
    fn an_open_collector_serves_until_closed() {
        let id = open(&RawSettings::unset()).expect("the default configuration starts");
        let first = generate(id, 32).expect("a healthy collector serves");
        let second = generate(id, 32).expect("a healthy collector serves");
        assert_eq!(first.len(), 32);
        assert_ne!(*first, *second, "two blocks of output must differ");
        assert!(
            status(id)
                .expect("status of an open collector")
                .starts_with('{')
        );

        close(id).expect("closing an open collector");
        assert!(matches!(
            generate(id, 8),
            Err(BridgeError::UnknownCollector(_))
        ));
        assert!(matches!(close(id), Err(BridgeError::UnknownCollector(_))));
    }

    #[test]
    fn an_empty_request_is_served() {
        let id = open(&RawSettings::unset()).expect("the default configuration starts");
        assert!(generate(id, 0).expect("zero bytes").is_empty());
        close(id).expect("closing an open collector");
    }
}

//! The process-wide failure latch, driven by the test-only timer. One test function, in its own
//! test binary, because the latch lasts for the life of the process.
//!
//! Run with `cargo test --release -p jent-jni --features danger-test-timer`. The induced failure
//! goes through the core's reset ladder, which took 1.5 to 15 s in release builds and 442 s in a
//! debug build (2-core x86_64 development machine, 2026-12-03), so debug builds skip this file.
#![cfg(all(feature = "danger-test-timer", not(debug_assertions)))]

use jent_core::ErrorKind;
use jent_jni::door::{BridgeError, CODE_DISABLED, KIND_DISABLED, Throw};
use jent_jni::registry;
use jent_jni::settings::{RawSettings, TIMER_DANGER_CYCLE, UNSET};

fn danger(deltas: impl IntoIterator<Item = u64>) -> RawSettings {
    RawSettings {
        osr: UNSET,
        mode: UNSET,
        memory_size: 0,
        hash_loop_count: UNSET,
        timer: TIMER_DANGER_CYCLE,
        timer_deltas: deltas.into_iter().flat_map(u64::to_le_bytes).collect(),
    }
}

/// 24000 varied deltas (xorshift, 1000..=5095), enough for the power-up test, then 20000 equal.
fn varied_then_constant() -> Vec<u64> {
    let mut state: u64 = 0x1234_5678_9abc_def1;
    let mut deltas = Vec::with_capacity(44_000);
    for _ in 0..24_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        deltas.push(1000 + state % 4096);
    }
    deltas.extend(std::iter::repeat_n(7, 20_000));
    deltas
}

#[test]
fn startup_failures_repeat_and_permanent_failures_latch() {
    // A constant timer fails the power-up test every time, without latching anything.
    for _ in 0..2 {
        match registry::open(&danger([5])) {
            Err(BridgeError::Core(error)) => assert_eq!(error.kind(), ErrorKind::Startup),
            other => panic!("a constant timer must fail the power-up test, got {other:?}"),
        }
    }
    assert!(registry::permanent_failure().is_none());

    // A timer that goes constant after start-up trips a permanent health failure.
    let bystander = registry::open(&danger(varied_then_constant())).expect("start-up passes");
    let id = registry::open(&danger(varied_then_constant())).expect("start-up passes");
    let mut served = 0;
    let failure = loop {
        match registry::generate(id, 32) {
            Ok(bytes) => {
                assert_eq!(bytes.len(), 32);
                served += 1;
                assert!(served < 2000, "no failure after {served} requests");
            }
            Err(error) => break error,
        }
    };
    let BridgeError::Core(error) = &failure else {
        panic!("expected a core error: {failure:?}")
    };
    assert!(error.is_permanent(), "{error}");
    let latched = registry::permanent_failure().expect("the failure is latched");
    assert_eq!(latched.code, error.code());

    // The failed collector is gone, and every other way in is refused, naming the failure.
    assert!(matches!(
        registry::status(id),
        Err(BridgeError::UnknownCollector(_))
    ));
    for refused in [
        registry::generate(bystander, 8).map(drop),
        registry::open(&danger([5])).map(drop),
    ] {
        let error = refused.expect_err("the source is disabled");
        assert_eq!(
            error.throw_kind(),
            Throw::Jent {
                code: CODE_DISABLED,
                kind: KIND_DISABLED
            }
        );
        assert!(error.to_string().contains(&latched.message), "{error}");
    }
}

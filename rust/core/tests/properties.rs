//! Property tests: the health state machine and the collector on arbitrary input.
//!
//! Overflow checks are on in the test and release profiles, so "never panics" includes "never
//! overflows". Case counts are kept small enough for a shared two-core machine; `PROPTEST_CASES`
//! replaces them for a longer run.

use std::sync::{Arc, Mutex};

use jent_core::health::{
    APT_FAILURE, Cutoffs, HealthState, LAG_FAILURE, PERMANENT_SHIFT, RCT_FAILURE,
    RCT_MEMORY_FAILURE,
};
use jent_core::{Library, Probe, TimeSource, flags, health};
use proptest::prelude::*;

/// `PROPTEST_CASES` if set, else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// Deltas that stress the stuck test and the counters: zeros, extremes, repetitions, wrapping
/// straight lines and long runs, mixed with arbitrary values.
fn delta_sequence() -> impl Strategy<Value = Vec<u64>> {
    let piece = prop_oneof![
        any::<u64>().prop_map(|v| vec![v]),
        Just(vec![0]),
        Just(vec![u64::MAX]),
        (any::<u64>(), 1usize..700).prop_map(|(v, n)| vec![v; n]),
        (0usize..700).prop_map(|n| vec![0; n]),
        (any::<u64>(), any::<u64>(), 1usize..700).prop_map(|(start, step, n)| (0..n as u64)
            .map(|k| start.wrapping_add(step.wrapping_mul(k)))
            .collect()),
        (prop::collection::vec(any::<u64>(), 1..9), 1usize..300)
            .prop_map(|(cycle, n)| { (0..n).map(|k| cycle[k % cycle.len()]).collect() }),
    ];
    prop::collection::vec(piece, 1..12).prop_map(|pieces| pieces.concat())
}

/// The RCT and APT cutoffs recomputed from their formulas (SP 800-90B §4.4.1, §4.4.2 tables).
fn cutoffs(osr: u32, mode: Cutoffs) -> (u64, u64, u64) {
    let (rct_permanent, apt_permanent) = match mode {
        Cutoffs::Common => (
            60 * u64::from(osr),
            health::APT_CUTOFF_PERMANENT[(osr as usize).min(15) - 1],
        ),
        Cutoffs::Ntg1 => (
            (60 * u64::from(osr)).div_ceil(8),
            health::APT_CUTOFF_PERMANENT_NTG1[(osr as usize).min(15) - 1],
        ),
    };
    let rct = match mode {
        Cutoffs::Common => 30 * u64::from(osr),
        Cutoffs::Ntg1 => (30 * u64::from(osr)).div_ceil(8),
    };
    (rct, rct_permanent, u64::from(apt_permanent))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(96), ..ProptestConfig::default() })]

    #[test]
    fn health_state_machine_invariants(
        deltas in delta_sequence(),
        osr in 1u32..=20,
        ntg1 in any::<bool>(),
    ) {
        let mode = if ntg1 { Cutoffs::Ntg1 } else { Cutoffs::Common };
        let (rct_c, rct_cp, apt_cp) = cutoffs(osr, mode);
        let mut state = HealthState::new(osr, mode);

        // Independent bookkeeping from the specification, fed with what the state machine
        // returns: consecutive stuck samples (RCT) and the APT window (512 samples, its first
        // sample is the base and counts as one).
        let (mut h0, mut h1) = (0u64, 0u64);
        let mut stuck_run = 0u64;
        let (mut window_base, mut window_count, mut window_seen) = (0u64, 0u64, 0u64);
        let mut latched = 0u32;

        for (index, &delta) in deltas.iter().enumerate() {
            let stuck = state.stuck_and_tests(delta);

            // Stuck means a zero 1st, 2nd or 3rd discrete derivative, in wrapping arithmetic.
            // (The history is zeroed every 2^17 samples with the lag window; the sequences
            // here are shorter.)
            let d2 = delta.wrapping_sub(h0);
            let expected_stuck = delta == 0 || d2 == 0 || d2 == h0.wrapping_sub(h1);
            prop_assert_eq!(stuck, expected_stuck, "sample {} delta {:#x}", index + 1, delta);
            (h1, h0) = (h0, delta);

            stuck_run = if stuck { stuck_run + 1 } else { 0 };
            if window_seen == 0 || window_seen == 512 {
                (window_base, window_count, window_seen) = (delta, 1, 1);
            } else {
                window_seen += 1;
                if delta == window_base {
                    window_count += 1;
                }
            }

            let now = state.failures();
            prop_assert_eq!(now & latched, latched, "bits cleared at sample {}", index + 1);
            let new = now & !latched;

            // A permanent bit implies its count reached the permanent cutoff; the RCT's
            // intermittent bit appears exactly at the C-th stuck sample of a run.
            if new & (RCT_FAILURE << PERMANENT_SHIFT) != 0 {
                prop_assert_eq!(stuck_run, rct_cp);
            }
            if new & RCT_FAILURE != 0 {
                prop_assert_eq!(stuck_run, rct_c);
            }
            if new & (APT_FAILURE << PERMANENT_SHIFT) != 0 {
                prop_assert_eq!(window_count, apt_cp);
            }
            // 3.7.0 has no permanent lag failure, and the pure state machine never runs the
            // RCT with memory (the collector owns its block window).
            prop_assert_eq!(now & (LAG_FAILURE << PERMANENT_SHIFT), 0);
            prop_assert_eq!(now & (RCT_MEMORY_FAILURE | RCT_MEMORY_FAILURE << PERMANENT_SHIFT), 0);
            latched = now;
        }
    }
}

/// A timer that advances by a scripted cycle of increments, shared by every collector.
#[derive(Clone, Debug)]
struct CycleTimer(Arc<Mutex<(Vec<u64>, usize, u64)>>);

impl TimeSource for CycleTimer {
    fn now(&mut self) -> u64 {
        let mut state = self.0.lock().unwrap();
        let (cycle, index, value) = &mut *state;
        *value = value.wrapping_add(cycle[*index % cycle.len()]);
        *index += 1;
        *value
    }

    fn duplicate(&self) -> Box<dyn TimeSource> {
        Box::new(self.clone())
    }

    fn name(&self) -> &'static str {
        "property-cycle"
    }
}

/// Counts evaluations and non-stuck ones.
#[derive(Debug, Default)]
struct Counter(Mutex<(u64, u64)>);

impl Probe for Counter {
    fn sample_evaluated(&self, _delta: u64, stuck: bool, _failures: u32) {
        let mut counts = self.0.lock().unwrap();
        counts.0 += 1;
        if !stuck {
            counts.1 += 1;
        }
    }
}

fn increment() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0u64),
        Just(1u64),
        Just(u64::MAX),
        Just(1u64 << 63),
        1u64..64,
        (1u64 << 20)..(1u64 << 36),
        any::<u64>(),
    ]
}

proptest! {
    // Each case runs a power-up test and may climb the whole reset ladder: few cases.
    #![proptest_config(ProptestConfig { cases: cases(12), ..ProptestConfig::default() })]

    #[test]
    fn collector_never_panics_on_arbitrary_timers(
        cycle in prop::collection::vec(increment(), 1..40),
        start in any::<u64>(),
        osr in prop_oneof![0u32..=5, 17u32..=21],
        mode in 0u32..3,
        memory_access in any::<bool>(),
    ) {
        let timer = CycleTimer(Arc::new(Mutex::new((cycle, 0, start))));
        let mut library = Library::new(Box::new(timer));
        library.set_os_fips_mode(false);
        let mut flags = flags::DISABLE_INTERNAL_TIMER | flags::with_memsize_field(0, 1);
        flags |= [0, flags::FORCE_FIPS, flags::NTG1][mode as usize];
        if !memory_access {
            flags |= flags::DISABLE_MEMORY_ACCESS;
        }
        // Whatever the timer does, every call returns: a code, a collector or none, and reads
        // that either fill the buffer or return a negative code.
        let code = library.entropy_init_ex(osr, flags);
        prop_assert!((0..=13).contains(&code), "init code {}", code);
        if let Some(mut collector) = library.collector_alloc(osr, flags) {
            prop_assert!((3..=20).contains(&collector.osr()));
            let mut out = [0u8; 40];
            let read = library.read_entropy(&mut collector, &mut out);
            prop_assert!(read == 40 || (-10..=-1).contains(&read), "read {}", read);
            if mode == 0 {
                // Standard mode never reports a health failure.
                prop_assert_eq!(read, 40);
            }
        }
    }
}

#[test]
fn samples_per_block_follow_the_formula_at_every_osr() {
    // One block takes a priming sample plus nosr non-stuck samples, nosr = (256 + safety) * osr
    // rounded up to a multiple of 3 (safety 65 in FIPS mode, SP 800-90C's 64 + 1): counted
    // through the public API as evaluated samples of one read.
    for fips in [false, true] {
        for osr in 3u32..=20 {
            let timer = CycleTimer(Arc::new(Mutex::new((
                (0..97u64)
                    .map(|k| (1 << 24) + k * k * 7919 + k * 31)
                    .collect(),
                0,
                1 << 40,
            ))));
            let counter = Arc::new(Counter::default());
            let mut library = Library::new(Box::new(timer));
            library.set_os_fips_mode(false);
            library.set_probe(counter.clone());
            let mode = if fips { flags::FORCE_FIPS } else { 0 };
            let flags = mode | flags::DISABLE_INTERNAL_TIMER | flags::with_memsize_field(0, 1);
            assert_eq!(library.entropy_init_ex(osr, flags), 0, "osr {osr}");
            let mut collector = library.collector_alloc(osr, flags).expect("collector");

            *counter.0.lock().unwrap() = (0, 0);
            let mut out = [0u8; 32];
            assert_eq!(library.read_entropy(&mut collector, &mut out), 32);
            let (evaluations, good) = *counter.0.lock().unwrap();

            let safety: u64 = if fips { 65 } else { 0 };
            let nosr = ((256 + safety) * u64::from(osr)).div_ceil(3) * 3;
            // The block loop stops at the nosr-th good sample; the priming sample may be good
            // or stuck but is never counted.
            assert!(
                good == nosr || good == nosr + 1,
                "osr {osr} fips {fips}: {good} good samples, expected {nosr}"
            );
            assert!(evaluations > nosr, "osr {osr}: {evaluations} samples");
            assert_eq!(nosr % 3, 0);
            assert!(nosr >= 256 * u64::from(osr));
        }
    }
}

#[test]
fn health_state_accepts_any_osr_without_panicking() {
    // HealthState::new is public; a caller passing an osr the library would refuse must get a
    // state machine or a clear error, never an arithmetic-overflow panic (it panicked for
    // osr > 71582788 until the RCT cutoffs saturated).
    for osr in [
        0,
        21,
        1000,
        143_165_576,
        143_165_577,
        u32::MAX / 60,
        u32::MAX,
    ] {
        let result = std::panic::catch_unwind(|| {
            let mut state = HealthState::new(osr, Cutoffs::Common);
            state.stuck_and_tests(0);
            state.failures()
        });
        assert!(result.is_ok(), "HealthState::new({osr}) panicked");
    }
}

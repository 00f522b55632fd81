//! Health failures through the product API, [`EntropySource`], and the configuration checks
//! that run before anything is started.
//!
//! Inducing failures needs the scripted `TimerKind::DangerCycle` timer, which only exists with
//! the `danger-test-timer` feature:
//! `cargo test --release -p jent-core --features danger-test-timer --test health_source`.
//! Without the feature those tests are not compiled and a placeholder prints why.
//!
//! A `DangerCycle` timer advances by the given increments in turn, and every collector (the
//! power-up test's, the source's, each replacement's) starts at the first increment again. The
//! scripts below are therefore laid out by timer-read index: healthy pseudo-random increments,
//! and a defective stretch placed where only the intended collector's normal samples read it.

use jent_core::{Config, EntropySource, Error, ErrorKind, Mode};

#[test]
fn validate_refuses_fips_and_ntg1_without_memory_access() {
    // 3.7.0 can never start these (its start-up memory stage measures nothing without a
    // buffer), so the port refuses them before running anything.
    for mode in [Mode::Fips, Mode::Ntg1] {
        let config = Config {
            mode,
            memory_access: false,
            ..Config::default()
        };
        let error = config.validate().expect_err("refused");
        assert_eq!(error, Error::MemoryAccessRequired, "{mode}");
        assert_eq!(error.kind(), ErrorKind::InvalidConfig);
        assert_eq!(error.code(), 103);
        assert!(error.to_string().contains("memory-access"), "{error}");
        let from_new = EntropySource::new(config).expect_err("refused by new");
        assert_eq!(from_new, Error::MemoryAccessRequired);
    }
    let standard = Config {
        mode: Mode::Standard,
        memory_access: false,
        ..Config::default()
    };
    assert_eq!(standard.validate(), Ok(()));
}

#[test]
fn validate_refuses_out_of_range_settings_and_names_them() {
    let refused = [
        (
            Config {
                osr: 21,
                ..Config::default()
            },
            100,
            "osr 21",
        ),
        (
            Config {
                osr: u32::MAX,
                ..Config::default()
            },
            100,
            "osr 4294967295",
        ),
        (
            Config {
                memory_size: Some(1000),
                ..Config::default()
            },
            101,
            "memory size 1000",
        ),
        (
            Config {
                memory_size: Some(512),
                ..Config::default()
            },
            101,
            "memory size 512",
        ),
        (
            Config {
                memory_size: Some(1 << 30),
                ..Config::default()
            },
            101,
            "memory size 1073741824",
        ),
        (
            Config {
                memory_size: Some(0),
                ..Config::default()
            },
            101,
            "memory size 0",
        ),
        (
            Config {
                hash_loop_count: 0,
                ..Config::default()
            },
            102,
            "hash-loop count 0",
        ),
        (
            Config {
                hash_loop_count: 3,
                ..Config::default()
            },
            102,
            "hash-loop count 3",
        ),
        (
            Config {
                hash_loop_count: 256,
                ..Config::default()
            },
            102,
            "hash-loop count 256",
        ),
    ];
    for (config, code, named) in refused {
        let error = config.validate().expect_err(named);
        assert_eq!(error.code(), code, "{named}");
        assert_eq!(error.kind(), ErrorKind::InvalidConfig, "{named}");
        assert!(error.to_string().contains(named), "{named}: {error}");
        assert_eq!(EntropySource::new(config).expect_err(named), error);
    }

    // The edges of every range are accepted.
    let accepted = [
        Config {
            osr: 0,
            ..Config::default()
        },
        Config {
            osr: 20,
            ..Config::default()
        },
        Config {
            memory_size: Some(1024),
            ..Config::default()
        },
        Config {
            memory_size: Some(512 << 20),
            ..Config::default()
        },
        Config {
            hash_loop_count: 128,
            ..Config::default()
        },
    ];
    for config in accepted {
        assert_eq!(config.validate(), Ok(()), "{config:?}");
    }
}

#[test]
fn health_error_codes_and_kinds_are_the_documented_ones() {
    // The read codes are the C library's; a permanent failure disables the source, an
    // intermittent one does not by itself.
    let table = [
        (Error::RctIntermittent, -2, ErrorKind::HealthIntermittent),
        (Error::AptIntermittent, -3, ErrorKind::HealthIntermittent),
        (Error::LagIntermittent, -5, ErrorKind::HealthIntermittent),
        (Error::RctPermanent, -6, ErrorKind::HealthPermanent),
        (Error::AptPermanent, -7, ErrorKind::HealthPermanent),
        (Error::LagPermanent, -8, ErrorKind::HealthPermanent),
        (
            Error::RctMemoryIntermittent,
            -9,
            ErrorKind::HealthIntermittent,
        ),
        (Error::RctMemoryPermanent, -10, ErrorKind::HealthPermanent),
        (Error::Disabled(-6), 200, ErrorKind::Disabled),
    ];
    for (error, code, kind) in table {
        assert_eq!(error.code(), code, "{error}");
        assert_eq!(error.kind(), kind, "{error}");
        assert_eq!(
            error.is_permanent(),
            matches!(kind, ErrorKind::HealthPermanent | ErrorKind::Disabled),
            "{error}"
        );
    }
}

#[cfg(not(feature = "danger-test-timer"))]
#[test]
fn fill_failure_tests_need_the_danger_test_timer_feature() {
    eprintln!(
        "skipped: EntropySource::fill failure tests need a scripted timer; run with \
         --features danger-test-timer"
    );
}

#[cfg(feature = "danger-test-timer")]
mod scripted {
    use jent_core::{Config, EntropySource, Error, ErrorKind, Mode, TimerKind};

    /// Timer reads of the power-up test: 1 priming + 1124 samples of 17 reads each.
    const POWER_UP_READS: usize = 1125 * 17;

    /// Timer reads of the FIPS start-up: two stages of `nosr` two-read samples each.
    fn startup_reads(osr: usize) -> usize {
        4 * (321 * osr).div_ceil(3) * 3
    }

    /// Healthy increments (splitmix64 in [2^20, 2^36)) with `defect` increments of `stuck`
    /// each from read index `from` on, `len` reads in all.
    fn script(len: usize, from: usize, defect: usize, stuck: u64) -> Vec<u64> {
        let mut state = 0x1234_5678u64;
        (0..len)
            .map(|i| {
                state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
                let mut z = state;
                z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
                z ^= z >> 31;
                if (from..from + defect).contains(&i) {
                    stuck
                } else {
                    (1 << 20) + z % ((1 << 36) - (1 << 20))
                }
            })
            .collect()
    }

    fn source(mode: Mode, osr: u32, increments: Vec<u64>) -> EntropySource {
        let config = Config {
            osr,
            mode,
            memory_size: Some(1024),
            timer: TimerKind::DangerCycle(increments),
            ..Config::default()
        };
        EntropySource::new(config).expect("the source starts on healthy increments")
    }

    const PATTERN: u8 = 0xa5;

    #[test]
    fn fill_recovers_from_an_intermittent_failure_through_the_ladder() {
        // osr 3: start-up reads [0, 3852), the first fill [3852, 20240). The second fill meets
        // 200 samples' worth of a constant increment at read 30000: every sample measures the
        // same delta, the RCT (SP 800-90B §4.4.1) fails at its 90th stuck sample, and the
        // ladder starts a replacement at osr 4, whose power-up test [0, 19125), start-up
        // [0, 5136) and block [5136, 26981) all stay before the defect.
        // NTG.1 fails earlier in the stretch (RCT cutoff 12), with the same outcome.
        assert!(POWER_UP_READS < 30_000 && startup_reads(4) + 17 * 1285 < 30_000);
        for mode in [Mode::Fips, Mode::Ntg1] {
            let mut source = source(mode, 3, script(60_000, 30_000, 17 * 200, 1000));
            let mut out = [PATTERN; 32];
            source.fill(&mut out).expect("first fill is healthy");
            let first = out;
            source.fill(&mut out).expect("the ladder recovers");
            assert_ne!(out, first, "{mode}");
            assert_ne!(out, [PATTERN; 32], "{mode}");

            let status = source.status();
            assert_eq!(status.osr, 4, "{mode}: the replacement runs at osr + 1");
            assert_eq!(status.health.resets, 1, "{mode}");
            assert_eq!(status.health.state, "ok", "{mode}");
            assert!(
                status.health.failures.is_empty(),
                "{mode}: {:?}",
                status.health.failures
            );
        }
    }

    #[test]
    fn fill_writes_nothing_when_the_ladder_gives_up_and_stays_disabled() {
        // osr 17: the source's start-up reads [0, 21828) are healthy, its first block meets a
        // constant increment from read 22000 on and fails the RCT. Every rung of the ladder
        // (osr 18, 19, 20) passes its power-up test [0, 19125) but its longer start-up runs
        // into the defect and fails too; above osr 20 the ladder gives up. The intermittent
        // error comes back, no byte reaches the caller, and the source is disabled.
        let defect_from = 22_000;
        assert!(startup_reads(17) < defect_from && startup_reads(18) > defect_from);
        let mut source = source(Mode::Fips, 17, script(80_000, defect_from, 58_000, 1000));
        let mut out = [PATTERN; 100];
        let error = source.fill(&mut out).expect_err("the ladder gives up");
        assert_eq!(error, Error::RctIntermittent);
        assert_eq!(error.code(), -2);
        assert_eq!(error.kind(), ErrorKind::HealthIntermittent);
        assert!(
            out.iter().all(|&b| b == PATTERN),
            "bytes written on failure"
        );

        let again = source.fill(&mut out).expect_err("disabled");
        assert_eq!(again, Error::Disabled(-2));
        assert_eq!(again.code(), 200);
        assert_eq!(again.kind(), ErrorKind::Disabled);
        assert!(
            out.iter().all(|&b| b == PATTERN),
            "bytes written while disabled"
        );
        let status = source.status();
        assert_eq!(status.health.state, "disabled");
        assert_eq!(status.health.last_error_code, Some(-2));
    }

    #[test]
    fn fill_fails_at_once_on_a_permanent_failure_and_stays_disabled() {
        // osr 18 (common APT cutoffs C = Cp = 512, RCT cutoff 540): the start-up takes
        // 2 * 5778 samples, so the APT window (SP 800-90B §4.4.2) that opens at the collector's
        // 11777th sample is the 221st sample of the first fill, whose reads start at
        // 23112 + 17 * 220 = 26852. From there every sample measures the same delta: the whole
        // window equals its first sample and the APT fails permanently at the window's 512th
        // sample, before the RCT (511 stuck samples) and the lag predictor (local cutoff 617)
        // could fire. No ladder may run: the error is returned at once.
        let window_start_read = startup_reads(18) + 17 * 220;
        assert_eq!(window_start_read, 26_852);
        let mut source = source(
            Mode::Fips,
            18,
            script(60_000, window_start_read, 17 * 1000, 1000),
        );
        let mut out = [PATTERN; 64];
        let error = source.fill(&mut out).expect_err("permanent failure");
        assert_eq!(error, Error::AptPermanent);
        assert_eq!(error.code(), -7);
        assert_eq!(error.kind(), ErrorKind::HealthPermanent);
        assert!(error.is_permanent());
        assert!(
            out.iter().all(|&b| b == PATTERN),
            "bytes written on failure"
        );
        assert_eq!(source.status().health.resets, 0, "a ladder ran");

        for _ in 0..3 {
            let again = source.fill(&mut out).expect_err("disabled");
            assert_eq!(again, Error::Disabled(-7));
            assert_eq!(again.kind(), ErrorKind::Disabled);
            assert!(out.iter().all(|&b| b == PATTERN));
        }
        assert_eq!(source.status().health.state, "disabled");
    }

    #[test]
    fn ntg1_ladder_turns_a_continuing_stuck_run_into_a_permanent_failure() {
        // 3.7.0 restarts the replacement's RCT count at 30 * osr' (jent_rct_duplicate), above
        // the NTG.1 permanent cutoff ceil(60 * osr' / 8): one more stuck sample after the
        // ladder is a permanent failure.
        //
        // osr 3: the first fill meets a constant increment c at read 19200 (after the power-up
        // test's reads) and fails the NTG.1 RCT (cutoff 12). The replacement at osr 4 starts
        // from read 0 again: power-up test, start-up [0, 5136) ending with a SHA-3 sample timed
        // by reads 5134 and 5135. Its first normal sample measures from read 5134 to read 5152;
        // the increments at 5136..=5152 are chosen so that it measures 17 * c, the delta the
        // failed collector saw last. The ladder copies the lag history, which the stuck test
        // uses, so that sample is stuck (second derivative zero) and fails permanently.
        let c = 1u64 << 36;
        let mut increments = script(60_000, 19_200, 17 * 40, c);
        let replacement_first_stamp = startup_reads(4) + 16;
        let last_startup_end = startup_reads(4) - 1;
        let measured_before = increments[last_startup_end];
        increments[startup_reads(4)] = 17 * c - measured_before;
        increments[startup_reads(4) + 1..=replacement_first_stamp].fill(0);
        let mut source = source(Mode::Ntg1, 3, increments);
        let mut out = [PATTERN; 32];
        let error = source.fill(&mut out).expect_err("permanent failure");
        assert_eq!(error, Error::RctPermanent);
        assert_eq!(error.code(), -6);
        assert_eq!(error.kind(), ErrorKind::HealthPermanent);
        assert!(
            out.iter().all(|&b| b == PATTERN),
            "bytes written on failure"
        );
        let again = source.fill(&mut out).expect_err("disabled");
        assert_eq!(again, Error::Disabled(-6));
        assert!(out.iter().all(|&b| b == PATTERN));
    }
}

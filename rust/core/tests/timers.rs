//! The time sources other than the hardware counter: the portable clock selected at run time,
//! the internal counting-thread timer, and the C library's rules for falling back to it.

use std::sync::{Arc, Mutex};

use jent_core::{Config, EntropySource, Error, Library, Mode, TimeSource, TimerKind, flags};

/// A timer that never moves: the power-up test must refuse it.
#[derive(Clone)]
struct FrozenTimer(Arc<Mutex<u64>>);

impl TimeSource for FrozenTimer {
    fn now(&mut self) -> u64 {
        *self.0.lock().unwrap() += 1;
        1_000_000
    }

    fn duplicate(&self) -> Box<dyn TimeSource> {
        Box::new(self.clone())
    }

    fn name(&self) -> &'static str {
        "frozen"
    }
}

fn frozen() -> (Box<dyn TimeSource>, Arc<Mutex<u64>>) {
    let reads = Arc::new(Mutex::new(0));
    (Box::new(FrozenTimer(Arc::clone(&reads))), reads)
}

fn cpus() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

#[test]
fn portable_clock_runs_the_collector_in_fips_mode() {
    let config = Config {
        timer: TimerKind::Clock,
        ..Config::default()
    };
    let mut source = EntropySource::new(config).expect("the clock passes the power-up test");
    let mut out = [0u8; 64];
    source.fill(&mut out).expect("output from the clock");
    assert_ne!(out, [0u8; 64]);
    let status = source.status();
    assert_eq!(status.timer, "clock_gettime");
    assert_eq!(status.timer_setting, "clock");
    assert_eq!(status.health.state, "ok");
}

#[test]
fn internal_timer_is_refused_in_ntg1_mode() {
    let config = Config {
        timer: TimerKind::Internal,
        mode: Mode::Ntg1,
        ..Config::default()
    };
    let error = EntropySource::new(config).expect_err("NTG.1 forbids the internal timer");
    assert_eq!(error, Error::InternalTimerRefused);
    assert!(error.to_string().contains("NTG.1"), "{error}");
}

#[test]
fn internal_timer_needs_two_cpus() {
    let (timer, _) = frozen();
    let mut library = Library::new(timer);
    library.set_cpus(1);
    let collector = library.collector_alloc(3, flags::FORCE_INTERNAL_TIMER);
    assert!(
        collector.is_none(),
        "one CPU cannot host the counting thread"
    );
    assert!(library.internal_timer_forced());
}

/// Both internal-timer cases run in one test: each starts a thread that counts as fast as it
/// can, and two of them at once would starve each other on a two-CPU machine. Without memory
/// access a sample reads the timer once instead of 17 times, which keeps the test short; the
/// timer logic is the same.
#[test]
fn internal_timer_runs_and_is_the_fallback_for_a_failed_hardware_timer() {
    if cpus() < 2 {
        println!(
            "SKIP internal timer: this machine offers {} CPU, it needs two",
            cpus()
        );
        return;
    }

    // Chosen explicitly.
    let config = Config {
        timer: TimerKind::Internal,
        mode: Mode::Standard,
        memory_access: false,
        ..Config::default()
    };
    let mut source = EntropySource::new(config).expect("the internal timer starts");
    let mut out = [0u8; 32];
    source
        .fill(&mut out)
        .expect("output from the internal timer");
    assert_ne!(out, [0u8; 32]);
    assert_eq!(source.status().timer, "internal");
    drop(source);

    // As the fallback: the frozen hardware timer fails (ECOARSETIME), the internal timer then
    // passes, and from then on it is forced for every collector of this library, as in C.
    let (timer, reads) = frozen();
    let mut library = Library::new(timer);
    assert_eq!(library.entropy_init_ex(3, flags::DISABLE_MEMORY_ACCESS), 0);
    assert!(library.internal_timer_forced());
    let reads_after_init = *reads.lock().unwrap();

    let collector = library.collector_alloc(3, flags::DISABLE_MEMORY_ACCESS);
    assert!(collector.is_some(), "collector on the internal timer");
    assert_eq!(
        *reads.lock().unwrap(),
        reads_after_init,
        "the hardware timer was read again"
    );
    drop(collector);

    // A collector that refuses the internal timer can no longer be had.
    assert!(
        library
            .collector_alloc(3, flags::DISABLE_INTERNAL_TIMER)
            .is_none()
    );
}

#[test]
fn frozen_hardware_timer_fails_the_power_up_test() {
    let (timer, _) = frozen();
    let mut library = Library::new(timer);
    let code = library.entropy_init_ex(3, flags::DISABLE_INTERNAL_TIMER);
    assert_eq!(code, jent_core::init_code::ECOARSETIME);
}

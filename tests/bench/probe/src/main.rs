//! Measuring tool for `tests/bench/run.sh`.
//!
//! `samples-per-block standard|fips BLOCKS` counts, for every 32-byte block read from a collector
//! of the release build, the samples taken and how many were stuck. jitterentropy 3.7.0 takes one
//! priming sample (its stuck result is ignored) and then retries stuck samples until
//! (256 + safety) * osr, rounded up to a multiple of 3, are not stuck: at osr 3 that is 1 + 768 =
//! 769 samples per block (standard) and 1 + 963 = 964 (FIPS, safety 65), plus one per retry.
//!
//! `startup standard|fips` times, in this fresh process, the first power-up test and the first
//! collector exactly as `jent bench` does, in wall-clock time and in CPU time of the process.
//! On shared cores the wall time includes waiting for a CPU; the CPU time does not.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use jent_core::{HardwareTimer, Library, Probe, flags};

/// The stuck flag of every sample of the current block, in order.
struct RecordingProbe(Arc<Mutex<Vec<bool>>>);

impl Probe for RecordingProbe {
    fn sample_evaluated(&self, _delta: u64, stuck: bool, _failures: u32) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(stuck);
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = args.get(1).map(String::as_str);
    let mode_flags = match mode {
        Some("standard") => 0,
        Some("fips") => flags::FORCE_FIPS,
        _ => return usage(),
    };
    match args.first().map(String::as_str) {
        Some("samples-per-block") => match args.get(2).and_then(|text| text.parse().ok()) {
            Some(blocks) => samples_per_block(mode_flags, blocks),
            None => usage(),
        },
        Some("startup") => startup(mode_flags),
        _ => usage(),
    }
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: jent-bench-probe samples-per-block standard|fips BLOCKS\n       \
         jent-bench-probe startup standard|fips"
    );
    ExitCode::from(2)
}

fn samples_per_block(mode_flags: u32, blocks: u64) -> ExitCode {
    let fips = mode_flags & flags::FORCE_FIPS != 0;
    let counted_per_block = if fips { 963 } else { 768 };

    // A library as in a fresh process, with the flags `jent read` uses for this mode.
    let record = Arc::new(Mutex::new(Vec::new()));
    let mut library = Library::new(Box::new(HardwareTimer));
    library.set_probe(Arc::new(RecordingProbe(Arc::clone(&record))));
    let code = library.entropy_init_ex(3, mode_flags);
    if code != 0 {
        eprintln!("power-up test failed with code {code}");
        return ExitCode::FAILURE;
    }
    let Some(mut collector) = library.collector_alloc(3, mode_flags) else {
        eprintln!("collector allocation failed");
        return ExitCode::FAILURE;
    };

    // One block per read, so that the recorded samples belong to exactly one block.
    let mut counted_histogram: BTreeMap<usize, u64> = BTreeMap::new();
    let (mut samples, mut stuck) = (0usize, 0usize);
    let mut block = [0u8; 32];
    for _ in 0..blocks {
        record
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        if library.read_entropy(&mut collector, &mut block) != 32 {
            eprintln!("read failed");
            return ExitCode::FAILURE;
        }
        let stuck_flags = record
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let after_priming = stuck_flags.get(1..).unwrap_or(&[]);
        let counted = after_priming.iter().filter(|&&is_stuck| !is_stuck).count();
        samples += stuck_flags.len();
        stuck += after_priming.len() - counted;
        *counted_histogram.entry(counted).or_default() += 1;
    }

    println!(
        "{blocks} blocks ({}): {:.1} samples per block = 1 priming + {counted_per_block} \
         counted + {:.1} stuck retries ({:.1} % of samples)",
        if fips { "fips" } else { "standard" },
        samples as f64 / blocks.max(1) as f64,
        stuck as f64 / blocks.max(1) as f64,
        100.0 * stuck as f64 / samples.max(1) as f64
    );
    for (counted, count) in &counted_histogram {
        println!(
            "  {count} blocks with {counted} counted (not stuck) samples after the priming one"
        );
    }
    if counted_histogram
        .keys()
        .all(|&counted| counted == counted_per_block)
    {
        ExitCode::SUCCESS
    } else {
        println!("  MISMATCH: every block must count {counted_per_block} samples");
        ExitCode::FAILURE
    }
}

/// CPU time used by this process so far, in milliseconds.
fn process_cpu_ms() -> f64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec into the valid, exclusively borrowed `now`.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut now) };
    if rc != 0 {
        return f64::NAN;
    }
    now.tv_sec as f64 * 1e3 + now.tv_nsec as f64 / 1e6
}

fn startup(mode_flags: u32) -> ExitCode {
    // The same calls and flags as `jent bench --startup-probe`.
    let flags = mode_flags | flags::DISABLE_INTERNAL_TIMER;
    let mut library = Library::new(Box::new(HardwareTimer));

    let (wall, cpu) = (Instant::now(), process_cpu_ms());
    let code = library.entropy_init_ex(3, flags);
    let (init_wall, init_cpu) = (wall.elapsed().as_secs_f64() * 1e3, process_cpu_ms() - cpu);
    if code != 0 {
        eprintln!("power-up test failed with code {code}");
        return ExitCode::FAILURE;
    }

    let (wall, cpu) = (Instant::now(), process_cpu_ms());
    let collector = library.collector_alloc(3, flags);
    let (alloc_wall, alloc_cpu) = (wall.elapsed().as_secs_f64() * 1e3, process_cpu_ms() - cpu);
    if collector.is_none() {
        eprintln!("collector allocation failed");
        return ExitCode::FAILURE;
    }
    println!(
        "init_wall_ms {init_wall:.3} init_cpu_ms {init_cpu:.3} \
         first_collector_wall_ms {alloc_wall:.3} first_collector_cpu_ms {alloc_cpu:.3}"
    );
    ExitCode::SUCCESS
}

//! `jent raw`: records the raw noise for an SP 800-90B assessment.
//!
//! The samples are the deltas the health tests see, taken by [`RawNoise`] exactly as the
//! collector takes them (memory access, time stamp, health tests, hash loop, absorption), from
//! the release build that ships. Output, in `--out-dir`:
//!
//! * `sequential-u8.bin` / `restart-u8.bin`: one 8-bit sample per byte, the low byte of each
//!   delta (the layout NIST's tools read, §3.1.3 sequential and §3.1.4.1 restart data);
//! * `sequential-u64le.bin` / `restart-u64le.bin` (with `--deltas`): the full deltas as
//!   little-endian u64;
//! * `sequential.json` / `restart.json`: settings, provenance and health-test results.
//!
//! Capturing must not change the noise: the deltas go into a buffer allocated up front, files are
//! written only after the last sample, and the progress line is drawn at most once per
//! [`PROGRESS_STRIDE`] samples (on a terminal, or with `--progress`).

use std::fmt;
use std::fs;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use jent_core::health::{Cutoffs, HealthState, failure_names};
use jent_core::{Config, EntropySource, Error, Mode, RawNoise};
use serde_json::{Value, json};

use crate::settings;

/// Default length of a sequential capture: the 1,000,000 samples §3.1.3 asks for.
pub(crate) const DEFAULT_SEQUENTIAL_SAMPLES: usize = 1_000_000;
/// Default restart matrix: 1000 restarts of 1000 samples (§3.1.4.1).
pub(crate) const DEFAULT_RESTARTS: usize = 1000;
pub(crate) const DEFAULT_SAMPLES_PER_RESTART: usize = 1000;
/// Samples between two looks at the clock for the progress line.
const PROGRESS_STRIDE: usize = 1 << 14;
/// Bits of each delta kept in an 8-bit sample.
const SAMPLE_BITS: u32 = 8;

pub(crate) const USAGE: &str = "\
usage: jent raw --out-dir DIR [--samples N] [--restarts R] [--deltas]
                [--progress|--no-progress] [--allow-debug-build] [settings]

Records raw jitter deltas for an SP 800-90B assessment (tests/raw-entropy/assess.py).
  --out-dir DIR        where the sample files and the JSON sidecar go (created if missing)
  --samples N          sequential samples (default 1000000), or samples per restart with
                       --restarts (default 1000)
  --restarts R         record a restart matrix instead: R fresh collectors, the first N samples
                       of each after its start-up (SP 800-90B 3.1.4 wants 1000 x 1000)
  --deltas             also write the full 64-bit deltas (little-endian u64)
  --progress           draw a progress line on stderr even when it is not a terminal
  --no-progress        never draw it
  --allow-debug-build  record from a debug build anyway (the sidecar says so; not evidence)
The settings are those of `jent read` (listed below).";

/// What went wrong, with the exit status it maps to.
#[derive(Debug)]
pub(crate) enum RawError {
    /// The command line is wrong; the message says how.
    Usage(String),
    /// A debug build was asked to record evidence.
    DebugBuild,
    /// The collector refused to start or reported a health failure.
    Noise { context: String, error: Error },
    /// A file could not be written.
    Io { path: PathBuf, error: io::Error },
}

impl fmt::Display for RawError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Usage(message) => write!(f, "{message}\n\n{USAGE}\n{}", settings::SETTINGS_HELP),
            Self::DebugBuild => f.write_str(
                "this is a debug build: raw-noise evidence must come from the release build \
                 that ships (cargo build --release -p jent-cli); --allow-debug-build records \
                 anyway and marks the capture as not evidence",
            ),
            Self::Noise { context, error } => {
                write!(f, "{context}: {error} (error code {})", error.code())
            }
            Self::Io { path, error } => write!(f, "{}: {error}", path.display()),
        }
    }
}

impl RawError {
    pub(crate) fn exit_code(&self) -> ExitCode {
        match self {
            Self::Usage(_) => ExitCode::from(2),
            _ => ExitCode::from(1),
        }
    }
}

/// The collector settings as the sidecar records them.
pub(crate) fn settings_json(config: &Config) -> Value {
    json!({
        "osr": config.osr,
        "mode": config.mode.to_string(),
        "memory_access": config.memory_access,
        "memory_size": config.memory_size,
        "hash_loop_count": config.hash_loop_count,
        "cache_all": config.cache_all,
        "timer": config.timer.as_str(),
        "backtracking_generate": config.backtracking_generate,
        "require_locked_memory": config.require_locked_memory,
    })
}

pub(crate) fn option_value(
    option: &str,
    rest: &mut impl Iterator<Item = String>,
) -> Result<String, RawError> {
    rest.next()
        .ok_or_else(|| RawError::Usage(format!("{option} needs a value")))
}

pub(crate) fn parse_number<T: std::str::FromStr>(
    option: &str,
    rest: &mut impl Iterator<Item = String>,
) -> Result<T, RawError> {
    let text = option_value(option, rest)?;
    // Underscores are accepted so that 1_000_000 can be written as in the documentation.
    text.replace('_', "")
        .parse()
        .map_err(|_| RawError::Usage(format!("{option}: {text:?} is not a valid number")))
}

/// When to draw the progress line.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(crate) enum ProgressMode {
    Auto,
    Always,
    Never,
}

/// Everything `jent raw` was asked to do.
#[derive(Clone, Debug)]
pub(crate) struct RawOptions {
    pub(crate) out_dir: PathBuf,
    pub(crate) samples: Option<usize>,
    pub(crate) restarts: Option<usize>,
    pub(crate) write_deltas: bool,
    pub(crate) progress: ProgressMode,
    pub(crate) allow_debug_build: bool,
    pub(crate) config: Config,
}

impl RawOptions {
    fn parse(args: &[String]) -> Result<Self, RawError> {
        let (config, rest) = settings::parse(args).map_err(RawError::Usage)?;
        let mut options = Self {
            out_dir: PathBuf::new(),
            samples: None,
            restarts: None,
            write_deltas: false,
            progress: ProgressMode::Auto,
            allow_debug_build: false,
            config,
        };
        let mut out_dir = None;
        let mut rest = rest.into_iter();
        while let Some(option) = rest.next() {
            match option.as_str() {
                "--out-dir" => out_dir = Some(PathBuf::from(option_value(&option, &mut rest)?)),
                "--samples" => options.samples = Some(parse_number(&option, &mut rest)?),
                "--restarts" => options.restarts = Some(parse_number(&option, &mut rest)?),
                "--deltas" => options.write_deltas = true,
                "--progress" => options.progress = ProgressMode::Always,
                "--no-progress" => options.progress = ProgressMode::Never,
                "--allow-debug-build" => options.allow_debug_build = true,
                "-h" | "--help" => return Err(RawError::Usage("help requested".into())),
                other => return Err(RawError::Usage(format!("unknown option {other:?}"))),
            }
        }
        options.out_dir = out_dir.ok_or_else(|| RawError::Usage("--out-dir is required".into()))?;
        if options.samples == Some(0) || options.restarts == Some(0) {
            return Err(RawError::Usage(
                "--samples and --restarts must be at least 1".into(),
            ));
        }
        Ok(options)
    }
}

/// Entry point of `jent raw`; `args` are the words after `raw`.
pub(crate) fn main(args: &[String]) -> ExitCode {
    let options = match RawOptions::parse(args) {
        Ok(options) => options,
        Err(error) => return report(&error),
    };
    match capture_to_dir(&options) {
        Ok(written) => {
            for path in written {
                println!("{}", path.display());
            }
            ExitCode::SUCCESS
        }
        Err(error) => report(&error),
    }
}

fn report(error: &RawError) -> ExitCode {
    eprintln!("jent raw: {error}");
    error.exit_code()
}

/// The build profile this binary was compiled with, as the sidecar records it.
pub(crate) fn build_profile() -> &'static str {
    if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    }
}

/// Refuses to record evidence from a debug build unless explicitly allowed.
pub(crate) fn check_build(allow_debug_build: bool) -> Result<(), RawError> {
    if !cfg!(debug_assertions) {
        return Ok(());
    }
    if !allow_debug_build {
        return Err(RawError::DebugBuild);
    }
    eprintln!(
        "jent raw: WARNING: DEBUG BUILD. These samples do not show the noise of the release \
         build that ships; the sidecar marks them build_profile=debug and assess.py refuses \
         them without --allow-debug-build."
    );
    Ok(())
}

/// Records what `options` asks for and returns the files written.
pub(crate) fn capture_to_dir(options: &RawOptions) -> Result<Vec<PathBuf>, RawError> {
    check_build(options.allow_debug_build)?;
    options.config.validate().map_err(|error| RawError::Noise {
        context: "settings".into(),
        error,
    })?;
    fs::create_dir_all(&options.out_dir).map_err(|error| RawError::Io {
        path: options.out_dir.clone(),
        error,
    })?;

    // Files of an earlier capture must not end up next to this capture's sidecar.
    let kind = if options.restarts.is_some() {
        "restart"
    } else {
        "sequential"
    };
    for name in [
        format!("{kind}-u8.bin"),
        format!("{kind}-u64le.bin"),
        format!("{kind}.json"),
    ] {
        let path = options.out_dir.join(name);
        match fs::remove_file(&path) {
            Err(error) if error.kind() != io::ErrorKind::NotFound => {
                return Err(RawError::Io { path, error });
            }
            _ => {}
        }
    }

    let config = &options.config;
    let started = SystemTime::now();
    let capture = match options.restarts {
        None => {
            let samples = options.samples.unwrap_or(DEFAULT_SEQUENTIAL_SAMPLES);
            let mut progress = Progress::new(options.progress, samples, "samples");
            let capture =
                capture_sequential(|| RawNoise::new(config.clone()), samples, &mut progress);
            progress.finish();
            capture
        }
        Some(restarts) => {
            let per_restart = options.samples.unwrap_or(DEFAULT_SAMPLES_PER_RESTART);
            let mut progress = Progress::new(options.progress, restarts, "restarts");
            let capture = capture_restarts(
                |_| RawNoise::new(config.clone()),
                restarts,
                per_restart,
                &mut progress,
            );
            progress.finish();
            capture
        }
    };
    let finished = SystemTime::now();

    // A failed capture still leaves a sidecar behind: the failure is part of the evidence.
    let sidecar_path = options.out_dir.join(format!("{kind}.json"));
    let capture = match capture {
        Ok(capture) => capture,
        Err(failure) => {
            let sidecar = sidecar_json(options, kind, None, Some(&failure), started, finished);
            write_json(&sidecar_path, &sidecar)?;
            return Err(RawError::Noise {
                context: failure.context,
                error: failure.error,
            });
        }
    };

    // RawNoise does not report its timer or GCD; a second source with the same settings, started
    // after the capture so it cannot disturb it, does.
    let timer_status = EntropySource::new(config.clone())
        .ok()
        .and_then(|source| serde_json::to_value(source.status()).ok());

    let mut written = Vec::new();
    let samples_path = options.out_dir.join(format!("{kind}-u8.bin"));
    write_file(&samples_path, &low_byte_samples(&capture.deltas))?;
    written.push(samples_path);
    if options.write_deltas {
        let deltas_path = options.out_dir.join(format!("{kind}-u64le.bin"));
        write_file(&deltas_path, &little_endian_u64(&capture.deltas))?;
        written.push(deltas_path);
    }
    let mut sidecar = sidecar_json(options, kind, Some(&capture), None, started, finished);
    sidecar["status_of_a_second_source"] = timer_status.unwrap_or(Value::Null);
    write_json(&sidecar_path, &sidecar)?;
    written.push(sidecar_path);
    Ok(written)
}

/// What [`capture_sequential`] and [`capture_restarts`] need from a noise source; implemented by
/// [`RawNoise`] and, in the tests, by scripted sources.
pub(crate) trait SampleSource {
    fn next_delta(&mut self) -> Result<u64, Error>;
    fn health_counters(&self) -> Value;
    fn health_failures(&self) -> Vec<&'static str>;
    fn effective_settings(&self) -> (u32, usize, u64);
}

impl SampleSource for RawNoise {
    fn next_delta(&mut self) -> Result<u64, Error> {
        RawNoise::next_delta(self)
    }

    fn health_counters(&self) -> Value {
        serde_json::to_value(RawNoise::health_counters(self)).unwrap_or(Value::Null)
    }

    fn health_failures(&self) -> Vec<&'static str> {
        RawNoise::health_failures(self)
    }

    fn effective_settings(&self) -> (u32, usize, u64) {
        RawNoise::effective_settings(self)
    }
}

/// The deltas of a capture and what the live collectors said about them.
#[derive(Debug)]
pub(crate) struct Capture {
    /// Sequential: the stream. Restart: row r holds restart r (row-major, §3.1.4.1).
    pub(crate) deltas: Vec<u64>,
    pub(crate) rows: usize,
    pub(crate) columns: usize,
    /// Counters of the (last) collector when the capture ended; for restarts the largest value
    /// of each counter over all restarts.
    pub(crate) counters: Value,
    /// Failure bits latched by any collector, by name.
    pub(crate) failures: Vec<&'static str>,
    /// (osr, memory size in bytes, hash-loop count) as the collector applied them.
    pub(crate) effective: (u32, usize, u64),
    /// Time spent starting collectors, and time spent sampling.
    pub(crate) startup_seconds: f64,
    pub(crate) sampling_seconds: f64,
}

/// A capture that stopped: where, and why.
#[derive(Debug)]
pub(crate) struct CaptureFailure {
    pub(crate) context: String,
    pub(crate) error: Error,
    pub(crate) samples_taken: usize,
}

/// §3.1.3 sequential data: `samples` consecutive deltas of one collector.
pub(crate) fn capture_sequential<S: SampleSource>(
    start: impl FnOnce() -> Result<S, Error>,
    samples: usize,
    progress: &mut Progress,
) -> Result<Capture, CaptureFailure> {
    let startup = Instant::now();
    let mut source = start().map_err(|error| CaptureFailure {
        context: "starting the collector".into(),
        error,
        samples_taken: 0,
    })?;
    let startup_seconds = startup.elapsed().as_secs_f64();

    // The loop does nothing but store the delta, so the time between two samples is what the
    // collector itself spends; the progress check is one comparison per sample.
    let mut deltas = Vec::with_capacity(samples);
    let sampling = Instant::now();
    for index in 0..samples {
        match source.next_delta() {
            Ok(delta) => deltas.push(delta),
            Err(error) => {
                return Err(CaptureFailure {
                    context: format!("sample {index} of {samples}"),
                    error,
                    samples_taken: index,
                });
            }
        }
        if index % PROGRESS_STRIDE == 0 {
            progress.update(index);
        }
    }
    let sampling_seconds = sampling.elapsed().as_secs_f64();

    Ok(Capture {
        deltas,
        rows: 1,
        columns: samples,
        counters: source.health_counters(),
        failures: source.health_failures(),
        effective: source.effective_settings(),
        startup_seconds,
        sampling_seconds,
    })
}

/// §3.1.4.1 restart data: `restarts` fresh collectors, the first `per_restart` deltas of each.
pub(crate) fn capture_restarts<S: SampleSource>(
    mut start: impl FnMut(usize) -> Result<S, Error>,
    restarts: usize,
    per_restart: usize,
    progress: &mut Progress,
) -> Result<Capture, CaptureFailure> {
    let mut deltas = Vec::with_capacity(restarts * per_restart);
    let mut counters = Value::Null;
    let mut failures: Vec<&'static str> = Vec::new();
    let mut effective = (0, 0, 0);
    let (mut startup_seconds, mut sampling_seconds) = (0.0, 0.0);

    for restart in 0..restarts {
        // Each restart is a new collector: power-up test, start-up stages, fresh health state.
        let startup = Instant::now();
        let mut source = start(restart).map_err(|error| CaptureFailure {
            context: format!("starting collector for restart {restart} of {restarts}"),
            error,
            samples_taken: restart * per_restart,
        })?;
        startup_seconds += startup.elapsed().as_secs_f64();

        let sampling = Instant::now();
        for index in 0..per_restart {
            let delta = source.next_delta().map_err(|error| CaptureFailure {
                context: format!("restart {restart}, sample {index} of {per_restart}"),
                error,
                samples_taken: restart * per_restart + index,
            })?;
            deltas.push(delta);
        }
        sampling_seconds += sampling.elapsed().as_secs_f64();

        // Bookkeeping happens between restarts, outside the sampled stretch.
        counters = max_per_field(counters, source.health_counters());
        for name in source.health_failures() {
            if !failures.contains(&name) {
                failures.push(name);
            }
        }
        effective = source.effective_settings();
        progress.update(restart + 1);
    }

    Ok(Capture {
        deltas,
        rows: restarts,
        columns: per_restart,
        counters,
        failures,
        effective,
        startup_seconds,
        sampling_seconds,
    })
}

/// Field-wise maximum of two JSON objects of numbers (a missing side counts as absent).
fn max_per_field(current: Value, next: Value) -> Value {
    let (Value::Object(mut current), Value::Object(next)) = (current.clone(), next.clone()) else {
        return if current.is_null() { next } else { current };
    };
    for (key, value) in next {
        let larger = match (current.get(&key).and_then(Value::as_u64), value.as_u64()) {
            (Some(old), Some(new)) if old >= new => continue,
            _ => value,
        };
        current.insert(key, larger);
    }
    Value::Object(current)
}

/// The 8-bit samples: the low byte of each delta, where the jitter is (§3.1.3 data format).
pub(crate) fn low_byte_samples(deltas: &[u64]) -> Vec<u8> {
    deltas.iter().map(|delta| delta.to_le_bytes()[0]).collect()
}

pub(crate) fn little_endian_u64(deltas: &[u64]) -> Vec<u8> {
    deltas
        .iter()
        .flat_map(|delta| delta.to_le_bytes())
        .collect()
}

/// The health tests' verdict on the recorded stream, replayed through `jent_core`'s own tests
/// after the capture (so the capture loop stays untouched): stuck samples (jitterentropy's stuck
/// test: a zero 1st, 2nd or 3rd derivative), the longest stuck run the RCT saw, and the
/// failure bits a single collector fed these deltas would latch. Restart rows are replayed each
/// with fresh tests, as each came from a fresh collector.
#[derive(Debug, Default, Eq, PartialEq)]
pub(crate) struct Replay {
    pub(crate) stuck: usize,
    pub(crate) longest_stuck_run: usize,
    pub(crate) failures: Vec<&'static str>,
}

pub(crate) fn replay_health(capture: &Capture, osr: u32, mode: Mode) -> Replay {
    let cutoffs = if mode == Mode::Ntg1 {
        Cutoffs::Ntg1
    } else {
        Cutoffs::Common
    };
    let mut replay = Replay::default();
    let mut failure_bits = 0;
    for row in capture.deltas.chunks(capture.columns.max(1)) {
        let mut tests = HealthState::new(osr, cutoffs);
        let mut run = 0;
        for &delta in row {
            if tests.stuck_and_tests(delta) {
                replay.stuck += 1;
                run += 1;
                replay.longest_stuck_run = replay.longest_stuck_run.max(run);
            } else {
                run = 0;
            }
        }
        failure_bits |= tests.failures();
    }
    replay.failures = failure_names(failure_bits);
    replay
}

/// Order statistics of the deltas for the sidecar (the plot has the full picture).
fn delta_summary(deltas: &[u64]) -> Value {
    if deltas.is_empty() {
        return Value::Null;
    }
    let mut sorted = deltas.to_vec();
    sorted.sort_unstable();
    let at = |fraction: f64| sorted[((sorted.len() - 1) as f64 * fraction).round() as usize];
    let mut distinct = sorted.clone();
    distinct.dedup();
    json!({
        "min": sorted[0],
        "median": at(0.5),
        "p99": at(0.99),
        "max": sorted[sorted.len() - 1],
        "distinct": distinct.len(),
    })
}

fn sidecar_json(
    options: &RawOptions,
    kind: &str,
    capture: Option<&Capture>,
    failure: Option<&CaptureFailure>,
    started: SystemTime,
    finished: SystemTime,
) -> Value {
    let config = &options.config;
    let capture_json = match kind {
        "sequential" => json!({
            "kind": kind,
            "samples": options.samples.unwrap_or(DEFAULT_SEQUENTIAL_SAMPLES),
        }),
        _ => json!({
            "kind": kind,
            "restarts": options.restarts,
            "samples_per_restart": options.samples.unwrap_or(DEFAULT_SAMPLES_PER_RESTART),
        }),
    };
    let mut sidecar = json!({
        "format": "jent-raw/1",
        "tool": tool_json(),
        "settings": settings_json(config),
        "capture": capture_json,
        "sample_format": {
            "bits_per_sample": SAMPLE_BITS,
            "sample": "low byte of the delta (delta & 0xff)",
            "delta": "time stamp difference of one normal sample, divided by the timer GCD",
        },
        "started_utc": utc_timestamp(started),
        "finished_utc": utc_timestamp(finished),
        "machine": machine_json(),
        "command": std::env::args().collect::<Vec<_>>().join(" "),
    });

    if let Some(capture) = capture {
        let replay = replay_health(capture, capture.effective.0.max(config.osr), config.mode);
        let total = capture.deltas.len();
        sidecar["settings"]["effective"] = json!({
            "osr": capture.effective.0,
            "memory_size": capture.effective.1,
            "hash_loop_count": capture.effective.2,
        });
        sidecar["timing"] = json!({
            "startup_seconds": capture.startup_seconds,
            "sampling_seconds": capture.sampling_seconds,
            "microseconds_per_sample": capture.sampling_seconds * 1e6 / total.max(1) as f64,
        });
        sidecar["files"] = json!({
            "samples_u8": format!("{kind}-u8.bin"),
            "deltas_u64le": options.write_deltas.then(|| format!("{kind}-u64le.bin")),
        });
        sidecar["health"] = json!({
            "collector_failures": capture.failures,
            "collector_counters_at_end": capture.counters,
            "collector_counters_note": if kind == "restart" {
                "largest value of each counter over the restarts, read after each restart's last sample"
            } else {
                "read after the last sample"
            },
            "replay_stuck_samples": replay.stuck,
            "replay_stuck_fraction": replay.stuck as f64 / total.max(1) as f64,
            "replay_longest_stuck_run": replay.longest_stuck_run,
            "replay_failures": replay.failures,
            "replay_note": "the recorded deltas fed through jent_core's health tests after the capture",
        });
        sidecar["capture"]["rows"] = json!(capture.rows);
        sidecar["capture"]["columns"] = json!(capture.columns);
        sidecar["delta_summary"] = delta_summary(&capture.deltas);
    }
    if let Some(failure) = failure {
        sidecar["failure"] = json!({
            "where": failure.context,
            "error": failure.error.to_string(),
            "code": failure.error.code(),
            "samples_taken": failure.samples_taken,
        });
    }
    sidecar
}

/// Which binary took the samples.
pub(crate) fn tool_json() -> Value {
    let version = jent_core::JENT_VERSION;
    json!({
        "name": "jent",
        "cli_version": env!("CARGO_PKG_VERSION"),
        "core_version": jent_core::CRATE_VERSION,
        "ports_jitterentropy": format!(
            "{}.{}.{}",
            version / 1_000_000,
            version / 10_000 % 100,
            version / 100 % 100
        ),
        "build_profile": build_profile(),
        "target": format!("{}-{}", std::env::consts::ARCH, std::env::consts::OS),
        "executable": std::env::current_exe().ok().map(|path| path.display().to_string()),
        "source_tree": env!("CARGO_MANIFEST_DIR"),
        "build_commit": env!("JENT_BUILD_COMMIT"),
        "source_tree_git_at_capture": git_describe(Path::new(env!("CARGO_MANIFEST_DIR"))),
    })
}

// The commit of the source tree at capture time, beside the build commit that build.rs embeds: the
// two differ when the tree moved on after the binary was built.
fn git_describe(dir: &Path) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["describe", "--always", "--dirty", "--abbrev=12"])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout).trim().to_string();
    (output.status.success() && !text.is_empty()).then_some(text)
}

/// The machine the samples come from: the noise depends on it.
pub(crate) fn machine_json() -> Value {
    let read = |path: &str| {
        fs::read_to_string(path)
            .ok()
            .map(|text| text.trim().to_string())
    };
    let cpu_model = read("/proc/cpuinfo").and_then(|info| {
        info.lines()
            .find(|line| line.starts_with("model name"))
            .and_then(|line| line.split_once(':'))
            .map(|(_, model)| model.trim().to_string())
    });
    json!({
        "hostname": read("/proc/sys/kernel/hostname"),
        "kernel": read("/proc/sys/kernel/osrelease"),
        "cpu_model": cpu_model,
        "cpus": std::thread::available_parallelism().map(|n| n.get()).ok(),
        "clocksource": read("/sys/devices/system/clocksource/clocksource0/current_clocksource"),
        "load_average": read("/proc/loadavg"),
    })
}

/// ISO 8601 UTC time with seconds, computed from the Unix time (proleptic Gregorian calendar).
pub(crate) fn utc_timestamp(time: SystemTime) -> String {
    let seconds = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, second_of_day) = (seconds / 86_400, seconds % 86_400);
    let (year, month, day) = civil_date(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        second_of_day / 3600,
        second_of_day / 60 % 60,
        second_of_day % 60
    )
}

/// Year, month, day of the day `days` after 1970-01-01. Counts in 400-year eras (146,097 days),
/// with years starting in March so that the leap day falls at the end of a year.
fn civil_date(days: i64) -> (i64, u32, u32) {
    let shifted = days + 719_468; // days from 0000-03-01 to 1970-01-01
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month as u32, day)
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), RawError> {
    let io_error = |error| RawError::Io {
        path: path.to_path_buf(),
        error,
    };
    let mut writer = BufWriter::new(fs::File::create(path).map_err(io_error)?);
    writer.write_all(bytes).map_err(io_error)?;
    writer.flush().map_err(io_error)
}

fn write_json(path: &Path, value: &Value) -> Result<(), RawError> {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    write_file(path, text.as_bytes())
}

/// A one-line progress display on stderr.
#[derive(Debug)]
pub(crate) struct Progress {
    enabled: bool,
    total: usize,
    unit: &'static str,
    started: Instant,
}

impl Progress {
    pub(crate) fn new(mode: ProgressMode, total: usize, unit: &'static str) -> Self {
        let enabled = match mode {
            ProgressMode::Always => true,
            ProgressMode::Never => false,
            ProgressMode::Auto => io::stderr().is_terminal(),
        };
        Self {
            enabled,
            total,
            unit,
            started: Instant::now(),
        }
    }

    fn update(&mut self, done: usize) {
        if !self.enabled || done == 0 {
            return;
        }
        let elapsed = self.started.elapsed().as_secs_f64();
        let left = elapsed * (self.total - done.min(self.total)) as f64 / done as f64;
        let percent = 100 * done / self.total.max(1);
        eprint!(
            "\rjent raw: {done}/{} {} ({percent:3}%), {elapsed:.0} s, about {left:.0} s left   ",
            self.total, self.unit
        );
    }

    fn finish(&mut self) {
        if self.enabled {
            self.update(self.total);
            eprintln!();
        }
    }
}

#[cfg(test)]
mod tests {
    use jent_core::TimerKind;

    use super::*;

    /// A source that returns scripted deltas and can be told to fail.
    struct Scripted {
        next: u64,
        step: u64,
        fail_at: Option<u64>,
    }

    impl SampleSource for Scripted {
        fn next_delta(&mut self) -> Result<u64, Error> {
            if self.fail_at == Some(self.next) {
                return Err(Error::AptIntermittent);
            }
            let delta = self.next;
            self.next += self.step;
            Ok(delta)
        }

        fn health_counters(&self) -> Value {
            json!({ "rct_count": self.next % 7, "apt_count": 1 })
        }

        fn health_failures(&self) -> Vec<&'static str> {
            Vec::new()
        }

        fn effective_settings(&self) -> (u32, usize, u64) {
            (3, 1024, 1)
        }
    }

    fn quiet() -> Progress {
        Progress::new(ProgressMode::Never, 1, "samples")
    }

    fn words(text: &str) -> Vec<String> {
        text.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn samples_are_the_low_byte_and_deltas_little_endian() {
        let deltas = [0x1234, 0xff, 0x100, u64::MAX];
        assert_eq!(low_byte_samples(&deltas), vec![0x34, 0xff, 0x00, 0xff]);

        let bytes = little_endian_u64(&deltas);
        assert_eq!(bytes.len(), 32);
        assert_eq!(&bytes[..8], &[0x34, 0x12, 0, 0, 0, 0, 0, 0]);
        let back: Vec<u64> = bytes
            .chunks(8)
            .map(|chunk| u64::from_le_bytes(chunk.try_into().unwrap()))
            .collect();
        assert_eq!(back, deltas);
    }

    #[test]
    fn restart_matrix_rows_are_restarts() {
        // Restart r yields r * 1000, r * 1000 + 1, ...: row r, column c must hold r * 1000 + c.
        let capture = capture_restarts(
            |restart| {
                Ok(Scripted {
                    next: restart as u64 * 1000,
                    step: 1,
                    fail_at: None,
                })
            },
            4,
            5,
            &mut quiet(),
        )
        .unwrap();
        assert_eq!((capture.rows, capture.columns), (4, 5));
        for (index, delta) in capture.deltas.iter().enumerate() {
            assert_eq!(*delta, (index / 5 * 1000 + index % 5) as u64);
        }
        // The counters are the largest seen at the end of any restart: next % 7 over 5, 1005,
        // 2005, 3005 is 5, 4, 3, 2.
        assert_eq!(capture.counters["rct_count"], 5);
    }

    #[test]
    fn a_failing_source_stops_the_capture_and_says_where() {
        let failure = capture_sequential(
            || {
                Ok(Scripted {
                    next: 0,
                    step: 1,
                    fail_at: Some(7),
                })
            },
            100,
            &mut quiet(),
        )
        .unwrap_err();
        assert_eq!(failure.samples_taken, 7);
        assert_eq!(failure.error, Error::AptIntermittent);
        assert!(failure.context.contains("sample 7"), "{}", failure.context);
    }

    #[test]
    fn replay_counts_stuck_samples_per_row() {
        // Constant deltas are stuck from the second sample on (equal to the previous one); the
        // first of each row is not, since every row gets fresh tests.
        let capture = Capture {
            deltas: vec![500; 20],
            rows: 2,
            columns: 10,
            counters: Value::Null,
            failures: Vec::new(),
            effective: (3, 0, 1),
            startup_seconds: 0.0,
            sampling_seconds: 0.0,
        };
        let replay = replay_health(&capture, 3, Mode::Fips);
        assert_eq!(replay.stuck, 18);
        assert_eq!(replay.longest_stuck_run, 9);
        assert!(replay.failures.is_empty());

        // A linear ramp has a zero 3rd derivative: stuck too. A long one trips the RCT (90 at
        // osr 3).
        let ramp = Capture {
            deltas: (0..200).map(|i| 1000 + 3 * i).collect(),
            rows: 1,
            columns: 200,
            ..capture
        };
        let replay = replay_health(&ramp, 3, Mode::Fips);
        assert!(replay.stuck >= 197, "{replay:?}");
        assert!(replay.failures.contains(&"RCT"), "{replay:?}");
    }

    #[test]
    fn options_parse_with_the_read_names() {
        let options = RawOptions::parse(&words(
            "--out-dir /tmp/x --restarts 10 --samples 1_000 --osr 4 --standard \
             --hash-loop=2 --memory-size 65536 --timer clock --deltas --no-progress",
        ))
        .unwrap();
        assert_eq!(options.out_dir, PathBuf::from("/tmp/x"));
        assert_eq!((options.restarts, options.samples), (Some(10), Some(1000)));
        assert!(options.write_deltas);
        assert_eq!(options.progress, ProgressMode::Never);
        let config = &options.config;
        assert_eq!((config.osr, config.mode), (4, Mode::Standard));
        assert_eq!(
            (config.hash_loop_count, config.memory_size),
            (2, Some(65536))
        );
        assert_eq!(config.timer, TimerKind::Clock);
    }

    #[test]
    fn bad_options_are_named() {
        // The message itself, without the usage text that follows it on the terminal.
        let message = |text: &str| match RawOptions::parse(&words(text)).unwrap_err() {
            RawError::Usage(message) => message,
            other => panic!("not a usage error: {other}"),
        };
        assert!(message("--samples 5").contains("--out-dir is required"));
        assert!(message("--out-dir d --bogus").contains("\"--bogus\""));
        assert!(message("--out-dir d --osr").contains("--osr needs a value"));
        assert!(message("--out-dir d --samples many").contains("\"many\" is not a valid number"));
        assert!(message("--out-dir d --mode fast").contains("\"fast\""));
        assert!(message("--out-dir d --samples 0").contains("at least 1"));
    }

    #[test]
    fn utc_timestamps_follow_the_calendar() {
        let at = |seconds| utc_timestamp(UNIX_EPOCH + std::time::Duration::from_secs(seconds));
        assert_eq!(at(0), "1970-01-01T00:00:00Z");
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(at(1_709_251_199), "2024-02-29T23:59:59Z");
        assert_eq!(at(4_102_444_800), "2100-01-01T00:00:00Z");
    }

    #[test]
    fn counters_merge_by_largest_value() {
        let merged = max_per_field(json!({"a": 3, "b": 9}), json!({"a": 5, "b": 2, "c": 1}));
        assert_eq!(merged, json!({"a": 5, "b": 9, "c": 1}));
        assert_eq!(max_per_field(Value::Null, json!({"a": 1})), json!({"a": 1}));
    }

    #[test]
    fn capture_to_dir_writes_samples_and_sidecar_and_drops_stale_files() {
        let dir = std::env::temp_dir().join(format!("jent-raw-{}-dir", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("sequential-u64le.bin"), b"stale").unwrap();

        // Tests run as a debug build, so the capture has to be allowed explicitly.
        let mut options =
            RawOptions::parse(&words("--out-dir x --samples 500 --no-progress")).unwrap();
        options.out_dir = dir.clone();
        options.allow_debug_build = true;
        let written = capture_to_dir(&options).unwrap();

        assert_eq!(written.len(), 2, "{written:?}");
        assert!(!dir.join("sequential-u64le.bin").exists());
        assert_eq!(fs::read(dir.join("sequential-u8.bin")).unwrap().len(), 500);
        let sidecar: Value =
            serde_json::from_slice(&fs::read(dir.join("sequential.json")).unwrap()).unwrap();
        assert_eq!(sidecar["tool"]["build_profile"], build_profile());
        assert_eq!(sidecar["settings"]["osr"], 3);
        assert_eq!(sidecar["settings"]["mode"], "fips");
        assert_eq!(sidecar["capture"]["samples"], 500);
        assert!(sidecar["health"]["replay_stuck_samples"].as_u64().unwrap() < 500);
        assert!(
            sidecar["status_of_a_second_source"]["gcd"]
                .as_u64()
                .unwrap()
                >= 1
        );
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn the_real_collector_gives_varying_deltas() {
        // The shipped noise source on this machine, through the same path `jent raw` uses.
        let config = Config::default();
        let capture =
            capture_sequential(|| RawNoise::new(config.clone()), 2000, &mut quiet()).unwrap();
        assert_eq!(capture.deltas.len(), 2000);

        // A coarse screen tied to the claim rather than to this machine's timer: the most
        // common delta must be rare enough that its min-entropy (SP 800-90B 6.3.1 without the
        // confidence bound) exceeds the 1/osr bits per sample the collector claims. How many
        // distinct values appear depends on the timer's resolution and the load.
        let mut sorted = capture.deltas.clone();
        sorted.sort_unstable();
        let most_common = sorted
            .chunk_by(|a, b| a == b)
            .map(<[u64]>::len)
            .max()
            .unwrap();
        let min_entropy = -(most_common as f64 / sorted.len() as f64).log2();
        let claim = 1.0 / f64::from(config.osr.max(3));
        assert!(
            min_entropy > claim,
            "most common delta in {most_common} of {} samples: {min_entropy:.3} bits <= {claim:.3}",
            sorted.len()
        );
        assert!(capture.failures.is_empty(), "{:?}", capture.failures);
        assert!(capture.counters.is_object());
    }
}

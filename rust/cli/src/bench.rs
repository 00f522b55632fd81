//! `jent bench`: throughput of conditioned output and start-up time, measured the way the
//! reference figures of the C library were (fresh processes for start-up, min / median / max of
//! repetitions for throughput). Results vary run to run on shared cores; compare rows of one run.

use std::process::Command;
use std::time::Instant;

use jent_core::{Config, EntropySource, HardwareTimer, Library, Mode, flags};
use serde_json::{Value, json};

use crate::{Failure, settings};

const USAGE: &str = "\
usage: jent bench [--seconds S] [--repetitions N] [--processes N] [--json] [settings]
  --seconds S       time per throughput repetition (default 1.0)
  --repetitions N   throughput repetitions per row (default 5)
  --processes N     fresh processes for the start-up measurement (default 5)
  --json            print one JSON object instead of the table";

/// Entry point.
pub(crate) fn main(args: &[String]) -> Result<(), Failure> {
    if args.first().map(String::as_str) == Some("--startup-probe") {
        return startup_probe(&args[1..]);
    }
    let (config, rest) = settings::parse(args).map_err(Failure::usage)?;
    let mut seconds = 1.0f64;
    let mut repetitions = 5usize;
    let mut processes = 5usize;
    let mut as_json = false;
    let mut iter = rest.iter();
    while let Some(arg) = iter.next() {
        let mut value = || {
            iter.next()
                .ok_or_else(|| Failure::usage(format!("{arg} needs a value")))
        };
        match arg.as_str() {
            "--seconds" => seconds = settings::number(arg, value()?).map_err(Failure::usage)?,
            "--repetitions" => {
                repetitions = settings::number(arg, value()?).map_err(Failure::usage)?
            }
            "--processes" => processes = settings::number(arg, value()?).map_err(Failure::usage)?,
            "--json" => as_json = true,
            "-h" | "--help" => {
                println!("{USAGE}\n{}", settings::SETTINGS_HELP);
                return Ok(());
            }
            other => return Err(Failure::usage(format!("bench: unknown option {other:?}"))),
        }
    }
    if !seconds.is_finite() || seconds <= 0.0 || repetitions == 0 || processes == 0 {
        return Err(Failure::usage(
            "bench: --seconds, --repetitions and --processes must be > 0",
        ));
    }

    let mut rows = Vec::new();
    for mode in [Mode::Standard, Mode::Fips] {
        for request in [32usize, 4096] {
            let row_config = Config {
                mode,
                ..config.clone()
            };
            rows.push(throughput(&row_config, request, seconds, repetitions)?);
        }
    }
    let startup = [Mode::Standard, Mode::Fips]
        .into_iter()
        .map(|mode| {
            startup(
                &Config {
                    mode,
                    ..config.clone()
                },
                processes,
            )
        })
        .collect::<Result<Vec<_>, _>>()?;

    let report = json!({
        "build": if cfg!(debug_assertions) { "debug" } else { "release" },
        "osr": config.osr,
        "seconds_per_repetition": seconds,
        "throughput_bytes_per_second": rows,
        "startup_ms_fresh_process": startup,
    });
    if as_json {
        println!("{report}");
    } else {
        print_table(&report);
    }
    Ok(())
}

fn throughput(
    config: &Config,
    request: usize,
    seconds: f64,
    repetitions: usize,
) -> Result<Value, Failure> {
    let mut source = EntropySource::new(config.clone()).map_err(|e| Failure::collector(&e))?;
    let mut buffer = vec![0u8; request];
    let mut rates = Vec::with_capacity(repetitions);
    for _ in 0..repetitions {
        let began = Instant::now();
        let mut bytes = 0usize;
        while began.elapsed().as_secs_f64() < seconds {
            source
                .fill(&mut buffer)
                .map_err(|e| Failure::collector(&e))?;
            bytes += request;
        }
        rates.push(bytes as f64 / began.elapsed().as_secs_f64());
    }
    let (min, median, max) = summary(&mut rates);
    Ok(json!({"mode": config.mode.as_str(), "request": request,
              "min": min, "median": median, "max": max}))
}

/// Start-up in fresh processes: the first `jent_entropy_init` equivalent (self tests and
/// power-up test) and the first collector allocation after it.
fn startup(config: &Config, processes: usize) -> Result<Value, Failure> {
    let exe = std::env::current_exe().map_err(|e| Failure {
        message: format!("cannot find own binary: {e}"),
        status: 1,
    })?;
    let mut init = Vec::new();
    let mut alloc = Vec::new();
    for _ in 0..processes {
        let output = Command::new(&exe)
            .args(["bench", "--startup-probe", "--mode", config.mode.as_str()])
            .args(["--osr", &config.osr.to_string()])
            .output()
            .map_err(|e| Failure {
                message: format!("cannot start probe: {e}"),
                status: 1,
            })?;
        let text = String::from_utf8_lossy(&output.stdout);
        let value: Value = serde_json::from_str(text.trim()).map_err(|_| Failure {
            message: format!(
                "startup probe failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ),
            status: 1,
        })?;
        init.push(value["init_ms"].as_f64().unwrap_or(f64::NAN));
        alloc.push(value["alloc_ms"].as_f64().unwrap_or(f64::NAN));
    }
    let (init_min, init_median, init_max) = summary(&mut init);
    let (alloc_min, alloc_median, alloc_max) = summary(&mut alloc);
    Ok(json!({"mode": config.mode.as_str(),
              "init": {"min": init_min, "median": init_median, "max": init_max},
              "first_collector": {"min": alloc_min, "median": alloc_median, "max": alloc_max}}))
}

/// Runs in a fresh child process: times the first init and the first allocation.
fn startup_probe(args: &[String]) -> Result<(), Failure> {
    let (config, _) = settings::parse(args).map_err(Failure::usage)?;
    let flags = config.flags() | flags::DISABLE_INTERNAL_TIMER;

    // Library::new reads the cache sizes, which the C library does inside its allocation: keep
    // it inside the timed window so that the comparison does not favour this port.
    let began = Instant::now();
    let mut library = Library::new(Box::new(HardwareTimer));
    let code = library.entropy_init_ex(config.osr, flags);
    let init_ms = began.elapsed().as_secs_f64() * 1000.0;
    if code != 0 {
        return Err(Failure::usage(format!(
            "power-up test failed with code {code}"
        )));
    }

    let began = Instant::now();
    let collector = library.collector_alloc(config.osr, flags);
    let alloc_ms = began.elapsed().as_secs_f64() * 1000.0;
    if collector.is_none() {
        return Err(Failure::usage("collector allocation failed"));
    }
    println!("{}", json!({"init_ms": init_ms, "alloc_ms": alloc_ms}));
    Ok(())
}

fn summary(values: &mut [f64]) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    let median = values[values.len() / 2];
    (values[0], median, values[values.len() - 1])
}

fn print_table(report: &Value) {
    println!(
        "jent bench ({} build, osr {})",
        report["build"], report["osr"]
    );
    println!("throughput, bytes/s         min       median      max");
    for row in report["throughput_bytes_per_second"]
        .as_array()
        .into_iter()
        .flatten()
    {
        println!(
            "  {:<8} {:>5} B reads {:>10.0} {:>10.0} {:>10.0}",
            row["mode"].as_str().unwrap_or(""),
            row["request"],
            row["min"].as_f64().unwrap_or(0.0),
            row["median"].as_f64().unwrap_or(0.0),
            row["max"].as_f64().unwrap_or(0.0)
        );
    }
    println!("start-up in a fresh process, ms     min    median     max");
    for row in report["startup_ms_fresh_process"]
        .as_array()
        .into_iter()
        .flatten()
    {
        for (label, key) in [
            ("init (power-up)", "init"),
            ("first collector", "first_collector"),
        ] {
            println!(
                "  {:<8} {:<18} {:>8.2} {:>8.2} {:>8.2}",
                row["mode"].as_str().unwrap_or(""),
                label,
                row[key]["min"].as_f64().unwrap_or(0.0),
                row[key]["median"].as_f64().unwrap_or(0.0),
                row[key]["max"].as_f64().unwrap_or(0.0)
            );
        }
    }
}

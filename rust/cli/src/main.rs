//! `jent`: read conditioned output, print the collector status, benchmark, and record and assess
//! raw noise.

mod assess;
mod bench;
mod raw;
mod settings;

use std::io::{self, Write};
use std::process::ExitCode;

use jent_core::{EntropySource, Error};

const USAGE: &str = "\
usage: jent <command> [options]

commands:
  read --bytes N [--hex]   write N conditioned bytes to stdout (raw bytes, or hex with --hex)
  status                   start a collector and print its status as JSON
  bench [--seconds S]      throughput and start-up time of this build
  raw                      record raw noise for SP 800-90B assessment (jent raw --help)
  assess                   record and assess raw noise (jent assess --help)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(command) = args.first() else {
        eprint!("{USAGE}");
        return ExitCode::from(2);
    };
    let rest = &args[1..];
    match command.as_str() {
        "read" => report(read(rest)),
        "status" => report(status(rest)),
        "bench" => report(bench::main(rest)),
        "raw" => raw::main(rest),
        "assess" => assess::main(rest),
        "-h" | "--help" | "help" => {
            print!("{USAGE}\n{}\n", settings::SETTINGS_HELP);
            ExitCode::SUCCESS
        }
        other => {
            eprintln!("jent: unknown command {other:?}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// A failed command: the message and the exit status.
pub(crate) struct Failure {
    message: String,
    status: u8,
}

impl Failure {
    /// A usage error (exit status 2).
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            status: 2,
        }
    }

    /// A collector error (exit status 1), naming the health test or setting.
    pub(crate) fn collector(error: &Error) -> Self {
        Self {
            message: format!("{error} [code {}]", error.code()),
            status: 1,
        }
    }
}

fn report(result: Result<(), Failure>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("jent: {}", failure.message);
            ExitCode::from(failure.status)
        }
    }
}

/// Largest `--bytes`: reads are served in 32-byte blocks of fresh samples, about 10 ms each, so
/// this bound keeps a mistyped size from running for days.
const MAX_READ_BYTES: usize = 1 << 24;

fn read(args: &[String]) -> Result<(), Failure> {
    let (config, rest) = settings::parse(args).map_err(Failure::usage)?;
    let mut bytes = None;
    let mut hex = false;
    let mut iter = rest.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--bytes" => {
                let value = iter
                    .next()
                    .ok_or_else(|| Failure::usage("--bytes needs a value"))?;
                bytes = Some(settings::number::<usize>("--bytes", value).map_err(Failure::usage)?);
            }
            "--hex" => hex = true,
            other => return Err(Failure::usage(format!("read: unknown option {other:?}"))),
        }
    }
    let bytes = bytes.ok_or_else(|| Failure::usage("read: --bytes N is required"))?;
    if bytes > MAX_READ_BYTES {
        return Err(Failure::usage(format!(
            "read: --bytes {bytes} is larger than the limit of {MAX_READ_BYTES}"
        )));
    }

    let mut source = EntropySource::new(config).map_err(|e| Failure::collector(&e))?;
    let mut stdout = io::stdout().lock();
    let mut buffer = vec![0u8; bytes.min(4096)];
    let mut left = bytes;
    while left > 0 {
        let chunk = &mut buffer[..left.min(4096)];
        source.fill(chunk).map_err(|e| Failure::collector(&e))?;
        let written = if hex {
            let text: String = chunk.iter().map(|b| format!("{b:02x}")).collect();
            stdout.write_all(text.as_bytes())
        } else {
            stdout.write_all(chunk)
        };
        written.map_err(|e| Failure {
            message: format!("writing stdout: {e}"),
            status: 1,
        })?;
        left -= chunk.len();
    }
    if hex {
        let _ = stdout.write_all(b"\n");
    }
    stdout.flush().map_err(|e| Failure {
        message: format!("writing stdout: {e}"),
        status: 1,
    })
}

fn status(args: &[String]) -> Result<(), Failure> {
    let (config, rest) = settings::parse(args).map_err(Failure::usage)?;
    if let Some(other) = rest.first() {
        return Err(Failure::usage(format!("status: unknown option {other:?}")));
    }
    let mut source = EntropySource::new(config).map_err(|e| Failure::collector(&e))?;
    // One block proves the collector delivers, and fills the counters.
    let mut probe = [0u8; 32];
    source
        .fill(&mut probe)
        .map_err(|e| Failure::collector(&e))?;
    println!("{}", source.status().to_json());
    Ok(())
}

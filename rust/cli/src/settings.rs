//! Collector settings shared by the subcommands: `--osr`, `--fips`, `--ntg1`, `--standard`,
//! `--mode`, `--memory-size`, `--hash-loop`, `--timer`, `--no-memory-access`, `--cache-all`,
//! `--backtracking-generate`, `--require-locked-memory`.

use jent_core::{Config, Mode, TimerKind};

/// Help text for the settings.
pub(crate) const SETTINGS_HELP: &str = "\
settings:
  --osr N                  oversampling rate 0..20 (0..2 are raised to 3; default 3)
  --fips | --ntg1 | --standard
                           health-test rules (default --fips); also --mode fips|ntg1|standard
  --memory-size BYTES      noise buffer, a power of two from 1024 to 536870912 (default: from
                           the L1 data cache size)
  --hash-loop N            hash-loop iterations per sample: 1, 2, 4, ..., 128 (default 1)
  --timer auto|hardware|clock|internal
                           time source (default auto)
  --no-memory-access       no memory-access noise source (refused with --fips and --ntg1)
  --cache-all              size the buffer from L1 + L2 + L3
  --backtracking-generate  end every read with an output-less generate step
  --require-locked-memory  fail if the pool or buffer cannot be locked into memory";

/// Parses the settings in `args`, returning the configuration and the arguments left over.
pub(crate) fn parse(args: &[String]) -> Result<(Config, Vec<String>), String> {
    let mut config = Config::default();
    let mut rest = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name, Some(value.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = |what: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| iter.next().cloned())
                .ok_or_else(|| format!("{name} needs a value ({what})"))
        };
        match name {
            "--osr" => config.osr = number(name, &value("0..20")?)?,
            "--fips" => config.mode = Mode::Fips,
            "--ntg1" => config.mode = Mode::Ntg1,
            "--standard" => config.mode = Mode::Standard,
            "--mode" => config.mode = value("fips, ntg1 or standard")?.parse().map_err(text)?,
            "--memory-size" => config.memory_size = Some(number(name, &value("bytes")?)?),
            "--hash-loop" => config.hash_loop_count = number(name, &value("1..128")?)?,
            "--timer" => {
                config.timer = value("auto, hardware, clock or internal")?
                    .parse::<TimerKind>()
                    .map_err(text)?
            }
            "--no-memory-access" => config.memory_access = false,
            "--cache-all" => config.cache_all = true,
            "--backtracking-generate" => config.backtracking_generate = true,
            "--require-locked-memory" => config.require_locked_memory = true,
            _ => rest.push(arg.clone()),
        }
    }
    config.validate().map_err(text)?;
    Ok((config, rest))
}

/// Parses a number, naming the option on failure.
pub(crate) fn number<T: std::str::FromStr>(option: &str, text: &str) -> Result<T, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("{option} {text:?} is not a valid non-negative number"))
}

fn text(error: impl std::fmt::Display) -> String {
    error.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_settings_and_keeps_the_rest() {
        let (config, rest) = parse(&args(&[
            "--osr",
            "5",
            "--ntg1",
            "--hash-loop=4",
            "--bytes",
            "9",
        ]))
        .unwrap();
        assert_eq!(config.osr, 5);
        assert_eq!(config.mode, Mode::Ntg1);
        assert_eq!(config.hash_loop_count, 4);
        assert_eq!(rest, args(&["--bytes", "9"]));
    }

    #[test]
    fn rejects_bad_settings_by_name() {
        let error = parse(&args(&["--osr", "21"])).unwrap_err();
        assert!(error.contains("osr 21"), "{error}");
        let error = parse(&args(&["--fips", "--no-memory-access"])).unwrap_err();
        assert!(error.contains("memory-access"), "{error}");
        let error = parse(&args(&["--memory-size", "3000"])).unwrap_err();
        assert!(error.contains("memory size 3000"), "{error}");
        let error = parse(&args(&["--osr"])).unwrap_err();
        assert!(error.contains("--osr needs a value"), "{error}");
        let error = parse(&args(&["--timer", "sundial"])).unwrap_err();
        assert!(error.contains("sundial"), "{error}");
    }
}

//! `jent assess`: records raw noise as `jent raw` does, then runs the SP 800-90B assessment
//! (`tests/raw-entropy/assess.py`, NIST's estimators through PyPI's `sp800-90b`) on it and says
//! where the report went.
//!
//! The exit status is the assessment's: 0 when every estimate meets the 1/osr claim, 1 when one
//! does not (or the capture failed), 2 for a wrong command line, 3 when the estimators are not
//! installed.

use std::env;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use jent_core::Config;

use crate::raw::{
    self, DEFAULT_RESTARTS, DEFAULT_SAMPLES_PER_RESTART, DEFAULT_SEQUENTIAL_SAMPLES, ProgressMode,
    RawError, RawOptions,
};
use crate::settings;

/// Where the script lives inside the repository.
const SCRIPT_IN_REPO: &str = "tests/raw-entropy/assess.py";
/// Where `tests/raw-entropy/install.sh` puts the Python with the estimators.
const VENV_PYTHON_IN_REPO: &str = ".cache/raw-entropy/venv/bin/python";
const INSTALL_HINT: &str = "run tests/raw-entropy/install.sh (it builds PyPI's sp800-90b into \
                            .cache/raw-entropy/venv), or point --python / JENT_ASSESS_PYTHON at a \
                            Python that has it";

/// Exit statuses of assess.py.
const SCRIPT_GATE_FAILED: i32 = 1;
const SCRIPT_NOT_INSTALLED: i32 = 3;

pub(crate) const USAGE: &str = "\
usage: jent assess --out DIR [--from CAPTURE_DIR] [--samples N] [--restarts R]
                   [--restart-samples N] [--no-restart] [--python PATH] [--script PATH]
                   [--title TEXT] [--progress|--no-progress] [--allow-debug-build] [settings]

Records raw noise (as jent raw) into DIR/capture and runs the SP 800-90B assessment on it;
the report is DIR/report.md with DIR/delta-distribution.png and DIR/summary.json.
  --out DIR            report directory (created if missing)
  --from CAPTURE_DIR   assess an existing `jent raw --out-dir` directory instead of recording
  --samples N          sequential samples (default 1000000)
  --restarts R         restarts in the restart matrix (default 1000)
  --restart-samples N  samples per restart (default 1000)
  --no-restart         sequential data only (SP 800-90B 3.1.3 without 3.1.4)
  --python PATH        Python with sp800-90b (default: JENT_ASSESS_PYTHON, else
                       .cache/raw-entropy/venv/bin/python in the repository)
  --script PATH        assess.py (default: JENT_ASSESS_SCRIPT, else found by walking up from
                       the current directory and from this binary to tests/raw-entropy/assess.py)
Exit status: 0 pass, 1 an estimate is below the 1/osr claim or the capture failed,
2 usage, 3 estimators not installed. The settings are those of `jent read`.";

/// What went wrong before or around the assessment.
#[derive(Debug)]
enum AssessError {
    Raw(RawError),
    ScriptNotFound,
    NotInstalled(String),
    Launch(PathBuf, std::io::Error),
    Gate,
    Script(Option<i32>),
}

impl fmt::Display for AssessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Raw(error) => write!(f, "{error}"),
            Self::ScriptNotFound => write!(
                f,
                "cannot find {SCRIPT_IN_REPO}: run from the repository, or give --script / \
                 JENT_ASSESS_SCRIPT"
            ),
            Self::NotInstalled(what) => {
                write!(
                    f,
                    "the SP 800-90B estimators are not installed ({what}): {INSTALL_HINT}"
                )
            }
            Self::Launch(python, error) => write!(f, "cannot run {}: {error}", python.display()),
            Self::Gate => f.write_str(
                "FAIL: an entropy estimate is below the 1/osr claim, or the restart test \
                 failed; the report says which",
            ),
            Self::Script(code) => write!(f, "assess.py failed (exit status {code:?})"),
        }
    }
}

impl AssessError {
    fn exit_code(&self) -> ExitCode {
        match self {
            Self::Raw(error) => error.exit_code(),
            Self::NotInstalled(_) => ExitCode::from(SCRIPT_NOT_INSTALLED as u8),
            _ => ExitCode::from(1),
        }
    }
}

/// Everything `jent assess` was asked to do.
#[derive(Debug)]
struct AssessOptions {
    out: PathBuf,
    from: Option<PathBuf>,
    samples: usize,
    restarts: Option<usize>,
    restart_samples: usize,
    python: Option<PathBuf>,
    script: Option<PathBuf>,
    title: Option<String>,
    progress: ProgressMode,
    allow_debug_build: bool,
    config: Config,
}

impl AssessOptions {
    fn parse(args: &[String]) -> Result<Self, RawError> {
        let (config, rest) = settings::parse(args).map_err(RawError::Usage)?;
        let mut options = Self {
            out: PathBuf::new(),
            from: None,
            samples: DEFAULT_SEQUENTIAL_SAMPLES,
            restarts: Some(DEFAULT_RESTARTS),
            restart_samples: DEFAULT_SAMPLES_PER_RESTART,
            python: None,
            script: None,
            title: None,
            progress: ProgressMode::Auto,
            allow_debug_build: false,
            config,
        };
        let mut out = None;
        let mut no_restart = false;
        let mut rest = rest.into_iter();
        while let Some(option) = rest.next() {
            let mut path = || raw::option_value(&option, &mut rest).map(PathBuf::from);
            match option.as_str() {
                "--out" => out = Some(path()?),
                "--from" => options.from = Some(path()?),
                "--python" => options.python = Some(path()?),
                "--script" => options.script = Some(path()?),
                "--title" => options.title = Some(raw::option_value(&option, &mut rest)?),
                "--samples" => options.samples = raw::parse_number(&option, &mut rest)?,
                "--restarts" => options.restarts = Some(raw::parse_number(&option, &mut rest)?),
                "--restart-samples" => {
                    options.restart_samples = raw::parse_number(&option, &mut rest)?;
                }
                "--no-restart" => no_restart = true,
                "--progress" => options.progress = ProgressMode::Always,
                "--no-progress" => options.progress = ProgressMode::Never,
                "--allow-debug-build" => options.allow_debug_build = true,
                "-h" | "--help" => return Err(RawError::Usage("help requested".into())),
                other => return Err(RawError::Usage(format!("unknown option {other:?}"))),
            }
        }
        options.out = out.ok_or_else(|| RawError::Usage("--out is required".into()))?;
        if no_restart {
            options.restarts = None;
        }
        if options.samples == 0 || options.restart_samples == 0 || options.restarts == Some(0) {
            return Err(RawError::Usage(
                "sample and restart counts must be at least 1".into(),
            ));
        }
        Ok(options)
    }
}

/// Entry point of `jent assess`; `args` are the words after `assess`.
pub(crate) fn main(args: &[String]) -> ExitCode {
    let options = match AssessOptions::parse(args) {
        Ok(options) => options,
        Err(error) => {
            eprintln!(
                "jent assess: {}",
                error.to_string().replace(raw::USAGE, USAGE)
            );
            return error.exit_code();
        }
    };
    match run(&options) {
        Ok(report) => {
            println!("report: {}", report.display());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("jent assess: {error}");
            if matches!(error, AssessError::Gate) {
                println!("report: {}", options.out.join("report.md").display());
            }
            error.exit_code()
        }
    }
}

fn run(options: &AssessOptions) -> Result<PathBuf, AssessError> {
    // Find the Python side first: a missing install should not cost a long capture.
    let script = locate_script(options.script.clone())?;
    let python = locate_python(options.python.clone(), &script)?;

    let capture_dir = match &options.from {
        Some(dir) => dir.clone(),
        None => {
            let dir = options.out.join("capture");
            record(options, &dir).map_err(AssessError::Raw)?;
            dir
        }
    };

    let mut command = Command::new(&python);
    command
        .arg(&script)
        .arg("--capture-dir")
        .arg(&capture_dir)
        .arg("--out")
        .arg(&options.out);
    if options.restarts.is_none() {
        command.arg("--no-restart");
    }
    if let Some(title) = &options.title {
        command.arg("--title").arg(title);
    }
    if options.allow_debug_build {
        command.arg("--allow-debug-build");
    }
    let status = command
        .status()
        .map_err(|error| AssessError::Launch(python.clone(), error))?;

    match status.code() {
        Some(0) => Ok(options.out.join("report.md")),
        Some(SCRIPT_GATE_FAILED) => Err(AssessError::Gate),
        Some(SCRIPT_NOT_INSTALLED) => Err(AssessError::NotInstalled(format!(
            "{} cannot import sp800_90b",
            python.display()
        ))),
        code => Err(AssessError::Script(code)),
    }
}

/// Records the sequential data with its deltas (for the plot) and, unless `--no-restart`, the
/// restart matrix, into `dir`.
fn record(options: &AssessOptions, dir: &Path) -> Result<(), RawError> {
    let mut raw_options = RawOptions {
        out_dir: dir.to_path_buf(),
        samples: Some(options.samples),
        restarts: None,
        write_deltas: true,
        progress: options.progress,
        allow_debug_build: options.allow_debug_build,
        config: options.config.clone(),
    };
    eprintln!(
        "jent assess: recording {} sequential samples",
        options.samples
    );
    raw::capture_to_dir(&raw_options)?;

    if let Some(restarts) = options.restarts {
        eprintln!(
            "jent assess: recording {restarts} restarts x {} samples",
            options.restart_samples
        );
        raw_options.samples = Some(options.restart_samples);
        raw_options.restarts = Some(restarts);
        raw::capture_to_dir(&raw_options)?;
    }
    Ok(())
}

fn locate_script(explicit: Option<PathBuf>) -> Result<PathBuf, AssessError> {
    let chosen = explicit.or_else(|| env::var_os("JENT_ASSESS_SCRIPT").map(PathBuf::from));
    if let Some(script) = chosen {
        return if script.is_file() {
            Ok(script)
        } else {
            Err(AssessError::ScriptNotFound)
        };
    }
    let starts = [
        env::current_dir().ok(),
        env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(Path::to_path_buf)),
    ];
    starts
        .into_iter()
        .flatten()
        .find_map(|start| find_upwards(&start, SCRIPT_IN_REPO))
        .ok_or(AssessError::ScriptNotFound)
}

/// The first `start/relative`, `start/../relative`, ... that exists.
fn find_upwards(start: &Path, relative: &str) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(relative))
        .find(|candidate| candidate.is_file())
}

fn locate_python(explicit: Option<PathBuf>, script: &Path) -> Result<PathBuf, AssessError> {
    if let Some(python) = explicit.or_else(|| env::var_os("JENT_ASSESS_PYTHON").map(PathBuf::from))
    {
        // A bare name such as `python3` is looked up in PATH when it runs; a path must exist.
        if python.components().count() > 1 && !python.is_file() {
            return Err(AssessError::NotInstalled(format!(
                "{} does not exist",
                python.display()
            )));
        }
        return Ok(python);
    }
    // The script sits at <repo>/tests/raw-entropy/assess.py; the venv at <repo>/.cache/....
    let repo = script
        .canonicalize()
        .ok()
        .and_then(|path| path.ancestors().nth(3).map(Path::to_path_buf));
    let python = repo.map(|repo| repo.join(VENV_PYTHON_IN_REPO));
    match python {
        Some(python) if python.is_file() => Ok(python),
        Some(python) => Err(AssessError::NotInstalled(format!(
            "{} does not exist",
            python.display()
        ))),
        None => Err(AssessError::NotInstalled(
            "no repository around the script".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use serde_json::json;

    use super::*;

    fn words(text: &str) -> Vec<String> {
        text.split_whitespace().map(String::from).collect()
    }

    /// A fresh directory under the system temporary directory.
    fn scratch(name: &str) -> PathBuf {
        let dir = env::temp_dir().join(format!("jent-assess-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn options_default_to_the_full_assessment() {
        let options = AssessOptions::parse(&words("--out r")).unwrap();
        assert_eq!(options.samples, 1_000_000);
        assert_eq!(
            (options.restarts, options.restart_samples),
            (Some(1000), 1000)
        );

        let options = AssessOptions::parse(&words(
            "--out r --samples 100_000 --no-restart --osr 5 --from cap --title ci",
        ))
        .unwrap();
        assert_eq!((options.samples, options.restarts), (100_000, None));
        assert_eq!(options.config.osr, 5);
        assert_eq!(options.from, Some(PathBuf::from("cap")));
        assert_eq!(options.title.as_deref(), Some("ci"));

        let error = AssessOptions::parse(&words("--samples 5"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("--out is required"), "{error}");
        let error = AssessOptions::parse(&words("--out r --restarts 0")).unwrap_err();
        assert!(error.to_string().contains("at least 1"));
    }

    #[test]
    fn script_is_found_by_walking_up() {
        let repo = scratch("walk");
        let script = repo.join(SCRIPT_IN_REPO);
        fs::create_dir_all(script.parent().unwrap()).unwrap();
        fs::write(&script, "").unwrap();
        let deep = repo.join("rust/cli/src");
        fs::create_dir_all(&deep).unwrap();

        assert_eq!(find_upwards(&deep, SCRIPT_IN_REPO), Some(script.clone()));
        assert_eq!(find_upwards(&env::temp_dir(), "no/such/assess.py"), None);

        // No venv next to it: the error names the install script.
        let error = locate_python(None, &script).unwrap_err();
        assert!(
            error.to_string().contains("tests/raw-entropy/install.sh"),
            "{error}"
        );
        assert_eq!(error.exit_code(), ExitCode::from(3));
        fs::remove_dir_all(repo).unwrap();
    }

    /// Writes a capture directory as `jent raw` would, from given 8-bit samples.
    fn fake_capture(dir: &Path, samples: &[u8]) {
        fs::write(dir.join("sequential-u8.bin"), samples).unwrap();
        let sidecar = json!({
            "format": "jent-raw/1",
            "tool": { "build_profile": "release" },
            "settings": { "osr": 3, "mode": "fips" },
            "capture": { "kind": "sequential", "samples": samples.len() },
        });
        fs::write(dir.join("sequential.json"), sidecar.to_string()).unwrap();
    }

    /// Pseudo-random bytes from a 64-bit xorshift: plenty of entropy for the estimators.
    fn spread_bytes(count: usize) -> Vec<u8> {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        (0..count)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 56) as u8
            })
            .collect()
    }

    #[test]
    fn the_gate_passes_good_data_and_fails_poor_data() {
        // Runs the real assess.py when install.sh has been run; otherwise says why it skips.
        let script = match locate_script(None) {
            Ok(script) => script,
            Err(error) => {
                return eprintln!("SKIP the_gate_passes_good_data_and_fails_poor_data: {error}");
            }
        };
        let python = match locate_python(None, &script) {
            Ok(python) => python,
            Err(error) => {
                return eprintln!("SKIP the_gate_passes_good_data_and_fails_poor_data: {error}");
            }
        };
        let assess = |name: &str, samples: &[u8]| {
            let dir = scratch(name);
            fake_capture(&dir, samples);
            let options = AssessOptions {
                from: Some(dir.clone()),
                python: Some(python.clone()),
                script: Some(script.clone()),
                restarts: None,
                ..AssessOptions::parse(&words("--out x")).unwrap()
            };
            let options = AssessOptions {
                out: dir.join("report"),
                ..options
            };
            let result = run(&options);
            (dir, result)
        };

        let (dir, result) = assess("good", &spread_bytes(20_000));
        let report = result.unwrap();
        assert!(
            fs::read_to_string(&report)
                .unwrap()
                .contains("**Result: PASS**")
        );
        assert!(dir.join("report/delta-distribution.png").is_file());
        fs::remove_dir_all(dir).unwrap();

        // One value 90 % of the time: min-entropy about 0.15 bits, below the 1/3 claim.
        let poor: Vec<u8> = spread_bytes(20_000)
            .into_iter()
            .map(|byte| if byte < 230 { 7 } else { byte })
            .collect();
        let (dir, result) = assess("poor", &poor);
        assert!(matches!(result, Err(AssessError::Gate)), "{result:?}");
        let report = fs::read_to_string(dir.join("report/report.md")).unwrap();
        assert!(report.contains("**Result: FAIL**"), "{report}");
        fs::remove_dir_all(dir).unwrap();
    }
}

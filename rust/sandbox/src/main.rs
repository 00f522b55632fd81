//! `no-kernel-random`: runs a command in a process that cannot get randomness from the kernel.
//!
//! The test suite uses it to show that a JVM configured with our entropy provider needs no
//! kernel randomness, and that a stock JVM does. It takes the kernel's two randomness doors
//! away from the command and everything it starts:
//!
//! * `/dev/random`, `/dev/urandom` and `/proc/sys/kernel/random/uuid` become empty read-only
//!   files, in a private mount namespace so the rest of the machine keeps the real ones;
//! * the `getrandom(2)` system call fails with `ENOSYS`, through a seccomp filter that
//!   `execve` passes on to every descendant.
//!
//! Before it runs the command, the tool checks that both doors are really shut and refuses to
//! run the command otherwise: a sandbox that silently leaked would make every test built on it
//! meaningless.
//!
//! Usage: `no-kernel-random [--] COMMAND [ARG...]`. Needs root (`CAP_SYS_ADMIN`) and Linux on
//! x86_64.

mod check;
mod error;
mod mounts;
mod seccomp;

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitCode};

use error::SandboxError;

/// Exit status when the command line is wrong.
const EXIT_USAGE: u8 = 2;
/// Exit status when the sandbox could not be set up or failed its own check; the same number
/// `env` and `chroot` use for "the tool itself failed", so it cannot be mistaken for the
/// command's own status.
const EXIT_SETUP_FAILED: u8 = 125;
/// Exit status when the command exists but cannot be executed.
const EXIT_CANNOT_EXECUTE: u8 = 126;
/// Exit status when the command is not found.
const EXIT_NOT_FOUND: u8 = 127;

const USAGE: &str = "\
usage: no-kernel-random [--] COMMAND [ARG...]

Runs COMMAND with no randomness from the kernel: /dev/random, /dev/urandom and
/proc/sys/kernel/random/uuid read as empty files, and getrandom(2) fails with ENOSYS.
Needs root and Linux x86_64. Exit status: COMMAND's own, or 2 (usage), 125 (sandbox not
set up), 126 (COMMAND not executable), 127 (COMMAND not found).";

fn main() -> ExitCode {
    let arguments: Vec<OsString> = std::env::args_os().skip(1).collect();
    let command_line = match parse_command_line(arguments) {
        Ok(command_line) => command_line,
        Err(Parsed::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(Parsed::Invalid(reason)) => {
            eprintln!("no-kernel-random: {reason}\n{USAGE}");
            return ExitCode::from(EXIT_USAGE);
        }
    };

    // Shut both doors and prove they are shut; any failure stops here, before the command runs.
    if let Err(error) = enter_sandbox() {
        eprintln!("no-kernel-random: {error}");
        return ExitCode::from(EXIT_SETUP_FAILED);
    }

    // exec only returns on failure; on success the command replaces this process and its exit
    // status becomes ours.
    let (program, program_arguments) = command_line;
    let error = Command::new(&program).args(&program_arguments).exec();
    eprintln!(
        "no-kernel-random: cannot run {}: {error}",
        program.to_string_lossy()
    );
    if error.kind() == std::io::ErrorKind::NotFound {
        ExitCode::from(EXIT_NOT_FOUND)
    } else {
        ExitCode::from(EXIT_CANNOT_EXECUTE)
    }
}

/// Why the command line did not yield a command to run.
enum Parsed {
    Help,
    Invalid(String),
}

/// Splits the arguments into the program to run and its arguments. Options of our own are
/// only `-h`/`--help` and `--`; anything else starting with `-` before the command is refused
/// rather than guessed at.
fn parse_command_line(arguments: Vec<OsString>) -> Result<(OsString, Vec<OsString>), Parsed> {
    let mut arguments = arguments.into_iter().peekable();
    match arguments.peek().and_then(|first| first.to_str()) {
        Some("-h" | "--help") => return Err(Parsed::Help),
        Some("--") => {
            arguments.next();
        }
        Some(option) if option.starts_with('-') => {
            return Err(Parsed::Invalid(format!("unknown option '{option}'")));
        }
        _ => {}
    }

    let program = arguments
        .next()
        .ok_or_else(|| Parsed::Invalid("no command given".to_owned()))?;
    Ok((program, arguments.collect()))
}

/// Hides the random devices, installs the getrandom filter, then checks both from inside.
fn enter_sandbox() -> Result<(), SandboxError> {
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        return Err(SandboxError::UnsupportedPlatform);
    }

    // The mounts come first: once the filter is in place nothing here needs more syscalls than
    // the check, but mount(2) must run while we still hold every privilege.
    mounts::hide_random_devices()?;
    seccomp::deny_getrandom()?;
    check::kernel_randomness_is_gone()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os_strings(arguments: &[&str]) -> Vec<OsString> {
        arguments.iter().map(OsString::from).collect()
    }

    #[test]
    fn command_and_arguments_are_split() {
        let Ok((program, rest)) = parse_command_line(os_strings(&["sh", "-c", "exit 3"])) else {
            panic!("a plain command line was refused");
        };
        assert_eq!(program, "sh");
        assert_eq!(rest, os_strings(&["-c", "exit 3"]));
    }

    #[test]
    fn double_dash_lets_the_command_start_with_a_dash() {
        let Ok((program, rest)) = parse_command_line(os_strings(&["--", "-weird", "x"])) else {
            panic!("'--' was not accepted");
        };
        assert_eq!(program, "-weird");
        assert_eq!(rest, os_strings(&["x"]));
    }

    #[test]
    fn missing_command_is_refused_by_name() {
        for arguments in [&[][..], &["--"][..]] {
            match parse_command_line(os_strings(arguments)) {
                Err(Parsed::Invalid(reason)) => assert_eq!(reason, "no command given"),
                _ => panic!("{arguments:?} was not refused"),
            }
        }
    }

    #[test]
    fn unknown_option_is_refused_by_name() {
        match parse_command_line(os_strings(&["--verbose", "true"])) {
            Err(Parsed::Invalid(reason)) => assert!(reason.contains("'--verbose'"), "{reason}"),
            _ => panic!("an unknown option was accepted"),
        }
    }

    #[test]
    fn help_is_recognised() {
        assert!(matches!(
            parse_command_line(os_strings(&["--help"])),
            Err(Parsed::Help)
        ));
        assert!(matches!(
            parse_command_line(os_strings(&["-h"])),
            Err(Parsed::Help)
        ));
    }
}

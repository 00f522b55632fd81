//! Runs the `no-kernel-random` binary on small probes and checks what they see inside.
//!
//! Every probe is also run outside the sandbox where that makes sense, so a probe that could
//! not see randomness in the first place cannot make a test pass.
//!
//! The tool needs root; without it (or where `unshare` is not allowed, as in an unprivileged
//! container) every test here prints why it is skipped and returns.

use std::io::Write;
use std::process::{Command, Output};

const TOOL: &str = env!("CARGO_BIN_EXE_no-kernel-random");

/// `ENOSYS` on Linux, the errno the sandbox makes `getrandom(2)` fail with.
const ENOSYS: i32 = 38;

/// Runs `program` with `arguments`, inside the sandbox or not.
fn run(sandboxed: bool, program: &str, arguments: &[&str]) -> Output {
    let mut command = if sandboxed {
        let mut command = Command::new(TOOL);
        command.arg(program);
        command
    } else {
        Command::new(program)
    };
    command
        .args(arguments)
        .output()
        .unwrap_or_else(|error| panic!("cannot start {program}: {error}"))
}

fn stdout_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

fn stderr_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).trim().to_owned()
}

/// Prints why a test is skipped. Straight to the stderr handle rather than through `println!`,
/// which the test harness captures and hides for passing tests.
fn skip(test: &str, reason: &str) {
    let _ = writeln!(std::io::stderr(), "SKIP {test}: {reason}");
}

/// Whether the sandbox can be built here; prints the reason when it cannot. Any failure other
/// than a missing privilege or platform is a real failure and panics.
fn sandbox_available(test: &str) -> bool {
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        skip(test, "no-kernel-random supports Linux on x86_64 only");
        return false;
    }

    let output = run(true, "true", &[]);
    if output.status.success() {
        return true;
    }
    let stderr = stderr_of(&output);
    let lacks_privilege =
        stderr.contains("Operation not permitted") || stderr.contains("Permission denied");
    if output.status.code() == Some(125) && lacks_privilege {
        skip(
            test,
            &format!("the sandbox needs root with CAP_SYS_ADMIN here: {stderr}"),
        );
        return false;
    }
    panic!(
        "no-kernel-random true failed unexpectedly ({}): {stderr}",
        output.status
    );
}

/// Bytes a single `head -c 16` of `path` returns, as counted by `wc -c`.
fn bytes_from(sandboxed: bool, path: &str) -> String {
    let output = run(
        sandboxed,
        "sh",
        &["-c", &format!("head -c 16 {path} | wc -c")],
    );
    assert!(
        output.status.success(),
        "reading {path} failed: {}",
        stderr_of(&output)
    );
    stdout_of(&output)
}

#[test]
fn random_files_read_as_empty_inside_and_not_outside() {
    if !sandbox_available("random_files_read_as_empty_inside_and_not_outside") {
        return;
    }
    for path in [
        "/dev/urandom",
        "/dev/random",
        "/proc/sys/kernel/random/uuid",
    ] {
        assert_eq!(bytes_from(false, path), "16", "{path} outside the sandbox");
        assert_eq!(bytes_from(true, path), "0", "{path} inside the sandbox");
    }
}

#[test]
fn covers_cannot_be_written() {
    if !sandbox_available("covers_cannot_be_written") {
        return;
    }
    let output = run(true, "sh", &["-c", "echo not-random > /dev/urandom"]);
    assert!(
        !output.status.success(),
        "writing /dev/urandom inside the sandbox succeeded"
    );
    assert!(
        stderr_of(&output).contains("Read-only file system"),
        "{}",
        stderr_of(&output)
    );
}

#[test]
fn host_mounts_are_untouched_after_a_run() {
    if !sandbox_available("host_mounts_are_untouched_after_a_run") {
        return;
    }
    assert!(run(true, "true", &[]).status.success());

    // The covers lived in the tool's own mount namespace: none of them shows up in ours.
    let mount_table = std::fs::read_to_string("/proc/self/mountinfo").expect("mountinfo");
    for path in [
        "/dev/urandom",
        "/dev/random",
        "/proc/sys/kernel/random/uuid",
    ] {
        let covered = mount_table
            .lines()
            .any(|line| line.split(' ').nth(4) == Some(path));
        assert!(!covered, "{path} is still covered outside the sandbox");
    }
    assert_eq!(bytes_from(false, "/dev/urandom"), "16");
}

/// Python calls the raw system call in `os.getrandom`; PYTHONHASHSEED=0 lets the interpreter
/// start at all, since its hash randomisation otherwise needs kernel randomness itself.
#[test]
fn getrandom_fails_with_enosys_in_python() {
    if !sandbox_available("getrandom_fails_with_enosys_in_python") {
        return;
    }
    if Command::new("python3").arg("--version").output().is_err() {
        skip(
            "getrandom_fails_with_enosys_in_python",
            "python3 is not installed",
        );
        return;
    }
    let probe = "import os\n\
                 try:\n    print(len(os.getrandom(16)))\n\
                 except OSError as error:\n    print('errno', error.errno)";
    let python = |sandboxed| {
        let mut command = if sandboxed {
            Command::new(TOOL)
        } else {
            Command::new("python3")
        };
        if sandboxed {
            command.arg("python3");
        }
        let output = command
            .args(["-c", probe])
            .env("PYTHONHASHSEED", "0")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "python probe failed: {}",
            stderr_of(&output)
        );
        stdout_of(&output)
    };
    assert_eq!(python(false), "16");
    assert_eq!(python(true), format!("errno {ENOSYS}"));
}

/// The same check without any interpreter: this test binary runs itself inside the sandbox,
/// limited to the ignored probe below, which makes the raw system call.
#[test]
fn getrandom_fails_with_enosys_in_a_native_probe() {
    if !sandbox_available("getrandom_fails_with_enosys_in_a_native_probe") {
        return;
    }
    let this_test_binary = std::env::current_exe().expect("path of the test binary");
    let probe = |sandboxed: bool| {
        let mut command = if sandboxed {
            Command::new(TOOL)
        } else {
            Command::new("env")
        };
        // With TERM set, the test harness reads terminfo into a HashMap, whose RandomState
        // needs kernel randomness: inside the sandbox Rust's std then panics before any test
        // runs ("failed to generate random data"). Without TERM it prints plain text.
        command
            .arg(&this_test_binary)
            .args([
                "--exact",
                "native_getrandom_probe",
                "--ignored",
                "--nocapture",
            ])
            .env_remove("TERM");
        let output = command.output().expect("start the probe");
        assert!(
            output.status.success(),
            "probe failed: {}",
            stderr_of(&output)
        );
        stdout_of(&output)
    };

    let outside = probe(false);
    assert!(outside.contains("getrandom gave 16 bytes"), "{outside}");
    let inside = probe(true);
    let expected = format!("getrandom failed with errno {ENOSYS}");
    assert!(inside.contains(&expected), "{inside}");
}

/// Only run by the test above, inside and outside the sandbox; reports what getrandom does.
#[test]
#[ignore = "a probe started by getrandom_fails_with_enosys_in_a_native_probe"]
fn native_getrandom_probe() {
    let mut buffer = [0u8; 16];
    // SAFETY: the pointer and length describe `buffer`, which outlives the call; flags 0.
    let result =
        unsafe { libc::syscall(libc::SYS_getrandom, buffer.as_mut_ptr(), buffer.len(), 0) };
    if result < 0 {
        let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
        println!("getrandom failed with errno {errno}");
    } else {
        println!("getrandom gave {result} bytes");
    }
}

#[test]
fn exit_status_of_the_command_is_passed_through() {
    if !sandbox_available("exit_status_of_the_command_is_passed_through") {
        return;
    }
    assert_eq!(run(true, "sh", &["-c", "exit 7"]).status.code(), Some(7));
}

#[test]
fn missing_command_is_named() {
    if !sandbox_available("missing_command_is_named") {
        return;
    }
    let output = run(true, "/nonexistent/probe", &[]);
    assert_eq!(output.status.code(), Some(127));
    assert!(
        stderr_of(&output).contains("cannot run /nonexistent/probe"),
        "{}",
        stderr_of(&output)
    );
}

/// Usage errors are found before any privilege is needed, so this runs everywhere.
#[test]
fn empty_command_line_is_a_usage_error() {
    let output = Command::new(TOOL).output().expect("start no-kernel-random");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr_of(&output).contains("no command given"),
        "{}",
        stderr_of(&output)
    );
}

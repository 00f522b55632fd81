//! When the system refuses to lock memory (RLIMIT_MEMLOCK 0 for an unprivileged user, as in many
//! containers), the collector still runs, says so in its status and ends every read with the
//! output-less generate step; `--require-locked-memory` turns the refusal into an error.
//!
//! Root may always lock memory, so the binary runs as user nobody under `prlimit --memlock=0:0`
//! (util-linux `setpriv` and `prlimit`). Without root or those tools the test skips and says why.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A copy of the binary that user nobody can read and run, wherever the repository lives.
fn binary_for_nobody() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("jent-unlocked-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
    let copy = dir.join("jent");
    fs::copy(env!("CARGO_BIN_EXE_jent"), &copy).unwrap();
    fs::set_permissions(&copy, fs::Permissions::from_mode(0o755)).unwrap();
    copy
}

fn run_unlocked(binary: &Path, args: &[&str]) -> Output {
    Command::new("prlimit")
        .args([
            "--memlock=0:0",
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
        ])
        .arg(binary)
        .args(args)
        .output()
        .expect("prlimit runs")
}

fn skip_reason() -> Option<String> {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    let uid = status
        .lines()
        .find(|line| line.starts_with("Uid:"))
        .unwrap_or_default();
    if uid.split_whitespace().nth(1) != Some("0") {
        return Some("needs root to run the collector as user nobody".into());
    }
    for tool in ["prlimit", "setpriv"] {
        let found = Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            return Some(format!("{tool} (util-linux) is not installed"));
        }
    }
    None
}

#[test]
fn refused_mlock_is_reported_and_can_be_made_fatal() {
    if let Some(reason) = skip_reason() {
        println!("SKIP unlocked memory: {reason}");
        return;
    }
    let binary = binary_for_nobody();

    let status = run_unlocked(&binary, &["status"]);
    let stdout = String::from_utf8_lossy(&status.stdout);
    let stderr = String::from_utf8_lossy(&status.stderr);
    assert!(status.status.success(), "status failed: {stderr}");
    let json: serde_json::Value = serde_json::from_str(stdout.trim()).expect("status is JSON");
    assert_eq!(json["pool_locked"], false, "{stdout}");
    assert_eq!(json["memory_locked"], false, "{stdout}");
    assert!(
        json["memory_lock_errno"]
            .as_i64()
            .is_some_and(|errno| errno > 0),
        "{stdout}"
    );
    assert_eq!(
        json["backtracking_generate"], true,
        "unlocked memory must add the generate step"
    );
    assert_eq!(json["health"]["state"], "ok");
    assert_eq!(json["bytes_served"], 32);

    let strict = run_unlocked(&binary, &["status", "--require-locked-memory"]);
    let stderr = String::from_utf8_lossy(&strict.stderr);
    assert_eq!(strict.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("locking the collector memory failed"),
        "{stderr}"
    );
    assert!(stderr.contains("[code 300]"), "{stderr}");
    assert!(strict.stdout.is_empty(), "no status may be printed");

    fs::remove_dir_all(binary.parent().unwrap()).unwrap();
}

//! Embeds the commit the binary is built from, so that raw-noise evidence names the exact build
//! (`jent raw` sidecar, `jent assess` report). Outside a git checkout it records "unknown".

use std::process::Command;

fn main() {
    let commit = Command::new("git")
        .args(["describe", "--always", "--dirty", "--abbrev=12"])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_string())
        .filter(|text| !text.is_empty())
        .unwrap_or_else(|| String::from("unknown"));
    println!("cargo:rustc-env=JENT_BUILD_COMMIT={commit}");

    // Rebuild when HEAD moves or the index changes (a commit, a checkout, a staged edit).
    let git_dir = Command::new("git")
        .args(["rev-parse", "--git-dir"])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_string());
    if let Some(dir) = git_dir {
        println!("cargo:rerun-if-changed={dir}/HEAD");
        println!("cargo:rerun-if-changed={dir}/index");
    }
    println!("cargo:rerun-if-changed=build.rs");
}

//! The JNI bridge between the `jent-core` collector and the `dev.jent` Java provider.
//!
//! This crate is the only code in the project that knows JNI. It is not API: the only caller is
//! the package-private class `dev.jent.Native`, whose natives are `private static`, take
//! primitives and `byte[]`, and return primitives or `byte[]`.
//!
//! - [`door`] is the single door every native entry point goes through: it catches panics and
//!   turns each error into exactly one Java exception class (the table is in [`door`]).
//! - [`registry`] keeps the collectors on the Rust side, indexed by small integer ids, so Java
//!   never holds a pointer, and latches the first permanent failure for the life of the process.
//! - [`settings`] turns the primitives Java passes into a `jent_core::Config`.
//! - `exports` holds the `extern "system"` functions themselves, and nothing else.
//!
//! Native code never calls back into Java except to throw the exception that reports a failure.

#![deny(unsafe_code)]

pub mod door;
#[doc(hidden)]
pub mod exports;
pub mod registry;
pub mod settings;

/// Version of the contract between this library and `dev.jent.Native`.
///
/// The Java side reads it with `abiVersion()` right after `System.load` and refuses a library
/// whose number differs from the one it was compiled against. Raise it whenever a native
/// signature, a constant in [`settings`] or the meaning of an exception argument changes.
pub const ABI_VERSION: i32 = 1;

/// Whether this build carries the test-only `DangerCycle` timer (cargo feature
/// `danger-test-timer`). The library packaged in the jar never does.
pub const DANGER_TEST_TIMER: bool = cfg!(feature = "danger-test-timer");

/// One-line JSON describing this build, returned by `Native.buildInfo()`.
///
/// Java logs it and folds it into the status report; the test suite reads `features` to check
/// that the library under test is the one it expects.
pub fn build_info_json() -> String {
    let features = if DANGER_TEST_TIMER {
        "[\"danger-test-timer\"]"
    } else {
        "[]"
    };
    format!(
        "{{\"crate\":\"jent-jni\",\"version\":\"{}\",\"abi\":{},\"core_version\":\"{}\",\
         \"jent_version\":{},\"features\":{}}}",
        env!("CARGO_PKG_VERSION"),
        ABI_VERSION,
        jent_core::CRATE_VERSION,
        jent_core::JENT_VERSION,
        features,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_info_names_the_abi_and_the_features() {
        let info = build_info_json();
        assert!(info.contains(&format!("\"abi\":{ABI_VERSION}")), "{info}");
        assert_eq!(
            info.contains("danger-test-timer"),
            DANGER_TEST_TIMER,
            "{info}"
        );
        assert!(info.starts_with('{') && info.ends_with('}'), "{info}");
    }
}

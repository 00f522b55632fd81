//! The ways setting up the sandbox can fail, each naming the step that failed.

use std::fmt;
use std::io;

/// A sandbox that could not be set up, or that failed its own check.
#[derive(Debug)]
pub(crate) enum SandboxError {
    /// The tool only knows the x86_64 system call table and seccomp architecture.
    UnsupportedPlatform,
    /// A system call needed to build the sandbox failed.
    SystemCall {
        /// What the call was for, e.g. `unshare(CLONE_NEWNS)`.
        step: String,
        /// The error the kernel returned.
        cause: io::Error,
    },
    /// The sandbox is in place but kernel randomness is still reachable.
    Leak(String),
}

impl SandboxError {
    /// Wraps the last OS error (`errno`) of the named step.
    pub(crate) fn last_os_error(step: impl Into<String>) -> Self {
        SandboxError::SystemCall {
            step: step.into(),
            cause: io::Error::last_os_error(),
        }
    }
}

impl fmt::Display for SandboxError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SandboxError::UnsupportedPlatform => {
                write!(formatter, "only Linux on x86_64 is supported")
            }
            SandboxError::SystemCall { step, cause } => {
                write!(formatter, "{step} failed: {cause}")?;
                if cause.kind() == io::ErrorKind::PermissionDenied {
                    write!(formatter, " (run as root, with CAP_SYS_ADMIN)")?;
                }
                Ok(())
            }
            SandboxError::Leak(what) => {
                write!(
                    formatter,
                    "sandbox check failed, kernel randomness leaks: {what}"
                )
            }
        }
    }
}

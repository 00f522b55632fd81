//! Checks from inside the sandbox that kernel randomness is really out of reach.

use std::fs::File;
use std::io::{self, Read};

use crate::error::SandboxError;
use crate::mounts::HIDDEN_FILES;

/// Fails unless every hidden file reads as empty and `getrandom(2)` fails with `ENOSYS`.
pub(crate) fn kernel_randomness_is_gone() -> Result<(), SandboxError> {
    for path in HIDDEN_FILES {
        let bytes_read = first_read(path)
            .map_err(|error| SandboxError::Leak(format!("{path} cannot be read: {error}")))?;
        if bytes_read != 0 {
            return Err(SandboxError::Leak(format!(
                "{path} still gives {bytes_read} bytes"
            )));
        }
    }

    match getrandom_syscall() {
        Err(error) if error.raw_os_error() == Some(libc::ENOSYS) => Ok(()),
        Err(error) => Err(SandboxError::Leak(format!(
            "getrandom(2) fails with '{error}' instead of ENOSYS"
        ))),
        Ok(length) => Err(SandboxError::Leak(format!(
            "getrandom(2) still gives {length} bytes"
        ))),
    }
}

/// Bytes returned by one read of up to 16 bytes; a single read, because the real devices never
/// reach end of file.
fn first_read(path: &str) -> io::Result<usize> {
    let mut buffer = [0u8; 16];
    File::open(path)?.read(&mut buffer)
}

/// Asks the kernel for 16 bytes with the raw system call, bypassing any C library wrapper.
fn getrandom_syscall() -> io::Result<usize> {
    let mut buffer = [0u8; 16];
    // SAFETY: the pointer and length describe `buffer`, which outlives the call; flags 0.
    let result =
        unsafe { libc::syscall(libc::SYS_getrandom, buffer.as_mut_ptr(), buffer.len(), 0) };
    if result < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(usize::try_from(result).expect("a non-negative byte count fits usize"))
}

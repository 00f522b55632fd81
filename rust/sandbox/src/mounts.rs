//! Hides the kernel's random files behind empty read-only files, in a private mount namespace.

use std::ffi::{CStr, CString};
use std::fs::File;
use std::os::unix::fs::OpenOptionsExt;

use crate::error::SandboxError;

/// The files through which the kernel hands out randomness: the two random devices, and the
/// sysctl that returns a fresh random UUID on every read.
pub(crate) const HIDDEN_FILES: [&str; 3] = [
    "/dev/random",
    "/dev/urandom",
    "/proc/sys/kernel/random/uuid",
];

/// Moves this process into its own mount namespace and covers every file in [`HIDDEN_FILES`]
/// with one empty, read-only file.
pub(crate) fn hide_random_devices() -> Result<(), SandboxError> {
    // A private copy of the mount table, so the covering mounts never reach the host.
    // SAFETY: unshare takes a flag word and touches no memory of ours.
    if unsafe { libc::unshare(libc::CLONE_NEWNS) } != 0 {
        return Err(SandboxError::last_os_error("unshare(CLONE_NEWNS)"));
    }

    // Mounts are often shared with the parent namespace (systemd makes / shared); private
    // propagation stops our bind mounts from travelling back out.
    mount(
        None,
        c"/",
        libc::MS_REC | libc::MS_PRIVATE,
        "making / private",
    )?;

    // The cover: an empty file on a scratch tmpfs that lives only in our namespace.
    let cover = make_cover_file()?;

    for target in HIDDEN_FILES {
        let target_c = CString::new(target).expect("the hidden file names have no NUL byte");
        mount(
            Some(cover),
            &target_c,
            libc::MS_BIND,
            &format!("covering {target}"),
        )?;

        // Read-only, so nothing inside can fill the cover with bytes that look random.
        let read_only = libc::MS_BIND | libc::MS_REMOUNT | libc::MS_RDONLY;
        mount(
            None,
            &target_c,
            read_only,
            &format!("making the cover of {target} read-only"),
        )?;
    }

    // Take the scratch tmpfs off /tmp again; the bind mounts keep the cover file alive, and the
    // command sees the /tmp of the host.
    // SAFETY: the path is a NUL-terminated string literal.
    if unsafe { libc::umount2(SCRATCH_DIR.as_ptr(), libc::MNT_DETACH) } != 0 {
        return Err(SandboxError::last_os_error(
            "umount2(/tmp) of the scratch tmpfs",
        ));
    }
    Ok(())
}

/// Where the scratch tmpfs goes for a moment. A bind mount needs a source file on a mount of
/// our namespace (an anonymous memfd is refused with EINVAL), and /tmp is a directory every
/// system has and no command needs during the few system calls it stays covered.
const SCRATCH_DIR: &CStr = c"/tmp";
const COVER_FILE: &CStr = c"/tmp/empty-cover";

/// Mounts a tiny tmpfs on [`SCRATCH_DIR`] and creates the empty cover file in it.
fn make_cover_file() -> Result<&'static CStr, SandboxError> {
    let flags = libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC;
    // SAFETY: all strings are NUL-terminated literals; the data string is read by the kernel.
    let result = unsafe {
        libc::mount(
            c"no-kernel-random".as_ptr(),
            SCRATCH_DIR.as_ptr(),
            c"tmpfs".as_ptr(),
            flags,
            c"size=4k,mode=0700".as_ptr().cast(),
        )
    };
    if result != 0 {
        return Err(SandboxError::last_os_error(
            "mount of a scratch tmpfs on /tmp",
        ));
    }

    File::options()
        .write(true)
        .create_new(true)
        .mode(0o444)
        .open(COVER_FILE.to_str().expect("the cover path is ASCII"))
        .map_err(|cause| SandboxError::SystemCall {
            step: "creating the empty cover file".to_owned(),
            cause,
        })?;
    Ok(COVER_FILE)
}

/// mount(2) without a file system type or data, naming `step` in the error.
fn mount(
    source: Option<&CStr>,
    target: &CStr,
    flags: libc::c_ulong,
    step: &str,
) -> Result<(), SandboxError> {
    let source = source.map_or(std::ptr::null(), CStr::as_ptr);
    // SAFETY: source is null or a NUL-terminated string, target is NUL-terminated, both outlive
    // the call; a null type and data are allowed for bind, remount and propagation changes.
    let result = unsafe {
        libc::mount(
            source,
            target.as_ptr(),
            std::ptr::null(),
            flags,
            std::ptr::null(),
        )
    };
    if result != 0 {
        return Err(SandboxError::last_os_error(format!("mount ({step})")));
    }
    Ok(())
}

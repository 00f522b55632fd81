//! A seccomp filter that makes `getrandom(2)` fail with `ENOSYS` and allows everything else.
//!
//! `ENOSYS` ("no such system call") is what a kernel older than 3.17 returns, so libraries
//! take their "no getrandom here" path instead of treating it as a transient error.

use crate::error::SandboxError;

/// `AUDIT_ARCH_X86_64` from `<linux/audit.h>`: `EM_X86_64` (62) with the 64-bit and
/// little-endian flags. The `libc` crate does not export it.
const AUDIT_ARCH_X86_64: u32 = 0xC000_003E;

/// Set in the system call number of every x32-ABI call on an x86_64 kernel. Those calls report
/// the x86_64 architecture too, so the filter has to tell them apart by number.
const X32_SYSCALL_BIT: u32 = 0x4000_0000;

/// `getrandom` in the x86_64 system call table.
// TODO(an aarch64 machine in CI to test it on): accept AUDIT_ARCH_AARCH64 with getrandom 278;
// until then the tool refuses to run anywhere but x86_64.
const GETRANDOM_X86_64: u32 = 318;

/// Byte offsets of the fields of `struct seccomp_data` the filter reads.
const OFFSET_OF_NR: u32 = 0;
const OFFSET_OF_ARCH: u32 = 4;

// Classic BPF opcodes, built from the `libc` constants (`BPF_LD | BPF_W | BPF_ABS` etc.).
const LOAD_WORD: u16 = (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16;
const JUMP_IF_EQUAL: u16 = (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16;
const JUMP_IF_AT_LEAST: u16 = (libc::BPF_JMP | libc::BPF_JGE | libc::BPF_K) as u16;
const RETURN: u16 = (libc::BPF_RET | libc::BPF_K) as u16;

/// What the filter answers for `getrandom` (and for any x32 call).
pub(crate) const FAIL_WITH_ENOSYS: u32 = libc::SECCOMP_RET_ERRNO | libc::ENOSYS as u32;

/// Builds the filter program.
///
/// A call from another architecture (a 32-bit `int 0x80` call, say) kills the process: its
/// system call numbers mean other things, and letting them through would let `getrandom`
/// through under another number. x32 calls all fail with `ENOSYS`; nothing we run uses x32.
pub(crate) fn getrandom_filter() -> Vec<libc::sock_filter> {
    let statement = |code, k| libc::sock_filter {
        code,
        jt: 0,
        jf: 0,
        k,
    };
    let jump = |code, k, jt, jf| libc::sock_filter { code, jt, jf, k };
    vec![
        // 0: is this an x86_64 call? yes: go on to 2; no: 1.
        statement(LOAD_WORD, OFFSET_OF_ARCH),
        jump(JUMP_IF_EQUAL, AUDIT_ARCH_X86_64, 1, 0),
        statement(RETURN, libc::SECCOMP_RET_KILL_PROCESS),
        // 3: x32 calls and getrandom fail, everything else is allowed.
        statement(LOAD_WORD, OFFSET_OF_NR),
        jump(JUMP_IF_AT_LEAST, X32_SYSCALL_BIT, 2, 0),
        jump(JUMP_IF_EQUAL, GETRANDOM_X86_64, 1, 0),
        statement(RETURN, libc::SECCOMP_RET_ALLOW),
        statement(RETURN, FAIL_WITH_ENOSYS),
    ]
}

/// Installs [`getrandom_filter`] on this process; `execve` and `fork` pass it on and it can
/// never be removed.
pub(crate) fn deny_getrandom() -> Result<(), SandboxError> {
    // Without no_new_privs the kernel accepts a filter only from a process with CAP_SYS_ADMIN;
    // with it, a filtered process can never gain privileges through a set-uid program either.
    // SAFETY: PR_SET_NO_NEW_PRIVS takes plain integers and touches no memory of ours.
    if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
        return Err(SandboxError::last_os_error("prctl(PR_SET_NO_NEW_PRIVS)"));
    }

    let filter = getrandom_filter();
    let program = libc::sock_fprog {
        len: u16::try_from(filter.len()).expect("the filter has a handful of instructions"),
        filter: filter.as_ptr().cast_mut(),
    };
    // SAFETY: `program` points at `filter`, which lives until after the call; the kernel copies
    // the program and only reads it.
    let result = unsafe {
        libc::prctl(
            libc::PR_SET_SECCOMP,
            libc::SECCOMP_MODE_FILTER,
            &raw const program,
            0,
            0,
        )
    };
    if result != 0 {
        return Err(SandboxError::last_os_error("prctl(PR_SET_SECCOMP)"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the filter the way the kernel would on one system call, for the few opcodes it
    /// uses. Installing the real filter is the job of the integration tests; this checks the
    /// jump arithmetic for every kind of call.
    fn verdict(filter: &[libc::sock_filter], arch: u32, nr: u32) -> u32 {
        let mut accumulator = 0u32;
        let mut pc = 0usize;
        loop {
            let instruction = filter[pc];
            pc += 1;
            match instruction.code {
                LOAD_WORD => {
                    accumulator = match instruction.k {
                        OFFSET_OF_NR => nr,
                        OFFSET_OF_ARCH => arch,
                        other => panic!("the filter loads an unexpected offset {other}"),
                    }
                }
                JUMP_IF_EQUAL | JUMP_IF_AT_LEAST => {
                    let taken = if instruction.code == JUMP_IF_EQUAL {
                        accumulator == instruction.k
                    } else {
                        accumulator >= instruction.k
                    };
                    pc += usize::from(if taken {
                        instruction.jt
                    } else {
                        instruction.jf
                    });
                }
                RETURN => return instruction.k,
                other => panic!("the filter uses an opcode the test does not know: {other:#x}"),
            }
        }
    }

    #[test]
    fn getrandom_fails_with_enosys() {
        let filter = getrandom_filter();
        assert_eq!(verdict(&filter, AUDIT_ARCH_X86_64, 318), FAIL_WITH_ENOSYS);
        assert_eq!(GETRANDOM_X86_64, libc::SYS_getrandom as u32);
    }

    #[test]
    fn other_x86_64_calls_are_allowed() {
        let filter = getrandom_filter();
        for nr in [
            libc::SYS_read,
            libc::SYS_openat,
            libc::SYS_execve,
            libc::SYS_exit_group,
        ] {
            assert_eq!(
                verdict(&filter, AUDIT_ARCH_X86_64, nr as u32),
                libc::SECCOMP_RET_ALLOW
            );
        }
        // The neighbours of getrandom, to catch an off-by-one in the comparison.
        for nr in [GETRANDOM_X86_64 - 1, GETRANDOM_X86_64 + 1] {
            assert_eq!(
                verdict(&filter, AUDIT_ARCH_X86_64, nr),
                libc::SECCOMP_RET_ALLOW
            );
        }
    }

    #[test]
    fn x32_calls_fail_with_enosys() {
        let filter = getrandom_filter();
        let x32_getrandom = X32_SYSCALL_BIT | GETRANDOM_X86_64;
        assert_eq!(
            verdict(&filter, AUDIT_ARCH_X86_64, x32_getrandom),
            FAIL_WITH_ENOSYS
        );
        assert_eq!(
            verdict(&filter, AUDIT_ARCH_X86_64, X32_SYSCALL_BIT),
            FAIL_WITH_ENOSYS
        );
    }

    #[test]
    fn calls_from_another_architecture_kill_the_process() {
        const AUDIT_ARCH_I386: u32 = 0x4000_0003;
        let filter = getrandom_filter();
        // 355 is getrandom in the i386 table; 3 is read, which must not slip through either.
        for nr in [355, 3] {
            assert_eq!(
                verdict(&filter, AUDIT_ARCH_I386, nr),
                libc::SECCOMP_RET_KILL_PROCESS
            );
        }
    }
}

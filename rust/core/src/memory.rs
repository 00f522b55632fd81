//! Memory for the collector: the noise buffer of the memory-access loop, its size from the cache
//! size, and page locking (`mlock`) for the secret state.

use std::fs;

use zeroize::Zeroize;

/// Bytes in a page on the platforms we build for; used to give secret state pages of its own.
#[cfg(test)]
pub(crate) const PAGE_SIZE: usize = 4096;

/// Locks `len` bytes at `ptr` into memory. Returns the errno on failure.
fn lock(ptr: *const u8, len: usize) -> Result<(), i32> {
    // SAFETY: mlock only changes the residency of the pages; it reads no memory. The caller passes
    // the address and length of a live allocation it owns.
    let rc = unsafe { libc::mlock(ptr.cast(), len) };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error().raw_os_error().unwrap_or(0))
    }
}

/// Unlocks pages locked by [`lock`].
fn unlock(ptr: *const u8, len: usize) {
    // SAFETY: as for mlock; unlocking pages of a live allocation we locked ourselves.
    let _ = unsafe { libc::munlock(ptr.cast(), len) };
}

/// Types whose all-zero bit pattern is a valid value, so that their memory can be wiped byte by
/// byte, padding included, and the wiped value still dropped normally.
///
/// # Safety
/// An implementation promises that every field, recursively, is valid when all its bytes are
/// zero (integers, bools, arrays of them) and that dropping such a zeroed value is sound.
pub(crate) unsafe trait ZeroBytesValid {}

// SAFETY: an array of bytes is valid with any contents.
unsafe impl<const N: usize> ZeroBytesValid for [u8; N] {}

/// Secret state on pages of its own, locked into memory where the system allows it, wiped on drop
/// byte for byte: `Zeroize` clears the fields, but padding bytes copied in from the stack when
/// the value was boxed would survive it.
pub(crate) struct Locked<T: Zeroize + ZeroBytesValid> {
    inner: Box<PageAligned<T>>,
    lock_errno: Option<i32>,
}

/// Page alignment gives the value pages that nothing else shares, so locking and unlocking them
/// cannot affect other allocations.
#[repr(C, align(4096))]
struct PageAligned<T>(T);

impl<T: Zeroize + ZeroBytesValid> Locked<T> {
    /// Boxes `value` on its own pages and tries to lock them.
    pub(crate) fn new(value: T) -> Self {
        let inner = Box::new(PageAligned(value));
        let ptr: *const PageAligned<T> = &*inner;
        let lock_errno = lock(ptr.cast(), size_of::<PageAligned<T>>()).err();
        Self { inner, lock_errno }
    }

    /// Whether the pages are locked.
    pub(crate) fn is_locked(&self) -> bool {
        self.lock_errno.is_none()
    }

    /// The errno of a failed lock.
    pub(crate) fn lock_errno(&self) -> Option<i32> {
        self.lock_errno
    }

    #[cfg(test)]
    pub(crate) fn get(&self) -> &T {
        &self.inner.0
    }

    pub(crate) fn get_mut(&mut self) -> &mut T {
        &mut self.inner.0
    }
}

impl<T: Zeroize + ZeroBytesValid> Drop for Locked<T> {
    fn drop(&mut self) {
        self.inner.0.zeroize();
        let ptr: *mut PageAligned<T> = &mut *self.inner;
        // SAFETY: ptr is the live box we own exclusively, size_of::<PageAligned<T>>() bytes long;
        // T is ZeroBytesValid, so the zeroed bytes are a valid value that the box then drops.
        unsafe { std::ptr::write_bytes(ptr.cast::<u8>(), 0, size_of::<PageAligned<T>>()) };
        if self.lock_errno.is_none() {
            unlock(ptr.cast_const().cast(), size_of::<PageAligned<T>>());
        }
    }
}

/// The buffer the memory-access noise source walks through. Its contents never reach the output;
/// it is locked like the C library's so that page faults do not distort the timing.
pub(crate) struct NoiseBuffer {
    bytes: Vec<u8>,
    lock_errno: Option<i32>,
}

impl NoiseBuffer {
    /// A zeroed buffer of `size` bytes (a power of two).
    pub(crate) fn new(size: usize) -> Self {
        let bytes = vec![0u8; size];
        let lock_errno = lock(bytes.as_ptr(), bytes.len()).err();
        Self { bytes, lock_errno }
    }

    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }

    pub(crate) fn is_locked(&self) -> bool {
        self.lock_errno.is_none()
    }

    pub(crate) fn lock_errno(&self) -> Option<i32> {
        self.lock_errno
    }

    pub(crate) fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.bytes
    }
}

impl Drop for NoiseBuffer {
    fn drop(&mut self) {
        self.bytes.zeroize();
        if self.lock_errno.is_none() {
            unlock(self.bytes.as_ptr(), self.bytes.len());
        }
    }
}

/// Sizes of the data and unified caches of CPU 0 from sysfs, as (level, bytes) pairs.
pub(crate) fn cache_sizes() -> Vec<(u32, u64)> {
    let mut sizes = Vec::new();
    for index in 0..8 {
        let dir = format!("/sys/devices/system/cpu/cpu0/cache/index{index}");
        let Ok(kind) = fs::read_to_string(format!("{dir}/type")) else {
            continue;
        };
        let kind = kind.trim();
        if kind != "Data" && kind != "Unified" {
            continue;
        }
        let level = fs::read_to_string(format!("{dir}/level"))
            .ok()
            .and_then(|text| text.trim().parse::<u32>().ok());
        let size = fs::read_to_string(format!("{dir}/size"))
            .ok()
            .and_then(|text| parse_size(&text));
        if let (Some(level), Some(size)) = (level, size) {
            sizes.push((level, size));
        }
    }
    sizes
}

fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let (digits, scale) = match text.as_bytes().last()? {
        b'K' => (&text[..text.len() - 1], 1024),
        b'M' => (&text[..text.len() - 1], 1024 * 1024),
        b'G' => (&text[..text.len() - 1], 1024 * 1024 * 1024),
        _ => (text, 1),
    };
    digits.parse::<u64>().ok().map(|value| value * scale)
}

/// The cache size the buffer is sized from: L1 data only, or L1+L2+L3 with `cache_all`; 0 if
/// unknown.
pub(crate) fn relevant_cache_size(cache_all: bool) -> u64 {
    cache_sizes()
        .into_iter()
        .filter(|&(level, _)| if cache_all { level <= 3 } else { level == 1 })
        .map(|(_, size)| size)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!(parse_size("32K\n"), Some(32 * 1024));
        assert_eq!(parse_size("8M"), Some(8 * 1024 * 1024));
        assert_eq!(parse_size("512"), Some(512));
        assert_eq!(parse_size("x"), None);
    }

    #[test]
    fn locked_state_is_wiped_on_drop_and_page_aligned() {
        let locked = Locked::new([0xa5u8; 64]);
        let ptr: *const PageAligned<[u8; 64]> = &*locked.inner;
        assert_eq!(ptr as usize % PAGE_SIZE, 0);
        assert_eq!(locked.get()[0], 0xa5);
    }
}

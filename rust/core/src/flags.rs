//! The flag bits of the C API (`jent_entropy_collector_alloc(osr, flags)`), same values.

/// No memory-access noise source and no buffer.
pub const DISABLE_MEMORY_ACCESS: u32 = 4;
/// Use the internal counting-thread timer.
pub const FORCE_INTERNAL_TIMER: u32 = 8;
/// Never fall back to the internal timer.
pub const DISABLE_INTERNAL_TIMER: u32 = 16;
/// FIPS behaviour: report health failures, safety factor, two-stage start-up.
pub const FORCE_FIPS: u32 = 32;
/// NTG.1 (AIS 20/31): FIPS behaviour with 8-fold stricter cutoffs, no internal timer.
pub const NTG1: u32 = 64;
/// Size the buffer from L1 + L2 + L3 instead of L1 alone.
pub const CACHE_ALL: u32 = 128;

/// Shift of the memory-size field (bits 27..=31): value v >= 1 means 2^(v + 9) bytes.
pub const MEMSIZE_SHIFT: u32 = 27;
/// Largest memory-size field value: 512 MiB.
pub const MEMSIZE_MAX: u32 = 20;
/// Added to the memory-size field to get log2 of the buffer size.
pub const MEMSIZE_OFFSET: u32 = 9;
/// Shift of the hash-loop field (bits 24..=26): v = 0 means 1 iteration, else 2^v.
pub const HASHLOOP_SHIFT: u32 = 24;
/// Largest hash-loop field value: 128 iterations.
pub const HASHLOOP_MAX: u32 = 7;

/// log2 of the buffer size when the cache size is unknown (256 KiB).
const DEFAULT_MEMORY_BITS: u32 = 18;

/// The memory-size field of `flags`.
pub const fn memsize_field(flags: u32) -> u32 {
    flags >> MEMSIZE_SHIFT
}

/// The hash-loop field of `flags`.
pub const fn hashloop_field(flags: u32) -> u32 {
    (flags >> HASHLOOP_SHIFT) & 0x7
}

/// `flags` with the memory-size field replaced.
pub const fn with_memsize_field(flags: u32, field: u32) -> u32 {
    (flags & !(u32::MAX << MEMSIZE_SHIFT)) | (field << MEMSIZE_SHIFT)
}

/// `flags` with the hash-loop field replaced.
pub const fn with_hashloop_field(flags: u32, field: u32) -> u32 {
    (flags & !(0x7 << HASHLOOP_SHIFT)) | (field << HASHLOOP_SHIFT)
}

/// Buffer size in bytes for `flags` (C: `jent_memsize`).
pub const fn memory_size(flags: u32) -> usize {
    let field = memsize_field(flags);
    let bits = if field == 0 {
        DEFAULT_MEMORY_BITS
    } else {
        field + MEMSIZE_OFFSET
    };
    1usize << bits
}

/// Hash-loop iterations for `flags` (C: `jent_hashloop_cnt`).
pub const fn hash_loop_count(flags: u32) -> u64 {
    let field = hashloop_field(flags);
    if field == 0 { 1 } else { 1 << field }
}

/// C: `jent_update_memsize`. A zero field is computed from the cache size: the smallest power of
/// two strictly above it, times 4 unless `CACHE_ALL`; otherwise the field grows by `increment`.
pub(crate) fn update_memsize(flags: u32, increment: u32, cache_size: u64) -> u32 {
    let mut field = memsize_field(flags);
    if field == 0 {
        let rounded = if cache_size == 0 {
            0
        } else {
            (cache_size + 1).next_power_of_two()
        };
        let mut bits = if rounded == 0 {
            0
        } else {
            rounded.trailing_zeros()
        };
        if bits == 0 {
            bits = DEFAULT_MEMORY_BITS;
        } else if flags & CACHE_ALL == 0 {
            bits += 2;
        }
        field = bits.saturating_sub(MEMSIZE_OFFSET);
    } else {
        field += increment;
    }
    with_memsize_field(flags, field.min(MEMSIZE_MAX))
}

/// C: `jent_update_hashloop`: grows the hash-loop field by `increment`, capped at 128 loops.
pub(crate) fn update_hashloop(flags: u32, increment: u32) -> u32 {
    let field = (hashloop_field(flags) + increment).min(HASHLOOP_MAX);
    with_hashloop_field(flags, field)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_size_from_a_32k_l1_is_256k() {
        let flags = update_memsize(0, 0, 32 * 1024);
        assert_eq!(memory_size(flags), 256 * 1024);
        assert_eq!(memory_size(update_memsize(0, 0, 0)), 256 * 1024);
        assert_eq!(
            memory_size(update_memsize(CACHE_ALL, 0, 32 * 1024 * 1024)),
            64 << 20
        );
    }

    #[test]
    fn fields_grow_and_cap() {
        let flags = with_memsize_field(0, 19);
        assert_eq!(memsize_field(update_memsize(flags, 1, 0)), 20);
        assert_eq!(
            memsize_field(update_memsize(with_memsize_field(0, 20), 1, 0)),
            20
        );
        assert_eq!(hash_loop_count(update_hashloop(0, 1)), 2);
        assert_eq!(
            hash_loop_count(update_hashloop(with_hashloop_field(0, 7), 1)),
            128
        );
        assert_eq!(hash_loop_count(33554432), 4);
    }
}

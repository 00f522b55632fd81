//! One entropy collector (`struct rand_data` of the C library): noise sources, per-sample
//! processing, block collection and output.
//!
//! The noise loops are deliberately wasteful: their execution time is the noise. They are
//! `#[inline(never)]` and their results are absorbed into the pool, so the optimiser cannot drop
//! or merge the measured work. Any change here means re-running the raw-noise assessment
//! (`jent raw` + `jent assess`).

use std::hint::black_box;
use std::sync::Arc;

use zeroize::Zeroize;

use crate::flags;
use crate::health::{self, Cutoffs, HealthState};
use crate::keccak::{RATE, Sponge};
use crate::memory::{Locked, NoiseBuffer};
use crate::timer::{InternalTimer, TimeSource};
use crate::xdrbg::{BLOCK_SIZE, Pool};

/// Memory-access loop iterations per normal sample.
const MEMORY_ACCESS_LOOPS: u64 = 128;
/// Multiplier of the loop counts in the FIPS/NTG.1 start-up stages, where each noise source is
/// sampled alone.
const STARTUP_LOOP_FACTOR: u64 = 3;
/// Step of the deterministic memory walk, minus one, so that every byte is hit evenly.
const MEMORY_BLOCK_SIZE: usize = 128;
/// Added to (256 * osr) in FIPS mode: the safety factor of SP 800-90C for full entropy output.
const ENTROPY_SAFETY_FACTOR: u32 = 64 + 1;

/// Initial state of the xoshiro128** generator that picks memory locations.
const XOSHIRO_SEED: [u32; 4] = [0x8e93eec0, 0xce65608a, 0xa8d46b46, 0xe83cef69];

/// Domain separation bytes of the pool records.
const DOMAIN_STARTUP_MEMORY: u8 = 0x01;
const DOMAIN_STARTUP_SHA3: u8 = 0x02;
const DOMAIN_NORMAL: u8 = 0x03;

/// Observes every stuck-test evaluation; used by the known-answer tests and raw-noise capture.
/// Implementations must not influence the collector.
pub trait Probe: Send + Sync {
    /// Called once a sample's stuck test and health tests completed (after any RCT-with-memory
    /// recovery it triggered), with the delta after GCD division and the collector's latched
    /// failure bits.
    fn sample_evaluated(&self, delta: u64, stuck: bool, failures: u32);
}

/// Where a FIPS/NTG.1 collector is in its two-stage start-up.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(crate) enum Startup {
    Completed,
    Sha3,
    Memory,
}

/// Secret state: the pool. It lives on locked pages of its own.
#[derive(Clone)]
pub(crate) struct Secret {
    pub(crate) pool: Pool,
}

impl Zeroize for Secret {
    fn zeroize(&mut self) {
        self.pool.wipe();
    }
}

// SAFETY: the pool is a Keccak state ([u64; 25]), a usize position and a bool; all-zero bytes are
// the empty, unseeded pool, and dropping it only resets that state again.
unsafe impl crate::memory::ZeroBytesValid for Secret {}

/// An entropy collector. Not `Clone`, not `Copy`, and its `Debug` shows no state.
pub struct Collector {
    pub(crate) osr: u32,
    pub(crate) flags: u32,
    pub(crate) fips_enabled: bool,
    pub(crate) startup: Startup,
    pub(crate) memory: Option<NoiseBuffer>,
    memory_location: usize,
    pub(crate) hash_loop_count: u64,
    pub(crate) gcd: u64,
    pub(crate) prev_time: u64,
    pub(crate) secret: Locked<Secret>,
    pub(crate) health: HealthState,
    pub(crate) max_memory_set: bool,
    timer: Box<dyn TimeSource>,
    pub(crate) internal_timer: Option<InternalTimer>,
    probe: Option<Arc<dyn Probe>>,
    /// Whether every read ends with an output-less generate step (backtracking resistance for
    /// builds whose pool memory is not secure).
    pub(crate) backtracking_generate: bool,
}

impl std::fmt::Debug for Collector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Collector").finish_non_exhaustive()
    }
}

/// How many non-stuck samples one 256-bit block needs: (256 + safety) * osr rounded up to a
/// multiple of 3 (the RCT with memory counts every third position).
pub(crate) fn samples_per_block(osr: u32, fips_enabled: bool) -> u32 {
    let safety = if fips_enabled {
        ENTROPY_SAFETY_FACTOR
    } else {
        0
    };
    ((crate::DATA_SIZE_BITS + safety) * osr).div_ceil(3) * 3
}

impl Collector {
    /// A collector with everything set but the start-up, which the caller drives.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        osr: u32,
        flags: u32,
        fips_enabled: bool,
        memory: Option<NoiseBuffer>,
        hash_loop_count: u64,
        gcd: u64,
        timer: Box<dyn TimeSource>,
        probe: Option<Arc<dyn Probe>>,
    ) -> Self {
        let cutoffs = if flags & flags::NTG1 != 0 {
            Cutoffs::Ntg1
        } else {
            Cutoffs::Common
        };
        Self {
            osr,
            flags,
            fips_enabled,
            startup: if fips_enabled {
                Startup::Memory
            } else {
                Startup::Completed
            },
            memory,
            memory_location: 0,
            hash_loop_count,
            gcd,
            prev_time: 0,
            secret: Locked::new(Secret { pool: Pool::new() }),
            health: HealthState::new(osr, cutoffs),
            max_memory_set: false,
            timer,
            internal_timer: None,
            probe,
            backtracking_generate: false,
        }
    }

    fn cutoffs(&self) -> Cutoffs {
        if self.flags & flags::NTG1 != 0 {
            Cutoffs::Ntg1
        } else {
            Cutoffs::Common
        }
    }

    /// The failure bits as the caller sees them: only FIPS/NTG.1 collectors report failures.
    pub(crate) fn reported_failures(&self) -> u32 {
        if self.fips_enabled {
            self.health.failures
        } else {
            0
        }
    }

    /// Starts the internal timer's thread if this collector uses it (C: `jent_notime_settick`).
    pub(crate) fn start_internal_timer(&mut self) -> bool {
        match self.internal_timer.as_mut() {
            Some(timer) => timer.start(),
            None => true,
        }
    }

    /// Stops the internal timer's thread (C: `jent_notime_unsettick`).
    pub(crate) fn stop_internal_timer(&mut self) {
        if let Some(timer) = self.internal_timer.as_mut() {
            timer.stop();
        }
    }

    #[inline(always)]
    fn read_time(&mut self) -> u64 {
        match self.internal_timer.as_mut() {
            Some(timer) => timer.now(),
            None => self.timer.now(),
        }
    }

    /// Pseudorandom memory access (the noise source of every normal sample): 16 time stamps seed
    /// xoshiro128**, whose outputs pick the bytes to increment.
    #[inline(never)]
    fn memory_access_pseudorandom(&mut self) {
        if self.memory.is_none() {
            return;
        }

        // Mix the low byte of 16 time stamps into the generator state, in memory byte order.
        let mut state = XOSHIRO_SEED;
        for i in 0..16 {
            let stamp = self.read_time();
            state[i / 4] ^= u32::from(stamp as u8) << (8 * (i % 4));
        }

        let Some(memory) = self.memory.as_mut() else {
            return;
        };
        let mask = memory.len() - 1;
        let bytes = memory.bytes_mut();
        for _ in 0..MEMORY_ACCESS_LOOPS {
            let location = xoshiro128starstar(&mut state) as usize & mask;
            bytes[location] = bytes[location].wrapping_add(1);
        }
        black_box(bytes);
        state.zeroize();
    }

    /// Deterministic memory walk (the start-up memory stage): its execution time, divided by the
    /// GCD, is the sample. Without a buffer there is no work and no time stamp: the delta is 0.
    #[inline(never)]
    fn memory_access_deterministic(&mut self, loops: u64) -> u64 {
        if self.memory.is_none() {
            return 0;
        }
        let start = self.read_time();

        let Some(memory) = self.memory.as_mut() else {
            return 0;
        };
        let size = memory.len();
        let bytes = memory.bytes_mut();
        let mut location = self.memory_location;
        for _ in 0..loops {
            bytes[location] = bytes[location].wrapping_add(1);
            location = (location + MEMORY_BLOCK_SIZE - 1) % size;
        }
        black_box(bytes);
        self.memory_location = location;

        let end = self.read_time();
        end.wrapping_sub(start) / self.gcd
    }

    /// The hash loop: `count` chained SHA3-256 computations over the previous digest, the
    /// health-test state and the loop index. The digest is absorbed into the pool so that the
    /// loop cannot be optimised away; it carries no entropy of its own.
    #[inline(never)]
    fn hash_loop(&self, count: u64) -> [u8; 32] {
        let fields = self.health.hashed_fields();
        let mut digest = [0u8; 32];
        let mut sponge = Sponge::new();
        for j in 0..count {
            sponge.absorb(&digest);
            sponge.absorb(&fields);
            sponge.absorb(&j.to_le_bytes());
            sponge.finish_sha3_256(&mut digest);
        }
        black_box(&digest);
        digest
    }

    /// Absorbs one 136-byte record: delta, domain byte, digest, zeros.
    fn absorb_record(&mut self, delta: u64, domain: u8, digest: &[u8; 32]) {
        let mut record = [0u8; RATE];
        record[0..8].copy_from_slice(&delta.to_le_bytes());
        record[8] = domain;
        record[9..41].copy_from_slice(digest);
        self.secret.get_mut().pool.absorb(&record);
        record.zeroize();
    }

    /// Stuck test and health tests for one sample, including the RCT-with-memory recovery.
    fn evaluate(&mut self, delta: u64) -> bool {
        let stuck = self.health.stuck_and_tests(delta);

        if self.health.rct_memory(stuck) {
            // Recovery: collect extra blocks into the pool before the test may fail.
            self.health.set_recovery(true);
            for _ in 0..health::RCT_MEMORY_RECOVERY_BLOCKS {
                self.collect_block();
            }
            self.health.set_recovery(false);
        }
        self.health.rct_memory_finish();

        if let Some(probe) = &self.probe {
            probe.sample_evaluated(delta, stuck, self.health.failures);
        }
        stuck
    }

    /// One normal sample: memory access, time stamp, health tests, hash loop, absorb. Returns
    /// (stuck, delta after GCD division).
    pub(crate) fn measure(&mut self) -> (bool, u64) {
        self.memory_access_pseudorandom();

        let now = self.read_time();
        let delta = now.wrapping_sub(self.prev_time) / self.gcd;
        self.prev_time = now;

        let stuck = self.evaluate(delta);
        let mut digest = self.hash_loop(self.hash_loop_count);
        self.absorb_record(delta, DOMAIN_NORMAL, &digest);
        digest.zeroize();
        (stuck, delta)
    }

    /// One sample of the start-up memory stage.
    fn measure_startup_memory(&mut self) -> bool {
        let loops = MEMORY_ACCESS_LOOPS * STARTUP_LOOP_FACTOR;
        let delta = self.memory_access_deterministic(loops);
        let stuck = self.evaluate(delta);
        self.absorb_record(delta, DOMAIN_STARTUP_MEMORY, &[0u8; 32]);
        stuck
    }

    /// One sample of the start-up SHA-3 stage: only the hash loop is timed, and it hashes the
    /// health state as it was before this sample's tests.
    fn measure_startup_sha3(&mut self) -> bool {
        self.prev_time = self.read_time();
        let mut digest = self.hash_loop(self.hash_loop_count * STARTUP_LOOP_FACTOR);
        let now = self.read_time();
        let delta = now.wrapping_sub(self.prev_time) / self.gcd;

        let stuck = self.evaluate(delta);
        self.absorb_record(delta, DOMAIN_STARTUP_SHA3, &digest);
        digest.zeroize();
        stuck
    }

    /// Collects samples until a block has enough non-stuck ones or a failure is reported.
    fn collect_samples(&mut self, sample: fn(&mut Self) -> bool) {
        let nosr = samples_per_block(self.osr, self.fips_enabled);
        if !self.health.start_block(nosr as u16) {
            return;
        }
        let mut counted = 0u32;
        while self.reported_failures() == 0 {
            if sample(self) {
                // Stuck samples were tested and absorbed, but do not count.
                continue;
            }
            counted += 1;
            if counted >= nosr {
                break;
            }
        }
    }

    /// Collects one block (C: `jent_random_data`): in FIPS/NTG.1 the first call runs the two
    /// start-up stages, each source sampled alone; later calls take a priming sample and then
    /// normal samples.
    pub(crate) fn collect_block(&mut self) {
        match self.startup {
            Startup::Memory => {
                self.collect_samples(Self::measure_startup_memory);
                self.health.init(self.osr, self.cutoffs());
                self.startup = Startup::Sha3;
                self.collect_samples(Self::measure_startup_sha3);
                self.health.init(self.osr, self.cutoffs());
                self.startup = Startup::Completed;
            }
            Startup::Sha3 => {
                self.collect_samples(Self::measure_startup_sha3);
                self.health.init(self.osr, self.cutoffs());
                self.startup = Startup::Completed;
            }
            Startup::Completed => {
                // The priming sample sets prev_time; its stuck result is ignored.
                self.measure();
                self.collect_samples(|collector| collector.measure().0);
            }
        }
    }

    /// `jent_read_entropy`: fills `out` block by block and returns its length, or the C
    /// library's negative code. On error, blocks produced before are already in `out`; callers
    /// that must not leak partial output use a scratch buffer.
    pub(crate) fn read_entropy(&mut self, out: &mut [u8]) -> isize {
        if !self.start_internal_timer() {
            return -4;
        }
        let code = self.read_blocks(out);
        self.stop_internal_timer();
        code
    }

    fn read_blocks(&mut self, out: &mut [u8]) -> isize {
        for chunk in out.chunks_mut(BLOCK_SIZE) {
            self.collect_block();
            let failures = self.reported_failures();
            if failures != 0 {
                return read_error_code(failures);
            }
            self.secret.get_mut().pool.generate(chunk);
        }
        if self.backtracking_generate {
            self.secret.get_mut().pool.generate(&mut []);
        }
        out.len() as isize
    }

    /// The oversampling rate in use.
    pub fn osr(&self) -> u32 {
        self.osr
    }

    /// Whether this collector reports health failures (FIPS or NTG.1 mode).
    pub fn fips_enabled(&self) -> bool {
        self.fips_enabled
    }

    /// Bytes of the memory-access buffer (0 without one).
    pub fn memory_size(&self) -> usize {
        self.memory.as_ref().map_or(0, NoiseBuffer::len)
    }

    /// Hash-loop iterations per normal sample.
    pub fn hash_loop_count(&self) -> u64 {
        self.hash_loop_count
    }

    /// The timer GCD this collector divides deltas by.
    pub fn gcd(&self) -> u64 {
        self.gcd
    }

    /// Latched health-failure bits (reported or not).
    pub fn health_failures(&self) -> u32 {
        self.health.failures()
    }

    /// Whether the pool lives on locked pages.
    pub(crate) fn pool_locked(&self) -> bool {
        self.secret.is_locked()
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        self.stop_internal_timer();
        self.health.wipe();
        self.prev_time = 0;
        // The pool and the noise buffer wipe themselves when their owners drop.
    }
}

/// Maps latched failure bits to the read error code, in the C library's priority order.
pub(crate) fn read_error_code(failures: u32) -> isize {
    use health::{APT_FAILURE, LAG_FAILURE, PERMANENT_SHIFT, RCT_FAILURE, RCT_MEMORY_FAILURE};
    if failures & (RCT_FAILURE << PERMANENT_SHIFT) != 0 {
        -6
    } else if failures & (APT_FAILURE << PERMANENT_SHIFT) != 0 {
        -7
    } else if failures & (LAG_FAILURE << PERMANENT_SHIFT) != 0 {
        -8
    } else if failures & (RCT_MEMORY_FAILURE << PERMANENT_SHIFT) != 0 {
        -10
    } else if failures & RCT_FAILURE != 0 {
        -2
    } else if failures & APT_FAILURE != 0 {
        -3
    } else if failures & RCT_MEMORY_FAILURE != 0 {
        -9
    } else {
        -5
    }
}

/// One step of xoshiro128** (Blackman and Vigna).
#[inline(always)]
fn xoshiro128starstar(state: &mut [u32; 4]) -> u32 {
    let result = state[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
    let t = state[1] << 9;
    state[2] ^= state[0];
    state[3] ^= state[1];
    state[1] ^= state[2];
    state[0] ^= state[3];
    state[2] ^= t;
    state[3] = state[3].rotate_left(11);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_per_block_matches_the_spec_table() {
        assert_eq!(samples_per_block(3, false), 768);
        assert_eq!(samples_per_block(3, true), 963);
        assert_eq!(samples_per_block(4, false), 1026);
        assert_eq!(samples_per_block(20, true), 6420);
        assert_eq!(samples_per_block(19, false), 4866);
    }

    #[test]
    fn read_error_priority_prefers_permanent_failures() {
        assert_eq!(
            read_error_code(health::RCT_FAILURE | (health::APT_FAILURE << 16)),
            -7
        );
        assert_eq!(
            read_error_code(health::RCT_FAILURE | health::APT_FAILURE),
            -2
        );
        assert_eq!(read_error_code(health::LAG_FAILURE), -5);
        assert_eq!(read_error_code(health::RCT_MEMORY_FAILURE << 16), -10);
    }
}

//! The entropy pool: a SHAKE256 sponge conditioned by one XDRBG-256 generate step per block.
//!
//! Every sample absorbs one 136-byte record. A generate step finishes the seeding,
//!   V  = SHAKE256(V' || records || encode_byte, 64)        (encode_byte 0x00 first, then 0x55)
//!   T  = SHAKE256(V || 0xAA, 96),  V' = T[0..64),  output = T[64..96)
//! and absorbs V' so that it prefixes the next block's seed material. This is XDRBG-256 with an
//! empty additional input; the encode bytes are 85 * n (n = 0 initial seed, 1 reseed, 2 generate).

use zeroize::Zeroize;

use crate::keccak::Sponge;

/// Size of the XDRBG-256 state V in bytes.
const STATE_SIZE: usize = 64;

/// Bytes one generate step can return.
pub(crate) const BLOCK_SIZE: usize = 32;

/// XDRBG encoding byte: 85 * n for the step n.
const fn encode(step: u8) -> u8 {
    85 * step
}

/// The SHAKE256 pool with its XDRBG generate step.
#[derive(Clone)]
pub(crate) struct Pool {
    sponge: Sponge,
    /// Whether the first generate step (the instantiation) has run.
    seeded: bool,
}

impl Pool {
    /// An empty, unseeded pool.
    pub(crate) const fn new() -> Self {
        Self {
            sponge: Sponge::new(),
            seeded: false,
        }
    }

    /// Absorbs seed material (a sample record).
    pub(crate) fn absorb(&mut self, data: &[u8]) {
        self.sponge.absorb(data);
    }

    /// One XDRBG-256 generate step writing `out.len()` (at most 32) bytes; `out` may be empty,
    /// which still advances the state (the backtracking-resistance step of 3.7.0).
    pub(crate) fn generate(&mut self, out: &mut [u8]) {
        debug_assert!(out.len() <= BLOCK_SIZE);
        let mut block = [0u8; STATE_SIZE + BLOCK_SIZE];

        // Finish seeding: V = XOF(encode(V' || seed, 0 or 1), 64).
        let step = if self.seeded { 1 } else { 0 };
        self.seeded = true;
        self.sponge.absorb(&[encode(step)]);
        self.sponge.finish_shake256(&mut block[..STATE_SIZE]);

        // Generate: T = XOF(encode(V, 2), 96); V' = T[..64], output = T[64..].
        self.sponge.absorb(&block[..STATE_SIZE]);
        self.sponge.absorb(&[encode(2)]);
        self.sponge.finish_shake256(&mut block);
        let take = out.len().min(BLOCK_SIZE);
        out[..take].copy_from_slice(&block[STATE_SIZE..STATE_SIZE + take]);

        // Reseed prefix: V' starts the next seed.
        self.sponge.absorb(&block[..STATE_SIZE]);
        block.zeroize();
    }

    /// Whether the sponge state is all zero (used by the wipe test).
    #[cfg(test)]
    pub(crate) fn is_wiped(&self) -> bool {
        self.sponge.is_wiped()
    }

    /// Wipes the pool.
    pub(crate) fn wipe(&mut self) {
        self.sponge.reset();
        self.seeded = false;
    }
}

/// The XDRBG-256 known-answer self test of jitterentropy 3.7.0 (seed 00..08, instantiate and
/// generate, reseed and generate).
pub(crate) fn xdrbg_self_test() -> bool {
    const SEED: [u8; 9] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
    const EXPECTED: [u8; 32] = [
        0x51, 0xe4, 0x3c, 0xf6, 0x4b, 0xa2, 0x80, 0x77, 0x33, 0x1a, 0x47, 0xe3, 0xf8, 0xb4, 0x1a,
        0x42, 0xad, 0xd3, 0xa0, 0xf2, 0x53, 0x97, 0x10, 0xdd, 0x6e, 0xa1, 0x16, 0x1d, 0x37, 0x8a,
        0x6f, 0xb6,
    ];
    let mut pool = Pool::new();
    let mut out = [0u8; 32];
    pool.absorb(&SEED);
    pool.generate(&mut out);
    pool.absorb(&SEED);
    pool.generate(&mut out);
    out == EXPECTED
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answer_matches() {
        assert!(xdrbg_self_test());
    }

    #[test]
    fn wipe_clears_the_sponge() {
        let mut pool = Pool::new();
        pool.absorb(&[7u8; 300]);
        let mut out = [0u8; 32];
        pool.generate(&mut out);
        assert!(!pool.is_wiped());
        pool.wipe();
        assert!(pool.is_wiped());
    }
}

//! SHA3-256 and SHAKE256 (FIPS 202) on the Keccak-f[1600] permutation.
//!
//! Both functions have a rate of 136 bytes; only the domain padding differs. The sponge is
//! written here rather than taken from a hashing crate so that its state can be wiped on drop and
//! so that the exact absorb/squeeze sequence of jitterentropy 3.7.0 is visible in one place. The
//! permutation itself comes from the `keccak` crate. Known-answer self tests run at start-up.

use zeroize::Zeroize;

/// The rate of SHA3-256 and SHAKE256 in bytes.
pub(crate) const RATE: usize = 136;

/// Domain padding of SHA3 (FIPS 202 §6.1: suffix `01`, then pad10*1).
const SHA3_PAD: u8 = 0x06;

/// Domain padding of SHAKE (FIPS 202 §6.2: suffix `1111`, then pad10*1).
const SHAKE_PAD: u8 = 0x1f;

/// A Keccak sponge with rate 136 that absorbs bytes and squeezes once.
#[derive(Clone)]
pub(crate) struct Sponge {
    state: [u64; 25],
    /// Bytes absorbed into the current block.
    position: usize,
}

impl Sponge {
    /// An empty sponge.
    pub(crate) const fn new() -> Self {
        Self {
            state: [0; 25],
            position: 0,
        }
    }

    /// Absorbs `data`, permuting whenever a full block has been taken in.
    pub(crate) fn absorb(&mut self, data: &[u8]) {
        for &byte in data {
            self.xor_byte(self.position, byte);
            self.position += 1;
            if self.position == RATE {
                keccak::f1600(&mut self.state);
                self.position = 0;
            }
        }
    }

    /// Pads with `pad`, squeezes `out.len()` bytes and resets the sponge to empty.
    fn finish(&mut self, pad: u8, out: &mut [u8]) {
        self.xor_byte(self.position, pad);
        self.xor_byte(RATE - 1, 0x80);
        keccak::f1600(&mut self.state);

        let mut offset = 0;
        for chunk in out.chunks_mut(RATE) {
            if offset > 0 {
                keccak::f1600(&mut self.state);
            }
            for (i, byte) in chunk.iter_mut().enumerate() {
                *byte = self.byte(i);
            }
            offset += chunk.len();
        }
        self.reset();
    }

    /// Finishes as SHA3-256 into `digest` and resets.
    pub(crate) fn finish_sha3_256(&mut self, digest: &mut [u8; 32]) {
        self.finish(SHA3_PAD, digest);
    }

    /// Finishes as SHAKE256, squeezing `out.len()` bytes, and resets.
    pub(crate) fn finish_shake256(&mut self, out: &mut [u8]) {
        self.finish(SHAKE_PAD, out);
    }

    /// Wipes the state back to the empty sponge.
    pub(crate) fn reset(&mut self) {
        self.state.zeroize();
        self.position = 0;
    }

    fn xor_byte(&mut self, index: usize, byte: u8) {
        self.state[index / 8] ^= u64::from(byte) << (8 * (index % 8));
    }

    fn byte(&self, index: usize) -> u8 {
        self.state[index / 8].to_le_bytes()[index % 8]
    }

    /// Whether every state word is zero (used by the wipe test).
    #[cfg(test)]
    pub(crate) fn is_wiped(&self) -> bool {
        self.state.iter().all(|&word| word == 0) && self.position == 0
    }
}

impl Drop for Sponge {
    fn drop(&mut self) {
        self.reset();
    }
}

/// SHA3-256 of `message`.
pub(crate) fn sha3_256(message: &[u8]) -> [u8; 32] {
    let mut sponge = Sponge::new();
    sponge.absorb(message);
    let mut digest = [0u8; 32];
    sponge.finish_sha3_256(&mut digest);
    digest
}

/// The SHA3-256 known-answer self test: the 24-bit message of the NIST CAVP "ShortMsg" set.
pub(crate) fn sha3_256_self_test() -> bool {
    const MESSAGE: [u8; 3] = [0x5e, 0x5e, 0xd6];
    const EXPECTED: [u8; 32] = [
        0xf1, 0x6e, 0x66, 0xc0, 0x43, 0x72, 0xb4, 0xa3, 0xe1, 0xe3, 0x2e, 0x07, 0xc4, 0x1c, 0x03,
        0x40, 0x8a, 0xd5, 0x43, 0x86, 0x8c, 0xc4, 0x0e, 0xc5, 0x5e, 0x00, 0xbb, 0xbb, 0xbd, 0xf5,
        0x91, 0x1e,
    ];
    sha3_256(&MESSAGE) == EXPECTED
}

#[cfg(test)]
mod tests {
    use sha3::digest::{ExtendableOutput, Update, XofReader};
    use sha3::{Digest, Sha3_256, Shake256};

    use super::*;

    #[test]
    fn sha3_256_matches_reference_crate_at_block_edges() {
        for len in [0usize, 1, 3, 66, 135, 136, 137, 271, 272, 273, 1000] {
            let message: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
            let expected: [u8; 32] = Sha3_256::digest(&message).into();
            assert_eq!(sha3_256(&message), expected, "length {len}");
        }
    }

    #[test]
    fn shake256_matches_reference_crate_for_long_output() {
        for (len, out_len) in [
            (0usize, 64usize),
            (136, 96),
            (200, 300),
            (9, 136),
            (10, 137),
        ] {
            let message: Vec<u8> = (0..len).map(|i| (i * 13 + 1) as u8).collect();
            let mut expected = vec![0u8; out_len];
            let mut hasher = Shake256::default();
            hasher.update(&message);
            hasher.finalize_xof().read(&mut expected);

            let mut sponge = Sponge::new();
            sponge.absorb(&message);
            let mut actual = vec![0u8; out_len];
            sponge.finish_shake256(&mut actual);
            assert_eq!(actual, expected, "length {len}, output {out_len}");
        }
    }

    #[test]
    fn self_test_passes_and_finish_resets() {
        assert!(sha3_256_self_test());
        let mut sponge = Sponge::new();
        sponge.absorb(b"abc");
        let mut digest = [0u8; 32];
        sponge.finish_sha3_256(&mut digest);
        assert!(sponge.is_wiped());
    }
}

//! SP 800-90B health tests of jitterentropy 3.7.0, as a state machine fed with time deltas.
//!
//! The tests never read the timer: the collector hands them each delta, which keeps them
//! replayable over recorded data, fuzzable, and drivable to every cutoff in induced-failure
//! tests. Failures are latched as bits that are never cleared for the life of a collector.
//!
//! Cutoff tables are copied as numbers from the C library; each states the formula behind it.
//! `tests/health/cutoffs.py --check` recomputes the formulas and compares.

/// Repetition count test failure bit.
pub const RCT_FAILURE: u32 = 1;
/// Adaptive proportion test failure bit.
pub const APT_FAILURE: u32 = 2;
/// Lag predictor test failure bit.
pub const LAG_FAILURE: u32 = 4;
/// Repetition count test with memory failure bit.
pub const RCT_MEMORY_FAILURE: u32 = 8;
/// Shift from an intermittent failure bit to its permanent one.
pub const PERMANENT_SHIFT: u32 = 16;
/// Every permanent failure bit.
pub const PERMANENT_MASK: u32 = 0xffff << PERMANENT_SHIFT;

/// APT window size (SP 800-90B §4.4.2: W = 512 for non-binary data).
const APT_WINDOW: u32 = 512;

/// Lag predictor: history depth, and the window after which all its counters restart.
const LAG_HISTORY: usize = 8;
const LAG_WINDOW: u32 = 1 << 17;

/// Number of extra blocks the RCT with memory collects into the pool before it may fail.
pub(crate) const RCT_MEMORY_RECOVERY_BLOCKS: usize = 10;

/// APT intermittent cutoff, index osr - 1: C = 2 + qbinom(1 - 2^-30, 511, 2^(-1/osr)) (the
/// corrected SP 800-90B §4.4.2 formula with alpha = 2^-30 and H = 1/osr); osr >= 15 saturates
/// at 512, where only the permanent branch can trigger.
pub const APT_CUTOFF: [u32; 15] = [
    325, 422, 459, 477, 488, 494, 499, 502, 505, 507, 508, 509, 510, 511, 512,
];

/// APT permanent cutoff, index osr - 1: the same formula with alpha = 2^-60.
pub const APT_CUTOFF_PERMANENT: [u32; 15] = [
    355, 447, 479, 494, 502, 507, 510, 512, 512, 512, 512, 512, 512, 512, 512,
];

/// NTG.1 APT intermittent cutoff: 2 + qbinom(1 - 2^-30, 511, 2^(-8/osr)) (H = 8/osr bits).
pub const APT_CUTOFF_NTG1: [u32; 15] = [
    17, 71, 136, 191, 236, 272, 301, 325, 345, 361, 375, 388, 398, 407, 415,
];

/// NTG.1 APT permanent cutoff: the same with alpha = 2^-60.
pub const APT_CUTOFF_PERMANENT_NTG1: [u32; 15] = [
    26, 92, 162, 221, 267, 303, 332, 355, 375, 390, 404, 415, 425, 433, 440,
];

/// Lag predictor global cutoff per window of 2^17 samples (alpha = 2^-22), index osr - 1.
pub const LAG_GLOBAL_CUTOFF: [u32; 20] = [
    66443, 93504, 104761, 110875, 114707, 117330, 119237, 120686, 121823, 122739, 123493, 124124,
    124660, 125120, 125520, 125871, 126181, 126457, 126704, 126926,
];

/// Lag predictor local cutoff: longest allowed run of correct predictions, index osr - 1.
pub const LAG_LOCAL_CUTOFF: [u32; 20] = [
    38, 75, 111, 146, 181, 215, 250, 284, 318, 351, 385, 419, 452, 485, 518, 551, 584, 617, 650,
    683,
];

/// RCT with memory intermittent cutoff: 107 * osr, index osr - 1.
pub const RCT_MEMORY_CUTOFF: [u16; 20] = [
    107, 214, 321, 428, 535, 642, 749, 856, 963, 1070, 1177, 1284, 1391, 1498, 1605, 1712, 1819,
    1926, 2033, 2140,
];

/// RCT with memory permanent cutoff: 107 * osr + 1.
pub const RCT_MEMORY_CUTOFF_PERMANENT: [u16; 20] = [
    108, 215, 322, 429, 536, 643, 750, 857, 964, 1071, 1178, 1285, 1392, 1499, 1606, 1713, 1820,
    1927, 2034, 2141,
];

/// NTG.1 RCT with memory intermittent cutoff (Fiege/Mittmann/Schindler), index osr - 1.
pub const RCT_MEMORY_CUTOFF_NTG1: [u16; 20] = [
    4, 46, 134, 255, 399, 560, 733, 856, 963, 1070, 1177, 1284, 1391, 1498, 1605, 1712, 1819, 1926,
    2033, 2140,
];

/// NTG.1 RCT with memory permanent cutoff.
pub const RCT_MEMORY_CUTOFF_PERMANENT_NTG1: [u16; 20] = [
    5, 50, 142, 265, 410, 572, 746, 857, 964, 1071, 1178, 1285, 1392, 1499, 1606, 1713, 1820, 1927,
    2034, 2141,
];

const _: () = assert!(LAG_GLOBAL_CUTOFF.len() == crate::MAX_OSR as usize);
const _: () = assert!(RCT_MEMORY_CUTOFF_NTG1.len() == crate::MAX_OSR as usize);

/// RCT intermittent cutoff: C = 30 * osr (SP 800-90B §4.4.1, C = 1 + ceil(-log2(alpha) / H)
/// with alpha = 2^-30 and H = 1/osr; the counter starts at 0, hence no "+1").
pub const fn rct_cutoff(osr: u32) -> u32 {
    // Saturating: osr is at most 20 in a collector, but this is public and must not panic.
    osr.saturating_mul(30)
}

/// RCT permanent cutoff: 60 * osr (alpha = 2^-60).
pub const fn rct_cutoff_permanent(osr: u32) -> u32 {
    osr.saturating_mul(60)
}

/// Which cutoff tables a collector uses.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum Cutoffs {
    /// The common tables (H = 1/osr).
    Common,
    /// The NTG.1 tables of BSI AIS 20/31 (H = 8/osr, eight times stricter).
    Ntg1,
}

/// Index into a table of `len` entries for `osr`, saturating at the last entry.
fn table_index(osr: u32, len: usize, saturate_at_len: bool) -> usize {
    let osr = osr.max(1) as usize;
    let saturated = if saturate_at_len {
        osr >= len
    } else {
        osr > len
    };
    if saturated { len - 1 } else { osr - 1 }
}

/// The state of all health tests of one collector.
#[derive(Clone, Debug, Default)]
pub struct HealthState {
    /// Latched failure bits (intermittent in the low half, permanent << 16).
    pub(crate) failures: u32,

    rct_count: u32,
    rct_cutoff: u32,
    rct_cutoff_permanent: u32,

    apt_base: u64,
    apt_base_set: bool,
    apt_count: u32,
    apt_observations: u32,
    apt_cutoff: u32,
    apt_cutoff_permanent: u32,

    lag_history: [u64; LAG_HISTORY],
    lag_scoreboard: [u32; LAG_HISTORY],
    lag_best_predictor: u32,
    lag_observations: u32,
    lag_success_count: u32,
    lag_success_run: u32,
    lag_global_cutoff: u32,
    lag_local_cutoff: u32,

    rct_memory_count: u16,
    rct_memory_ctr: u16,
    rct_memory_nosr: u16,
    rct_memory_cutoff: u16,
    rct_memory_cutoff_permanent: u16,
    in_recovery: bool,
}

impl HealthState {
    /// Fresh health tests with the cutoffs for `osr`.
    pub fn new(osr: u32, cutoffs: Cutoffs) -> Self {
        let mut state = Self::default();
        state.init(osr, cutoffs);
        state
    }

    /// `jent_health_init`: restarts the RCT and loads every cutoff. APT, lag and RCT-with-memory
    /// state and the failure bits survive, as in the C library.
    pub fn init(&mut self, osr: u32, cutoffs: Cutoffs) {
        self.rct_count = 0;
        self.lag_global_cutoff = LAG_GLOBAL_CUTOFF[table_index(osr, 20, false)];
        self.lag_local_cutoff = LAG_LOCAL_CUTOFF[table_index(osr, 20, false)];

        let apt = table_index(osr, 15, true);
        let rct_memory = table_index(osr, 20, true);
        match cutoffs {
            Cutoffs::Common => {
                self.apt_cutoff = APT_CUTOFF[apt];
                self.apt_cutoff_permanent = APT_CUTOFF_PERMANENT[apt];
                self.rct_cutoff = rct_cutoff(osr);
                self.rct_cutoff_permanent = rct_cutoff_permanent(osr);
                self.rct_memory_cutoff = RCT_MEMORY_CUTOFF[rct_memory];
                self.rct_memory_cutoff_permanent = RCT_MEMORY_CUTOFF_PERMANENT[rct_memory];
            }
            Cutoffs::Ntg1 => {
                self.apt_cutoff = APT_CUTOFF_NTG1[apt];
                self.apt_cutoff_permanent = APT_CUTOFF_PERMANENT_NTG1[apt];
                // NTG.1 divides the RCT cutoffs by 8, rounding up.
                self.rct_cutoff = rct_cutoff(osr).div_ceil(8);
                self.rct_cutoff_permanent = rct_cutoff_permanent(osr).div_ceil(8);
                self.rct_memory_cutoff = RCT_MEMORY_CUTOFF_NTG1[rct_memory];
                self.rct_memory_cutoff_permanent = RCT_MEMORY_CUTOFF_PERMANENT_NTG1[rct_memory];
            }
        }
    }

    /// Latched failure bits.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Starts a new RCT-with-memory window of `nosr` samples (one block). Returns false if `nosr`
    /// is too small to be safe, which latches the permanent bit as the C library does.
    pub(crate) fn start_block(&mut self, nosr: u16) -> bool {
        self.rct_memory_ctr = 0;
        self.rct_memory_nosr = nosr;
        if u32::from(nosr) < crate::DATA_SIZE_BITS {
            self.failures |= RCT_MEMORY_FAILURE << PERMANENT_SHIFT;
            return false;
        }
        true
    }

    /// The lag history entry `back + 1` samples ago.
    fn history(&self, back: u32) -> u64 {
        let index = self.lag_observations.wrapping_sub(back).wrapping_sub(1) as usize;
        self.lag_history[index & (LAG_HISTORY - 1)]
    }

    /// Stuck test on the 1st, 2nd and 3rd discrete derivative, then APT, lag and RCT. Returns
    /// whether the sample is stuck. The RCT with memory runs separately ([`Self::rct_memory`])
    /// because its recovery needs the collector.
    ///
    /// The derivatives use wrapping differences, not absolute values: 3.7.0's changelog speaks of
    /// absolute values but its code compiles them out, and byte-exactness follows the code.
    pub fn stuck_and_tests(&mut self, delta: u64) -> bool {
        let delta2 = delta.wrapping_sub(self.history(0));
        let delta3 = delta2.wrapping_sub(self.history(0).wrapping_sub(self.history(1)));
        let stuck = delta == 0 || delta2 == 0 || delta3 == 0;

        self.apt_insert(delta);
        self.lag_insert(delta);
        self.rct_insert(stuck);
        stuck
    }

    /// SP 800-90B §4.4.1 repetition count test, counting stuck samples rather than equal values.
    fn rct_insert(&mut self, stuck: bool) {
        if !stuck {
            // The count must restart at zero to reach the cutoff after C stuck samples.
            self.rct_count = 0;
            return;
        }
        self.rct_count = self.rct_count.wrapping_add(1);
        if self.rct_count >= self.rct_cutoff_permanent {
            self.failures |= RCT_FAILURE << PERMANENT_SHIFT;
        } else if self.rct_count == self.rct_cutoff {
            self.failures |= RCT_FAILURE;
        }
    }

    /// SP 800-90B §4.4.2 adaptive proportion test on the full 64-bit delta.
    fn apt_insert(&mut self, delta: u64) {
        // Step 1: the first sample of a window becomes the base A, with B = 1.
        if !self.apt_base_set {
            self.apt_base = delta;
            self.apt_base_set = true;
            self.apt_count = 1;
            self.apt_observations = 1;
            return;
        }

        // Step 3: B = B + 1 for every later sample equal to A.
        if delta == self.apt_base {
            self.apt_count = self.apt_count.wrapping_add(1);
            if self.apt_count >= self.apt_cutoff_permanent {
                self.failures |= APT_FAILURE << PERMANENT_SHIFT;
            } else if self.apt_count == self.apt_cutoff {
                self.failures |= APT_FAILURE;
            }
        }

        // Step 4: after W samples the next one opens a new window. The observation count stays
        // at W until then; it is hashed into the pool, so that detail matters for the output.
        self.apt_observations = self.apt_observations.wrapping_add(1);
        if self.apt_observations >= APT_WINDOW {
            self.apt_base_set = false;
        }
    }

    /// Lag predictor (a vendor test): flags deltas that a lagged copy predicts too often.
    fn lag_insert(&mut self, delta: u64) {
        if (self.lag_observations as usize) < LAG_HISTORY {
            self.lag_history[self.lag_observations as usize] = delta;
            self.lag_observations += 1;
            return;
        }

        // Score the current best predictor. 3.7.0 has no permanent lag failure.
        if self.history(self.lag_best_predictor) == delta {
            self.lag_success_count = self.lag_success_count.wrapping_add(1);
            self.lag_success_run = self.lag_success_run.wrapping_add(1);
            if self.lag_success_run >= self.lag_local_cutoff
                || self.lag_success_count >= self.lag_global_cutoff
            {
                self.failures |= LAG_FAILURE;
            }
        } else {
            self.lag_success_run = 0;
        }

        // Update every predictor; a strictly better score takes the lead.
        for lag in 0..LAG_HISTORY as u32 {
            if self.history(lag) == delta {
                let slot = lag as usize;
                self.lag_scoreboard[slot] = self.lag_scoreboard[slot].wrapping_add(1);
                if self.lag_scoreboard[slot] > self.lag_scoreboard[self.lag_best_predictor as usize]
                {
                    self.lag_best_predictor = lag;
                }
            }
        }

        self.lag_history[self.lag_observations as usize & (LAG_HISTORY - 1)] = delta;
        self.lag_observations += 1;
        if self.lag_observations >= LAG_WINDOW {
            self.lag_reset();
        }
    }

    fn lag_reset(&mut self) {
        self.lag_success_count = 0;
        self.lag_success_run = 0;
        self.lag_best_predictor = 0;
        self.lag_observations = 0;
        self.lag_scoreboard = [0; LAG_HISTORY];
        self.lag_history = [0; LAG_HISTORY];
    }

    /// First half of the RCT with memory for one sample. Returns true when the intermittent
    /// cutoff is reached outside a recovery: the caller must then collect
    /// [`RCT_MEMORY_RECOVERY_BLOCKS`] blocks with [`Self::set_recovery`] set before calling
    /// [`Self::rct_memory_finish`].
    pub(crate) fn rct_memory(&mut self, stuck: bool) -> bool {
        if self.rct_memory_ctr == 0 {
            self.rct_memory_count = 0;
        }
        let in_window = self.rct_memory_ctr < self.rct_memory_nosr;

        // Only every third position of the window counts, so that the test looks at samples
        // far enough apart to be treated as independent.
        if stuck && in_window && self.rct_memory_ctr % 3 == 0 {
            self.rct_memory_count = self.rct_memory_count.wrapping_add(1);
        }

        if self.rct_memory_count >= self.rct_memory_cutoff_permanent {
            if in_window {
                self.failures |= RCT_MEMORY_FAILURE << PERMANENT_SHIFT;
            }
        } else if self.rct_memory_count == self.rct_memory_cutoff {
            if !self.in_recovery {
                self.rct_memory_count = 0;
                return true;
            }
            if in_window {
                self.failures |= RCT_MEMORY_FAILURE;
            }
        }
        false
    }

    /// Marks the start or end of an RCT-with-memory recovery.
    pub(crate) fn set_recovery(&mut self, in_recovery: bool) {
        self.in_recovery = in_recovery;
    }

    /// Second half of the RCT with memory: advances the window position (after any recovery).
    pub(crate) fn rct_memory_finish(&mut self) {
        if self.rct_memory_ctr < self.rct_memory_nosr {
            self.rct_memory_ctr += 1;
        }
    }

    /// The health-test values the hash loop hashes, in the C struct's order and widths:
    /// rct_count u32, apt_cutoff u32, apt_observations u32, apt_count u32, apt_base u64,
    /// rct_mem_count u16, little-endian.
    pub(crate) fn hashed_fields(&self) -> [u8; 26] {
        let mut out = [0u8; 26];
        out[0..4].copy_from_slice(&self.rct_count.to_le_bytes());
        out[4..8].copy_from_slice(&self.apt_cutoff.to_le_bytes());
        out[8..12].copy_from_slice(&self.apt_observations.to_le_bytes());
        out[12..16].copy_from_slice(&self.apt_count.to_le_bytes());
        out[16..24].copy_from_slice(&self.apt_base.to_le_bytes());
        out[24..26].copy_from_slice(&self.rct_memory_count.to_le_bytes());
        out
    }

    /// Carries state into the replacement collector of the reset ladder, as 3.7.0 does: the
    /// open APT window with its count at the new intermittent cutoff, the RCT count at 30 * osr,
    /// the whole lag predictor, and the RCT-with-memory count at the old intermittent cutoff.
    pub(crate) fn carry_over_from(&mut self, old: &HealthState, new_osr: u32) {
        if old.apt_observations != 0 {
            self.apt_base = old.apt_base;
            self.apt_base_set = true;
            self.apt_count = self.apt_cutoff;
            self.apt_observations = old.apt_observations;
        }
        self.rct_count = rct_cutoff(new_osr);

        self.lag_success_run = old.lag_success_run;
        self.lag_success_count = old.lag_success_count;
        self.lag_best_predictor = old.lag_best_predictor;
        self.lag_observations = old.lag_observations;
        self.lag_scoreboard = old.lag_scoreboard;
        self.lag_history = old.lag_history;

        self.rct_memory_count = old.rct_memory_cutoff;
    }

    /// Counters for status reports.
    pub(crate) fn counters(&self) -> HealthCounters {
        HealthCounters {
            rct_count: self.rct_count,
            apt_count: self.apt_count,
            apt_observations: self.apt_observations,
            lag_success_count: self.lag_success_count,
            lag_success_run: self.lag_success_run,
            rct_memory_count: self.rct_memory_count,
        }
    }

    /// Wipes the state: it is hashed into the pool, so it is treated as secret.
    pub(crate) fn wipe(&mut self) {
        *self = Self::default();
    }
}

/// A snapshot of the running health-test counters.
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq, serde::Serialize)]
pub struct HealthCounters {
    /// Consecutive stuck samples (RCT).
    pub rct_count: u32,
    /// Samples equal to the base in the current APT window.
    pub apt_count: u32,
    /// Samples in the current APT window.
    pub apt_observations: u32,
    /// Correct lag predictions in the current window.
    pub lag_success_count: u32,
    /// Current run of correct lag predictions.
    pub lag_success_run: u32,
    /// Counted stuck positions in the current RCT-with-memory window.
    pub rct_memory_count: u16,
}

/// Names of the failure bits that are set in `bits`, intermittent then permanent.
pub fn failure_names(bits: u32) -> Vec<&'static str> {
    const NAMES: [(u32, &str); 8] = [
        (RCT_FAILURE, "RCT"),
        (APT_FAILURE, "APT"),
        (LAG_FAILURE, "LAG"),
        (RCT_MEMORY_FAILURE, "RCT_MEMORY"),
        (RCT_FAILURE << PERMANENT_SHIFT, "RCT_PERMANENT"),
        (APT_FAILURE << PERMANENT_SHIFT, "APT_PERMANENT"),
        (LAG_FAILURE << PERMANENT_SHIFT, "LAG_PERMANENT"),
        (
            RCT_MEMORY_FAILURE << PERMANENT_SHIFT,
            "RCT_MEMORY_PERMANENT",
        ),
    ];
    NAMES
        .iter()
        .filter(|(bit, _)| bits & bit != 0)
        .map(|&(_, name)| name)
        .collect()
}

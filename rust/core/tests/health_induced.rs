//! Induced health-test failures, on two levels.
//!
//! 1. The pure state machine [`HealthState`] is fed the delta scenarios of
//!    `tests/data/health/*.txt` (format in that folder's README) in FIPS and NTG.1 mode at
//!    several oversampling rates. Each failure bit must first be latched at exactly the sample
//!    the scenario names, which the scenario derives from the cutoff formulas; no other bit may
//!    be latched, no bit may ever clear, and every sample's stuck result must match how the
//!    sample was built.
//! 2. A collector from [`Library`], driven by a scripted timer, must report each failure as the
//!    C library's negative read code, at the right sample, and `read_entropy_safe` must climb the
//!    reset ladder for intermittent failures and return at once for permanent ones. The RCT
//!    with memory, which needs the collector's blocks, is only tested on this level
//!    (`rct-memory-*.txt`).
//!
//! Expected sample indices never come from running the code under test: they are segment ends
//! whose lengths are cutoffs, or formulas in the scenario file. RCT cutoffs are recomputed here
//! from their formula; APT, lag and NTG.1 RCT-with-memory cutoffs come from the crate's tables,
//! which `tests/health/cutoffs.py --check` recomputes (or, for the last, checks for shape).
//!
//! Not reachable, and therefore not induced: read code -8 (3.7.0 never sets the permanent lag
//! bit) and -10 (the permanent RCT-with-memory bit: in FIPS/NTG.1 mode the read stops at the
//! intermittent one, see `run_collector_only`). The product API is tested in `health_source.rs`.

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use jent_core::health::{
    self, APT_FAILURE, Cutoffs, HealthState, LAG_FAILURE, PERMANENT_SHIFT, RCT_FAILURE,
    RCT_MEMORY_FAILURE,
};
use jent_core::{Collector, Library, Probe, TimeSource, flags};

// ---------------------------------------------------------------------------------------------
// Cutoffs
// ---------------------------------------------------------------------------------------------

/// Health-test mode of a run.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
enum Mode {
    Fips,
    Ntg1,
}

impl Mode {
    fn cutoffs(self) -> Cutoffs {
        match self {
            Mode::Fips => Cutoffs::Common,
            Mode::Ntg1 => Cutoffs::Ntg1,
        }
    }

    fn flags(self) -> u32 {
        let mode = match self {
            Mode::Fips => flags::FORCE_FIPS,
            Mode::Ntg1 => flags::NTG1,
        };
        // The scripted timer is the only timer: the internal one must never be tried.
        mode | flags::DISABLE_INTERNAL_TIMER
    }
}

/// SP 800-90B §4.4.1 with alpha = 2^-30 and H = 1/osr: C = 30 * osr, since the count starts at
/// zero. NTG.1 assumes 8 times the entropy per sample and divides by 8, rounding up.
fn rct_intermittent(mode: Mode, osr: u32) -> u64 {
    let common = 30 * u64::from(osr);
    match mode {
        Mode::Fips => common,
        Mode::Ntg1 => common.div_ceil(8),
    }
}

/// The same with alpha = 2^-60: 60 * osr, NTG.1 divided by 8 and rounded up.
fn rct_permanent(mode: Mode, osr: u32) -> u64 {
    let common = 60 * u64::from(osr);
    match mode {
        Mode::Fips => common,
        Mode::Ntg1 => common.div_ceil(8),
    }
}

/// RCT with memory, intermittent cutoff: 107 * osr in common mode (every counted position of a
/// block's window stuck); NTG.1 has a table without a reproducible formula (see cutoffs.py).
fn rct_memory_intermittent(mode: Mode, osr: u32) -> u64 {
    match mode {
        Mode::Fips => 107 * u64::from(osr),
        Mode::Ntg1 => table(&health::RCT_MEMORY_CUTOFF_NTG1, osr),
    }
}

/// Table entry for `osr`, the last entry for larger osr (how 3.7.0 saturates its tables).
fn table<T: Copy + Into<u64>>(values: &[T], osr: u32) -> u64 {
    let index = (osr as usize).min(values.len()) - 1;
    values[index].into()
}

/// Resolves a cutoff name for a mode and osr.
fn cutoff(name: &str, mode: Mode, osr: u32) -> Option<u64> {
    Some(match (name, mode) {
        ("rct_intermittent", _) => rct_intermittent(mode, osr),
        ("rct_permanent", _) => rct_permanent(mode, osr),
        ("apt_intermittent", Mode::Fips) => table(&health::APT_CUTOFF, osr),
        ("apt_intermittent", Mode::Ntg1) => table(&health::APT_CUTOFF_NTG1, osr),
        ("apt_permanent", Mode::Fips) => table(&health::APT_CUTOFF_PERMANENT, osr),
        ("apt_permanent", Mode::Ntg1) => table(&health::APT_CUTOFF_PERMANENT_NTG1, osr),
        ("lag_local", _) => table(&health::LAG_LOCAL_CUTOFF, osr),
        ("lag_global", _) => table(&health::LAG_GLOBAL_CUTOFF, osr),
        ("rct_memory", _) => rct_memory_intermittent(mode, osr),
        ("block", _) => samples_per_block(osr),
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// Scenario files
// ---------------------------------------------------------------------------------------------

/// What the stuck test must say about a generated sample.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
enum Class {
    Stuck,
    NotStuck,
    Unchecked,
}

/// One segment line of a scenario file.
#[derive(Clone, Debug)]
struct Segment {
    line: usize,
    kind: String,
    count: String,
    arg: Option<String>,
    marks: Vec<u32>,
}

/// A parsed scenario file.
#[derive(Clone, Debug)]
struct Scenario {
    name: String,
    runs: Vec<(Mode, Vec<u32>)>,
    segments: Vec<Segment>,
    /// Only meaningful through a collector (`level collector`): the RCT with memory.
    collector_only: bool,
    /// `expect <what> <value>` lines, for collector-only scenarios.
    expectations: Vec<(String, String)>,
}

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/health")
}

fn bit_by_name(name: &str) -> Option<u32> {
    Some(match name {
        "RCT" => RCT_FAILURE,
        "APT" => APT_FAILURE,
        "LAG" => LAG_FAILURE,
        "RCT_MEMORY" => RCT_MEMORY_FAILURE,
        "RCT_PERMANENT" => RCT_FAILURE << PERMANENT_SHIFT,
        "APT_PERMANENT" => APT_FAILURE << PERMANENT_SHIFT,
        "LAG_PERMANENT" => LAG_FAILURE << PERMANENT_SHIFT,
        "RCT_MEMORY_PERMANENT" => RCT_MEMORY_FAILURE << PERMANENT_SHIFT,
        _ => return None,
    })
}

fn bit_names(bits: u32) -> String {
    health::failure_names(bits).join("|")
}

fn load_scenario(path: &Path) -> Scenario {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut scenario = Scenario {
        name: name.clone(),
        runs: Vec::new(),
        segments: Vec::new(),
        collector_only: false,
        expectations: Vec::new(),
    };
    for (number, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap().trim();
        if line.is_empty() {
            continue;
        }
        let (body, marks) = match line.split_once("->") {
            Some((body, marks)) => (body.trim(), marks.trim()),
            None => (line, ""),
        };
        let marks: Vec<u32> = marks
            .split([' ', ','])
            .filter(|m| !m.is_empty())
            .map(|m| {
                bit_by_name(m).unwrap_or_else(|| panic!("{name}:{}: unknown bit {m}", number + 1))
            })
            .collect();
        let words: Vec<&str> = body.split_whitespace().collect();
        if words == ["level", "collector"] {
            scenario.collector_only = true;
            continue;
        }
        if words[0] == "expect" {
            let value = words[words.len() - 1].to_string();
            scenario
                .expectations
                .push((words[1..words.len() - 1].join(" "), value));
            continue;
        }
        if words[0] == "run" {
            let mode = match words[1] {
                "fips" => Mode::Fips,
                "ntg1" => Mode::Ntg1,
                other => panic!("{name}:{}: unknown mode {other}", number + 1),
            };
            let osrs = words[2..].iter().map(|w| w.parse().unwrap()).collect();
            scenario.runs.push((mode, osrs));
            continue;
        }
        scenario.segments.push(Segment {
            line: number + 1,
            kind: words[0].to_string(),
            count: words.get(1).map(|w| w.to_string()).unwrap_or_default(),
            arg: words.get(2).map(|w| w.to_string()),
            marks,
        });
    }
    assert!(!scenario.runs.is_empty(), "{name}: no run line");
    scenario
}

fn all_scenarios() -> Vec<Scenario> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(data_dir())
        .expect("tests/data/health exists")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 8, "scenario files missing: {paths:?}");
    paths.iter().map(|p| load_scenario(p)).collect()
}

/// Evaluates `a+b-c` where each term is an integer or a cutoff name.
fn evaluate(expression: &str, mode: Mode, osr: u32, context: &str) -> u64 {
    let mut total: i64 = 0;
    let mut sign = 1i64;
    let mut term = String::new();
    let flush = |term: &mut String, sign: i64, total: &mut i64| {
        if term.is_empty() {
            return;
        }
        let (factor, name) = match term.split_once('*') {
            Some((factor, name)) => (factor.parse::<u64>().expect("integer factor"), name),
            None => (1, term.as_str()),
        };
        let value = if let Some(hex) = name.strip_prefix("0x") {
            u64::from_str_radix(hex, 16).ok()
        } else {
            name.parse::<u64>().ok()
        }
        .or_else(|| cutoff(name, mode, osr))
        .unwrap_or_else(|| panic!("{context}: unknown term {term}"))
            * factor;
        *total += sign * value as i64;
        term.clear();
    };
    for c in expression.chars() {
        match c {
            '+' | '-' => {
                flush(&mut term, sign, &mut total);
                sign = if c == '+' { 1 } else { -1 };
            }
            _ => term.push(c),
        }
    }
    flush(&mut term, sign, &mut total);
    assert!(total >= 0, "{context}: {expression} is negative");
    total as u64
}

/// Parses an explicit delta (decimal or 0x hex), which may exceed i64.
fn parse_value(text: &str, context: &str) -> u64 {
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    }
    .unwrap_or_else(|e| panic!("{context}: bad value {text}: {e}"))
}

/// The base value of `runs` segments: far from every fresh value.
const BASE: u64 = 0xb000_0000_0000_0001;

/// The 8 cycle values: far from every fresh value and from BASE; second differences are
/// non-zero everywhere, including where the cycle wraps around.
fn cycle_value(position: u64) -> u64 {
    let i = position % 8;
    0xc000_0000_0000_0000 + (i * i + 1) * 0x1_0000_0001
}

/// Generated samples of one scenario run.
#[derive(Debug, Default)]
struct Generated {
    deltas: Vec<u64>,
    classes: Vec<Class>,
    /// Expected first latch (1-based sample index) of every marked bit.
    marks: BTreeMap<u32, usize>,
}

/// Builds the delta sequence of a scenario.
struct Generator {
    out: Generated,
    /// The two deltas before the first generated one (what the stuck test's history holds).
    before: [u64; 2],
    /// Samples already taken in the current APT window before the first generated one.
    window_offset: u64,
    fresh_counter: u64,
    run_length: u64,
    cycle_position: u64,
}

impl Generator {
    fn new(before: [u64; 2], window_offset: u64) -> Self {
        Self {
            out: Generated::default(),
            before,
            window_offset,
            fresh_counter: 0,
            run_length: 0,
            cycle_position: 0,
        }
    }

    /// The most recent delta `back` samples ago (0 = last).
    fn recent(&self, back: usize) -> u64 {
        let n = self.out.deltas.len();
        if back < n {
            self.out.deltas[n - 1 - back]
        } else {
            self.before[back - n]
        }
    }

    /// The stuck rule of the specification (1st, 2nd or 3rd discrete derivative zero, wrapping),
    /// used only to make sure that generated "good" values really are good.
    fn would_be_stuck(&self, delta: u64) -> bool {
        let (h0, h1) = (self.recent(0), self.recent(1));
        let d2 = delta.wrapping_sub(h0);
        delta == 0 || d2 == 0 || d2 == h0.wrapping_sub(h1)
    }

    fn push(&mut self, delta: u64, class: Class, context: &str) {
        if class == Class::NotStuck {
            assert!(
                !self.would_be_stuck(delta),
                "{context}: generated a stuck value where a good one was meant"
            );
        }
        self.out.deltas.push(delta);
        self.out.classes.push(class);
    }

    /// A value never generated before that is not stuck after the current history.
    fn fresh(&mut self) -> u64 {
        loop {
            self.fresh_counter += 1;
            let j = self.fresh_counter;
            let candidate = 0x10_0000_0000 + j * j * 7919 + j * 104_729;
            if !self.would_be_stuck(candidate) {
                return candidate;
            }
        }
    }

    fn segment(&mut self, segment: &Segment, mode: Mode, osr: u32, file: &str) {
        let context = format!("{file}:{}", segment.line);
        let count = |text: &str| evaluate(text, mode, osr, &context);
        match segment.kind.as_str() {
            "distinct" => {
                for _ in 0..count(&segment.count) {
                    let value = self.fresh();
                    self.push(value, Class::NotStuck, &context);
                }
            }
            "fill-window" => {
                while (self.window_offset + self.out.deltas.len() as u64) % 512 != 0 {
                    let value = self.fresh();
                    self.push(value, Class::NotStuck, &context);
                }
            }
            "zero" => {
                for _ in 0..count(&segment.count) {
                    self.push(0, Class::Stuck, &context);
                }
            }
            "repeat" => {
                for _ in 0..count(&segment.count) {
                    let previous = self.recent(0);
                    assert_ne!(
                        previous, 0,
                        "{context}: repeat needs a non-zero delta before"
                    );
                    self.push(previous, Class::Stuck, &context);
                }
            }
            "value" => {
                let value = parse_value(&segment.count, &context);
                self.push(value, Class::Unchecked, &context);
            }
            "slope" => {
                for _ in 0..count(&segment.count) {
                    let (h0, h1) = (self.recent(0), self.recent(1));
                    self.push(h0.wrapping_add(h0.wrapping_sub(h1)), Class::Stuck, &context);
                }
            }
            "runs" => {
                let copies = count(&segment.count);
                let run = count(segment.arg.as_deref().expect("runs N K"));
                let start = self.out.deltas.len();
                let mut emitted = 0;
                while emitted < copies {
                    if self.run_length == run {
                        let breaker = self.fresh();
                        self.push(breaker, Class::NotStuck, &context);
                        self.run_length = 0;
                        continue;
                    }
                    let class = if self.run_length == 0 {
                        Class::NotStuck
                    } else {
                        Class::Stuck
                    };
                    self.push(BASE, class, &context);
                    self.run_length += 1;
                    emitted += 1;
                }
                let window_end = (self.window_offset + start as u64) / 512 * 512 + 512;
                assert!(
                    self.window_offset + self.out.deltas.len() as u64 <= window_end,
                    "{context}: the runs do not fit into one APT window"
                );
            }
            "triples" => {
                for _ in 0..count(&segment.count) {
                    let value = self.fresh();
                    self.push(value, Class::NotStuck, &context);
                    self.push(value, Class::Stuck, &context);
                    self.push(value, Class::Stuck, &context);
                }
            }
            "cycle" => {
                for _ in 0..count(&segment.count) {
                    let value = cycle_value(self.cycle_position);
                    self.cycle_position += 1;
                    self.push(value, Class::NotStuck, &context);
                }
            }
            "cycle-broken" => {
                let wanted = count(&segment.count);
                let period = count(segment.arg.as_deref().expect("cycle-broken G P"));
                let mut predictable = 0;
                let mut learned = false;
                let mut position = 0;
                while predictable < wanted {
                    position += 1;
                    let value = if position % period == 0 {
                        self.fresh()
                    } else {
                        cycle_value(self.cycle_position)
                    };
                    self.cycle_position += 1;
                    if self.out.deltas.len() >= 8 && self.recent(7) == value {
                        // The first repetition teaches the predictor lag 8; it predicts from
                        // the next sample on.
                        if learned {
                            predictable += 1;
                        }
                        learned = true;
                    }
                    self.push(value, Class::NotStuck, &context);
                }
            }
            other => panic!("{context}: unknown segment kind {other}"),
        }
        for &bit in &segment.marks {
            self.out.marks.insert(bit, self.out.deltas.len());
        }
    }
}

fn generate(scenario: &Scenario, mode: Mode, osr: u32, before: [u64; 2], offset: u64) -> Generated {
    let mut generator = Generator::new(before, offset);
    for segment in &scenario.segments {
        generator.segment(segment, mode, osr, &scenario.name);
    }
    generator.out
}

// ---------------------------------------------------------------------------------------------
// Level 1: the pure state machine
// ---------------------------------------------------------------------------------------------

/// Feeds one scenario run to a fresh `HealthState` and returns the first latch of every bit.
fn run_state_machine(scenario: &Scenario, mode: Mode, osr: u32) -> Result<(), String> {
    let generated = generate(scenario, mode, osr, [0, 0], 0);
    let mut state = HealthState::new(osr, mode.cutoffs());
    let mut latched = 0u32;
    let mut first: BTreeMap<u32, usize> = BTreeMap::new();
    for (index, (&delta, &class)) in generated.deltas.iter().zip(&generated.classes).enumerate() {
        let sample = index + 1;
        let stuck = state.stuck_and_tests(delta);
        match class {
            Class::Stuck if !stuck => {
                return Err(format!(
                    "sample {sample} (delta {delta:#x}) should be stuck"
                ));
            }
            Class::NotStuck if stuck => {
                return Err(format!(
                    "sample {sample} (delta {delta:#x}) should not be stuck"
                ));
            }
            _ => {}
        }
        let now = state.failures();
        if now & latched != latched {
            return Err(format!(
                "sample {sample}: latched bits cleared: {} -> {}",
                bit_names(latched),
                bit_names(now)
            ));
        }
        for bit in (0..32)
            .map(|b| 1u32 << b)
            .filter(|b| now & !latched & b != 0)
        {
            first.insert(bit, sample);
        }
        latched = now;
    }
    if first != generated.marks {
        let show = |m: &BTreeMap<u32, usize>| -> String {
            m.iter()
                .map(|(bit, at)| format!("{}@{at}", bit_names(*bit)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(format!(
            "first latches [{}], expected [{}] ({} samples)",
            show(&first),
            show(&generated.marks),
            generated.deltas.len()
        ));
    }
    Ok(())
}

#[test]
fn state_machine_latches_every_bit_at_its_cutoff() {
    let mut failures = Vec::new();
    let mut runs = 0;
    for scenario in all_scenarios() {
        if scenario.collector_only {
            continue;
        }
        for (mode, osrs) in &scenario.runs {
            for &osr in osrs {
                runs += 1;
                if let Err(e) = run_state_machine(&scenario, *mode, osr) {
                    failures.push(format!("{} {mode:?} osr {osr}: {e}", scenario.name));
                }
            }
        }
    }
    for failure in &failures {
        eprintln!("FAILED {failure}");
    }
    assert!(runs >= 40, "only {runs} scenario runs");
    assert!(
        failures.is_empty(),
        "{} of {runs} scenario runs failed",
        failures.len()
    );
}

#[test]
fn scenarios_cover_every_test_in_both_modes() {
    // Every health test with a cutoff the state machine owns must be induced by some scenario
    // in both modes, at osr 3 and 5 and at a high osr (14 or more; common-mode APT cannot fail
    // intermittently from osr 15 on, see apt-saturated.txt).
    let scenarios = all_scenarios();
    for bit in ["RCT", "RCT_PERMANENT", "APT", "APT_PERMANENT", "LAG"] {
        let bit = bit_by_name(bit).unwrap();
        for mode in [Mode::Fips, Mode::Ntg1] {
            let osrs: Vec<u32> = scenarios
                .iter()
                .filter(|s| s.segments.iter().any(|g| g.marks.contains(&bit)))
                .flat_map(|s| s.runs.iter())
                .filter(|(m, _)| *m == mode)
                .flat_map(|(_, o)| o.iter().copied())
                .collect();
            for osr in [3, 5] {
                assert!(
                    osrs.contains(&osr),
                    "{} not induced in {mode:?} at osr {osr}",
                    bit_names(bit)
                );
            }
            assert!(
                osrs.iter().any(|&o| o >= 14),
                "{} not induced in {mode:?} at a high osr",
                bit_names(bit)
            );
        }
    }
}

#[test]
fn rct_cutoffs_of_the_state_machine_follow_the_formula_at_every_osr() {
    // Walk the RCT to its intermittent and permanent cutoff at every osr the library accepts
    // (1 and 2 included, which the library raises to 3 but the state machine takes as given):
    // zero deltas are stuck from the first one, so the bits must appear at exactly C and Cp.
    for mode in [Mode::Fips, Mode::Ntg1] {
        for osr in 1..=20 {
            let mut state = HealthState::new(osr, mode.cutoffs());
            let mut first_rct = None;
            let mut first_permanent = None;
            for sample in 1..=rct_permanent(mode, osr) + 5 {
                state.stuck_and_tests(0);
                let f = state.failures();
                if f & RCT_FAILURE != 0 && first_rct.is_none() {
                    first_rct = Some(sample);
                }
                if f & (RCT_FAILURE << PERMANENT_SHIFT) != 0 && first_permanent.is_none() {
                    first_permanent = Some(sample);
                }
            }
            assert_eq!(
                first_rct,
                Some(rct_intermittent(mode, osr)),
                "{mode:?} osr {osr}"
            );
            assert_eq!(
                first_permanent,
                Some(rct_permanent(mode, osr)),
                "{mode:?} osr {osr}"
            );
        }
    }
}

#[test]
fn init_keeps_latched_bits_and_restarts_the_rct_count() {
    // health_init runs after each FIPS start-up stage: it must keep the failure bits (they are
    // never cleared for a collector's life) but restart the RCT count, so a run interrupted by
    // it needs the full C again.
    let osr = 3;
    let c = rct_intermittent(Mode::Fips, osr);
    let mut state = HealthState::new(osr, Cutoffs::Common);
    for _ in 0..c {
        state.stuck_and_tests(0);
    }
    assert_ne!(state.failures() & RCT_FAILURE, 0);
    state.init(osr, Cutoffs::Common);
    assert_ne!(
        state.failures() & RCT_FAILURE,
        0,
        "init cleared a latched bit"
    );

    let mut fresh = HealthState::new(osr, Cutoffs::Common);
    for _ in 0..c - 1 {
        fresh.stuck_and_tests(0);
    }
    fresh.init(osr, Cutoffs::Common);
    for _ in 0..c - 1 {
        fresh.stuck_and_tests(0);
    }
    // The lag predictor may fire on this long run of zeros; only the RCT matters here.
    assert_eq!(
        fresh.failures() & RCT_FAILURE,
        0,
        "init did not restart the RCT count"
    );
    fresh.stuck_and_tests(0);
    assert_ne!(fresh.failures() & RCT_FAILURE, 0);
}

// ---------------------------------------------------------------------------------------------
// Level 2: a collector driven by a scripted timer
// ---------------------------------------------------------------------------------------------

/// What the scripted timer does next.
#[derive(Debug)]
enum Phase {
    /// Pseudo-random increments on every read (healthy noise) for this many evaluated samples,
    /// or for ever.
    Random(Option<u64>),
    /// The same increment on every read for this many evaluated samples: every sample of any
    /// kind then measures the same delta.
    Steady(u64, u64),
    /// One delta per normal sample: a normal sample reads the timer 17 times (16 memory-access
    /// reads and its time stamp); the first of each 17 reads advances the clock by the delta
    /// and the others do not, so the sample measures exactly this delta. Counting reads rather
    /// than probe reports keeps the script aligned through an RCT-with-memory recovery, whose
    /// samples run before the triggering sample is reported.
    Script(VecDeque<u64>, u64),
    /// One read that sets the clock to what the read before the previous one returned, plus
    /// the given delta. A replacement collector's first normal sample measures from the start
    /// stamp of its last start-up sample (two reads back), so this gives that sample exactly
    /// this delta; the next phase must be a script that counts this read as its first.
    Rewind(u64),
}

/// Timer reads of one normal sample with a noise buffer.
const READS_PER_SAMPLE: u64 = 17;

/// One evaluation reported by the collector's probe.
#[derive(Clone, Copy, Debug)]
struct Evaluation {
    delta: u64,
    stuck: bool,
    failures: u32,
}

#[derive(Debug)]
struct DriverState {
    value: u64,
    /// The value returned by the read before the previous one.
    second_last: u64,
    last: u64,
    rng: u64,
    phases: VecDeque<Phase>,
    log: Vec<Evaluation>,
}

/// Timer and probe in one, shared by every collector of a library: the timer plays the phases,
/// the probe records every evaluation and ends counted random phases at a sample boundary.
#[derive(Clone, Debug)]
struct Driver(Arc<Mutex<DriverState>>);

impl Driver {
    fn new(seed: u64) -> Self {
        Self(Arc::new(Mutex::new(DriverState {
            value: 1 << 40,
            second_last: 0,
            last: 0,
            rng: seed,
            phases: VecDeque::new(),
            log: Vec::new(),
        })))
    }

    /// Replaces whatever the timer was going to do.
    fn set_phases(&self, phases: Vec<Phase>) {
        self.0.lock().unwrap().phases = phases.into();
    }

    fn evaluations(&self) -> usize {
        self.0.lock().unwrap().log.len()
    }

    fn log_since(&self, start: usize) -> Vec<Evaluation> {
        self.0.lock().unwrap().log[start..].to_vec()
    }
}

/// splitmix64, mapped to [2^20, 2^36): deltas far apart enough that healthy samples are never
/// stuck by accident, small enough that the power-up test's GCD and variation checks pass.
fn random_increment(rng: &mut u64) -> u64 {
    *rng = rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *rng;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (1 << 20) + z % ((1 << 36) - (1 << 20))
}

impl TimeSource for Driver {
    fn now(&mut self) -> u64 {
        let mut guard = self.0.lock().unwrap();
        let state = &mut *guard;
        // A finished script hands over at the next sample boundary.
        if let Some(Phase::Script(deltas, reads)) = state.phases.front()
            && deltas.is_empty()
            && reads % READS_PER_SAMPLE == 0
        {
            state.phases.pop_front();
        }
        let increment = match state.phases.front_mut() {
            Some(Phase::Script(deltas, reads)) => {
                let first_read = *reads % READS_PER_SAMPLE == 0;
                *reads += 1;
                if first_read {
                    deltas.pop_front().expect("script delta")
                } else {
                    0
                }
            }
            Some(&mut Phase::Rewind(delta)) => {
                state.phases.pop_front();
                state
                    .second_last
                    .wrapping_add(delta)
                    .wrapping_sub(state.value)
            }
            Some(&mut Phase::Steady(increment, _)) => increment,
            Some(Phase::Random(_)) | None => random_increment(&mut state.rng),
        };
        state.value = state.value.wrapping_add(increment);
        state.second_last = state.last;
        state.last = state.value;
        state.value
    }

    fn duplicate(&self) -> Box<dyn TimeSource> {
        Box::new(self.clone())
    }

    fn name(&self) -> &'static str {
        "health-driver"
    }
}

impl Probe for Driver {
    fn sample_evaluated(&self, delta: u64, stuck: bool, failures: u32) {
        let mut guard = self.0.lock().unwrap();
        let state = &mut *guard;
        state.log.push(Evaluation {
            delta,
            stuck,
            failures,
        });
        let finished = match state.phases.front_mut() {
            Some(Phase::Random(Some(left)) | Phase::Steady(_, left)) => {
                *left -= 1;
                *left == 0
            }
            _ => false,
        };
        if finished {
            state.phases.pop_front();
        }
    }
}

/// A 1 KiB noise buffer: the size does not influence the health tests, and small buffers keep
/// the many allocations of these tests cheap.
const SMALL_MEMORY: u32 = flags::with_memsize_field(0, 1);

/// Non-stuck samples per block (SP 800-90C safety factor 64 + 1 in FIPS/NTG.1 mode), rounded
/// up to a multiple of 3 for the RCT with memory.
fn samples_per_block(osr: u32) -> u64 {
    (321 * u64::from(osr)).div_ceil(3) * 3
}

/// A library with a collector that has produced one healthy block.
struct Rig {
    library: Library,
    driver: Driver,
    collector: Collector,
    /// Evaluations before the collector's first sample.
    alloc_start: usize,
}

impl Rig {
    fn new(mode: Mode, osr: u32, extra_flags: u32, seed: u64) -> Self {
        let driver = Driver::new(seed);
        let mut library = Library::new(Box::new(driver.clone()));
        // Health failures must be reported because of the flags, not because of the host.
        library.set_os_fips_mode(false);
        library.set_probe(Arc::new(driver.clone()));
        let flags = mode.flags() | extra_flags;
        assert_eq!(library.entropy_init_ex(osr, flags), 0, "power-up test");
        let alloc_start = driver.evaluations();
        let mut collector = library.collector_alloc(osr, flags).expect("collector");
        assert_eq!(collector.osr(), osr.max(3), "no ladder during start-up");

        // One healthy block, so that the next read starts right after a normal sample.
        let mut block = [0u8; 32];
        assert_eq!(library.read_entropy(&mut collector, &mut block), 32);
        assert_eq!(collector.health_failures(), 0);
        Self {
            library,
            driver,
            collector,
            alloc_start,
        }
    }

    /// Scripts the next samples and then healthy noise.
    fn script(&self, deltas: &[u64]) {
        self.driver.set_phases(vec![
            Phase::Script(deltas.iter().copied().collect(), 0),
            Phase::Random(None),
        ]);
    }

    /// The last two deltas the collector's stuck test saw.
    fn history(&self) -> [u64; 2] {
        let log = self.driver.log_since(self.driver.evaluations() - 2);
        [log[1].delta, log[0].delta]
    }

    /// Samples of the current APT window already taken by this collector.
    fn apt_window_offset(&self) -> u64 {
        ((self.driver.evaluations() - self.alloc_start) % 512) as u64
    }
}

/// jent_read_entropy's code for a set of latched bits, in the C library's priority order
/// (reference §13): permanent failures first, then RCT, APT, RCT with memory, lag.
fn expected_read_code(bits: u32) -> isize {
    let permanent = |bit: u32| bits & (bit << PERMANENT_SHIFT) != 0;
    if permanent(RCT_FAILURE) {
        -6
    } else if permanent(APT_FAILURE) {
        -7
    } else if permanent(LAG_FAILURE) {
        -8
    } else if permanent(RCT_MEMORY_FAILURE) {
        -10
    } else if bits & RCT_FAILURE != 0 {
        -2
    } else if bits & APT_FAILURE != 0 {
        -3
    } else if bits & RCT_MEMORY_FAILURE != 0 {
        -9
    } else {
        -5
    }
}

/// First latch of every bit in an evaluation log, 1-based.
fn first_latches(log: &[Evaluation]) -> BTreeMap<u32, usize> {
    let mut first = BTreeMap::new();
    let mut latched = 0u32;
    for (index, evaluation) in log.iter().enumerate() {
        let new = evaluation.failures & !latched;
        for bit in (0..32).map(|b| 1u32 << b).filter(|b| new & b != 0) {
            first.insert(bit, index + 1);
        }
        latched |= evaluation.failures;
    }
    first
}

/// Checks that the collector saw the scripted deltas with the scripted stuck results.
fn check_script_replayed(log: &[Evaluation], generated: &Generated) -> Result<(), String> {
    for (index, evaluation) in log.iter().enumerate().take(generated.deltas.len()) {
        if evaluation.delta != generated.deltas[index] {
            return Err(format!(
                "sample {}: collector saw delta {:#x}, script had {:#x}",
                index + 1,
                evaluation.delta,
                generated.deltas[index]
            ));
        }
        let ok = match generated.classes[index] {
            Class::Stuck => evaluation.stuck,
            Class::NotStuck => !evaluation.stuck,
            Class::Unchecked => true,
        };
        if !ok {
            return Err(format!("sample {}: unexpected stuck result", index + 1));
        }
    }
    Ok(())
}

/// Replays one scenario through a collector: the read must stop with the code of the first
/// failure the scenario induces, at the sample where the scenario puts it.
fn run_collector(scenario: &Scenario, mode: Mode, osr: u32) -> Result<(), String> {
    let mut rig = Rig::new(mode, osr, SMALL_MEMORY, 0x5eed ^ u64::from(osr));
    let generated = generate(scenario, mode, osr, rig.history(), rig.apt_window_offset());
    let start = rig.driver.evaluations();
    rig.script(&generated.deltas);

    // Enough blocks to consume the whole script even where nothing fails.
    let blocks = generated.deltas.len() as u64 / samples_per_block(osr) + 2;
    let mut out = vec![0u8; 32 * blocks as usize];
    let code = rig.library.read_entropy(&mut rig.collector, &mut out);
    let log = rig.driver.log_since(start);
    check_script_replayed(&log, &generated)?;

    let first = first_latches(&log);
    let Some(&at) = generated.marks.values().min() else {
        if code != out.len() as isize || !first.is_empty() {
            return Err(format!(
                "healthy script gave code {code}, latches {first:?}"
            ));
        }
        return Ok(());
    };
    // The read stops at the first reported failure, so only the earliest marks can show.
    let expected: BTreeMap<u32, usize> = generated
        .marks
        .iter()
        .filter(|&(_, &i)| i == at)
        .map(|(&b, &i)| (b, i))
        .collect();
    let expected_bits = expected.keys().fold(0, |all, b| all | b);
    if first != expected {
        return Err(format!("first latches {first:?}, expected {expected:?}"));
    }
    if log.len() != at {
        return Err(format!(
            "{} samples taken after the failure",
            log.len() - at
        ));
    }
    if code != expected_read_code(expected_bits) {
        return Err(format!(
            "read returned {code}, expected {}",
            expected_read_code(expected_bits)
        ));
    }
    Ok(())
}

#[test]
fn collector_reports_each_scenario_with_its_code_at_its_cutoff() {
    let mut failures = Vec::new();
    let mut runs = 0;
    for scenario in all_scenarios() {
        // The global lag cutoff needs about 2^17 samples inside one lag window, which the
        // collector's own start-up samples already cut into; the state-machine level covers it.
        if scenario.name == "lag-global.txt" || scenario.collector_only {
            continue;
        }
        for (mode, osrs) in &scenario.runs {
            for &osr in osrs {
                runs += 1;
                if let Err(e) = run_collector(&scenario, *mode, osr) {
                    failures.push(format!("{} {mode:?} osr {osr}: {e}", scenario.name));
                }
            }
        }
    }
    for failure in &failures {
        eprintln!("FAILED {failure}");
    }
    assert!(runs >= 30, "only {runs} collector runs");
    assert!(
        failures.is_empty(),
        "{} of {runs} collector runs failed",
        failures.len()
    );
}

/// Generates a scenario for a collector that already has a healthy block behind it.
fn generate_for(rig: &Rig, file: &str, mode: Mode, osr: u32) -> Generated {
    let scenario = load_scenario(&data_dir().join(file));
    generate(&scenario, mode, osr, rig.history(), rig.apt_window_offset())
}

#[test]
fn repeated_reads_after_an_intermittent_failure_reach_the_permanent_cutoff() {
    // After a failure every read_entropy call takes one priming sample and returns the error
    // again (the bits are sticky). Fed more of the same defect, the count climbs to the
    // permanent cutoff: the code must switch from the intermittent to the permanent one at
    // exactly the sample the scenario marks.
    let cases = [
        ("rct-permanent.txt", Mode::Fips, 3),
        ("rct-permanent.txt", Mode::Fips, 20),
        ("rct-permanent.txt", Mode::Ntg1, 3),
        ("rct-permanent.txt", Mode::Ntg1, 5),
        ("apt-permanent.txt", Mode::Fips, 3),
        ("apt-permanent.txt", Mode::Fips, 5),
        ("apt-permanent.txt", Mode::Ntg1, 3),
        ("apt-permanent.txt", Mode::Ntg1, 20),
    ];
    for (file, mode, osr) in cases {
        let context = format!("{file} {mode:?} osr {osr}");
        let mut rig = Rig::new(mode, osr, SMALL_MEMORY, 77 + u64::from(osr));
        let generated = generate_for(&rig, file, mode, osr);
        let start = rig.driver.evaluations();
        rig.script(&generated.deltas);

        let mut out = vec![0xa5u8; 32 * 4];
        let mut codes = Vec::new();
        while rig.driver.evaluations() - start < generated.deltas.len() {
            codes.push(rig.library.read_entropy(&mut rig.collector, &mut out));
        }
        let log = rig.driver.log_since(start);
        check_script_replayed(&log, &generated).unwrap_or_else(|e| panic!("{context}: {e}"));
        assert_eq!(first_latches(&log), generated.marks, "{context}");

        // Every read after the first failure is one sample, so read k (k >= 1) ended at sample
        // first_failure + k and must report the bits latched by then.
        let first_failure = *generated.marks.values().min().unwrap();
        for (k, &code) in codes.iter().enumerate() {
            let sample = first_failure + k;
            let bits = generated
                .marks
                .iter()
                .filter(|&(_, &at)| at <= sample)
                .fold(0, |all, (bit, _)| all | bit);
            assert_eq!(code, expected_read_code(bits), "{context}: read {k}");
        }
        let permanent = generated
            .marks
            .keys()
            .any(|bit| bit >> PERMANENT_SHIFT != 0);
        assert!(permanent, "{context}: no permanent mark");
        assert!(
            codes.last().unwrap() <= &-6,
            "{context}: ended with {codes:?}"
        );
    }
}

#[test]
fn read_entropy_safe_replaces_the_collector_after_an_intermittent_failure() {
    // jent_read_entropy_safe answers -2/-3/-5/-9 with the reset ladder: a new power-up test at
    // osr + 1, a replacement collector with a doubled hash loop and (unless the caller fixed
    // it) a doubled noise buffer, then the rest of the request.
    for mode in [Mode::Fips, Mode::Ntg1] {
        for (osr, extra_flags) in [(3, 0), (5, SMALL_MEMORY)] {
            let context = format!("{mode:?} osr {osr} flags {extra_flags:#x}");
            let mut rig = Rig::new(mode, osr, extra_flags, 1234 + u64::from(osr));
            let memory_before = rig.collector.memory_size();
            let hash_loops_before = rig.collector.hash_loop_count();
            let generated = generate_for(&rig, "rct-intermittent.txt", mode, osr);
            rig.script(&generated.deltas);

            let mut out = vec![0u8; 96];
            let collector = std::mem::replace(
                &mut rig.collector,
                Rig::new(mode, osr, SMALL_MEMORY, 1).collector,
            );
            let (replacement, code) = rig.library.read_entropy_safe(collector, &mut out);
            let replacement = replacement.expect("the ladder found a replacement");
            assert_eq!(code, 96, "{context}");
            assert_eq!(replacement.osr(), osr + 1, "{context}");
            assert_eq!(
                replacement.hash_loop_count(),
                2 * hash_loops_before,
                "{context}"
            );
            let memory_expected = if extra_flags == 0 {
                2 * memory_before
            } else {
                memory_before
            };
            assert_eq!(replacement.memory_size(), memory_expected, "{context}");
            assert_eq!(
                replacement.health_failures(),
                0,
                "{context}: bits carried over"
            );
            assert!(out.iter().any(|&b| b != 0), "{context}: no output");
        }
    }
}

#[test]
fn read_entropy_safe_returns_permanent_failures_at_once() {
    // A window full of one value at osr 18 and 20 (common cutoffs C = Cp = 512) fails the APT
    // permanently without an intermittent failure first: no ladder may run, so the collector
    // comes back unchanged and not one sample is taken after the failing one.
    for osr in [18, 20] {
        let mut rig = Rig::new(Mode::Fips, osr, SMALL_MEMORY, 99);
        let generated = generate_for(&rig, "apt-saturated.txt", Mode::Fips, osr);
        let failing_sample = generated.marks[&(APT_FAILURE << PERMANENT_SHIFT)];
        let start = rig.driver.evaluations();
        rig.script(&generated.deltas);

        let collector = std::mem::replace(
            &mut rig.collector,
            Rig::new(Mode::Fips, 3, SMALL_MEMORY, 1).collector,
        );
        let mut out = vec![0u8; 32 * 8];
        let (collector, code) = rig.library.read_entropy_safe(collector, &mut out);
        assert_eq!(code, -7, "osr {osr}");
        let collector = collector.expect("a permanent failure keeps the collector");
        assert_eq!(collector.osr(), osr);
        assert_eq!(
            rig.driver.evaluations() - start,
            failing_sample,
            "osr {osr}"
        );
    }
}

#[test]
fn the_ladder_carries_the_rct_count_into_the_replacement() {
    // 3.7.0 re-initialises the replacement's RCT count to 30 * osr' (jent_rct_duplicate), so a
    // stuck run that continues across the ladder fails permanently: in common mode after
    // 60 * osr' - 30 * osr' more stuck samples, in NTG.1 mode (permanent cutoff
    // ceil(60 * osr' / 8) < 30 * osr') at the very first one.
    for mode in [Mode::Fips, Mode::Ntg1] {
        for osr in [3, 5] {
            let context = format!("{mode:?} osr {osr}");
            let mut rig = Rig::new(mode, osr, SMALL_MEMORY, 4321 + u64::from(osr));
            let generated = generate_for(&rig, "rct-intermittent-slope.txt", mode, osr);
            let new_osr = osr + 1;
            // The ladder's power-up test (1 priming + 1124 samples) and the replacement's two
            // start-up stages see healthy noise; then the stuck run resumes. The ladder copies
            // the lag predictor, whose history is also the stuck test's, so the replacement's
            // first sample is judged against the failing collector's last deltas: the run goes
            // on along the same wrapping straight line (third derivative zero), which neither
            // the APT nor the lag predictor can see, so only the RCT counts.
            let ladder_samples = 1125 + 2 * samples_per_block(new_osr);
            let stuck_needed = rct_permanent(mode, new_osr)
                .saturating_sub(30 * u64::from(new_osr))
                .max(1);
            let first_failure = generated.marks[&RCT_FAILURE];
            let (mut h1, mut h0) = (
                generated.deltas[first_failure - 2],
                generated.deltas[first_failure - 1],
            );
            let mut line = Vec::new();
            for _ in 0..stuck_needed + 1000 {
                let next = h0.wrapping_add(h0.wrapping_sub(h1));
                line.push(next);
                (h1, h0) = (h0, next);
            }
            rig.driver.set_phases(vec![
                Phase::Script(
                    generated.deltas[..first_failure].iter().copied().collect(),
                    0,
                ),
                Phase::Random(Some(ladder_samples)),
                Phase::Rewind(line[0]),
                Phase::Script(line[1..].iter().copied().collect(), 1),
                Phase::Random(None),
            ]);
            let start = rig.driver.evaluations();
            let collector = std::mem::replace(
                &mut rig.collector,
                Rig::new(mode, 3, SMALL_MEMORY, 1).collector,
            );
            let mut out = vec![0xa5u8; 64];
            let (collector, code) = rig.library.read_entropy_safe(collector, &mut out);
            assert_eq!(code, -6, "{context}");
            let collector = collector.expect("permanent failures keep the collector");
            assert_eq!(collector.osr(), new_osr, "{context}");
            let taken = (rig.driver.evaluations() - start) as u64;
            assert_eq!(
                taken,
                first_failure as u64 + ladder_samples + stuck_needed,
                "{context}"
            );
        }
    }
}

/// Runs one collector-only scenario (the RCT with memory) and checks its `expect` lines.
fn run_collector_only(scenario: &Scenario, mode: Mode, osr: u32) -> Result<(), String> {
    let mut rig = Rig::new(mode, osr, SMALL_MEMORY, 555 + u64::from(osr));
    let generated = generate(scenario, mode, osr, rig.history(), rig.apt_window_offset());
    let start = rig.driver.evaluations();
    rig.script(&generated.deltas);

    let mut out = vec![0xa5u8; 32];
    let code = rig.library.read_entropy(&mut rig.collector, &mut out);
    let log = rig.driver.log_since(start);
    let first = first_latches(&log);
    let value = |text: &str| evaluate(text, mode, osr, &scenario.name);
    for (what, expected) in &scenario.expectations {
        match what.as_str() {
            "code" if expected == "ok" => {
                if code != 32 || !first.is_empty() {
                    return Err(format!("code {code}, latches {first:?}, expected success"));
                }
                if out.iter().all(|&b| b == 0xa5) {
                    return Err("no output".into());
                }
            }
            "code" => {
                let expected: isize = expected.parse().unwrap();
                if code != expected {
                    return Err(format!("code {code}, expected {expected}"));
                }
                if out.iter().any(|&b| b != 0xa5) {
                    return Err("output written on failure".into());
                }
            }
            "samples" => {
                if log.len() as u64 != value(expected) {
                    return Err(format!(
                        "{} samples, expected {}",
                        log.len(),
                        value(expected)
                    ));
                }
            }
            "good-samples-at-least" => {
                let good = log.iter().filter(|e| !e.stuck).count() as u64;
                if good < value(expected) {
                    return Err(format!(
                        "{good} good samples, expected >= {}",
                        value(expected)
                    ));
                }
            }
            other => {
                let (bit, at) = other
                    .split_once(' ')
                    .filter(|(_, at)| *at == "at")
                    .map(|(bit, _)| (bit_by_name(bit).expect("bit"), value(expected) as usize))
                    .unwrap_or_else(|| panic!("{}: unknown expectation {other}", scenario.name));
                let expected = BTreeMap::from([(bit, at)]);
                if first != expected {
                    return Err(format!("first latches {first:?}, expected {expected:?}"));
                }
            }
        }
    }

    // After an RCT-with-memory failure the permanent bit cannot follow in FIPS/NTG.1 mode: the
    // read stopped at the intermittent failure, and every later read only adds a priming
    // sample, outside any window. The code stays -9 and -10 is never returned.
    if code == -9 {
        for _ in 0..20 {
            let again = rig.library.read_entropy(&mut rig.collector, &mut out);
            if again != -9 {
                return Err(format!("a later read returned {again}"));
            }
        }
        if rig.collector.health_failures() != RCT_MEMORY_FAILURE {
            return Err(format!(
                "latched {}",
                bit_names(rig.collector.health_failures())
            ));
        }
    }
    Ok(())
}

#[test]
fn rct_memory_scenarios_through_a_collector() {
    let mut failures = Vec::new();
    let mut runs = 0;
    for scenario in all_scenarios().iter().filter(|s| s.collector_only) {
        assert!(
            !scenario.expectations.is_empty(),
            "{}: no expect line",
            scenario.name
        );
        for (mode, osrs) in &scenario.runs {
            for &osr in osrs {
                runs += 1;
                if let Err(e) = run_collector_only(scenario, *mode, osr) {
                    failures.push(format!("{} {mode:?} osr {osr}: {e}", scenario.name));
                }
            }
        }
    }
    for failure in &failures {
        eprintln!("FAILED {failure}");
    }
    assert!(runs >= 10, "only {runs} runs");
    assert!(
        failures.is_empty(),
        "{} of {runs} runs failed",
        failures.len()
    );
}

#[test]
fn fips_allocation_without_memory_access_fails() {
    // Reference §16: the start-up memory stage without a buffer measures nothing (delta 0), so
    // the RCT fails at every rung of the ladder up to osr 20 and allocation returns nothing.
    // Config::validate refuses this combination up front; the C-API mirror must still fail
    // loudly rather than hand out a collector.
    let driver = Driver::new(31);
    let mut library = Library::new(Box::new(driver.clone()));
    library.set_os_fips_mode(false);
    library.set_probe(Arc::new(driver.clone()));
    let flags = Mode::Fips.flags() | flags::DISABLE_MEMORY_ACCESS | SMALL_MEMORY;
    assert_eq!(library.entropy_init_ex(17, flags), 0);
    assert!(library.collector_alloc(17, flags).is_none());
}

#[test]
fn stuck_test_history_restarts_with_the_lag_window() {
    // The stuck test reads its history from the lag predictor's ring, which 3.7.0 zeroes every
    // 2^17 samples with the lag window. So the sample right after a window reset is compared
    // with zeros: repeating the previous delta there is not stuck, while one sample earlier
    // (and one later) it is. A zero delta stays stuck everywhere (first derivative).
    const LAG_WINDOW: u64 = 1 << 17;
    let distinct = |k: u64| 0x10_0000_0000 + k * k * 7919 + k * 104_729;
    for (repeat_at, expect_stuck) in [
        (LAG_WINDOW, true),
        (LAG_WINDOW + 1, false),
        (LAG_WINDOW + 2, true),
    ] {
        let mut state = HealthState::new(3, Cutoffs::Common);
        let mut previous = 0;
        for sample in 1..repeat_at {
            previous = distinct(sample);
            assert!(!state.stuck_and_tests(previous), "sample {sample}");
        }
        assert_eq!(
            state.stuck_and_tests(previous),
            expect_stuck,
            "repetition at sample {repeat_at}"
        );
    }
    let mut state = HealthState::new(3, Cutoffs::Common);
    for sample in 1..=LAG_WINDOW {
        state.stuck_and_tests(distinct(sample));
    }
    assert!(state.stuck_and_tests(0), "zero delta after the reset");
}

#[test]
fn collector_alloc_climbs_the_ladder_when_start_up_fails() {
    // The FIPS/NTG.1 start-up samples the memory source, then the SHA-3 source, one block each.
    // If a health test fails meanwhile, allocation replaces the collector through the reset
    // ladder (osr + 1, doubled hash loop) and finishes the start-up with the replacement. Here
    // the SHA-3 stage measures a constant delta: its first sample differs from the last memory
    // sample, the next C are stuck, and the RCT fails at the C-th.
    for mode in [Mode::Fips, Mode::Ntg1] {
        let osr = 3;
        let driver = Driver::new(2024);
        let mut library = Library::new(Box::new(driver.clone()));
        library.set_os_fips_mode(false);
        library.set_probe(Arc::new(driver.clone()));
        let flags = mode.flags() | SMALL_MEMORY;
        assert_eq!(library.entropy_init_ex(osr, flags), 0);

        let memory_stage = samples_per_block(osr);
        let c = rct_intermittent(mode, osr);
        driver.set_phases(vec![
            Phase::Random(Some(memory_stage)),
            Phase::Steady(1 << 30, c + 1),
            Phase::Random(None),
        ]);
        let start = driver.evaluations();
        let collector = library
            .collector_alloc(osr, flags)
            .expect("the ladder recovers");
        assert_eq!(collector.osr(), osr + 1, "{mode:?}");
        assert_eq!(collector.hash_loop_count(), 2, "{mode:?}");
        assert_eq!(collector.health_failures(), 0, "{mode:?}");

        let log = driver.log_since(start);
        let first = first_latches(&log);
        let expected = (memory_stage + c + 1) as usize;
        assert_eq!(first.get(&RCT_FAILURE), Some(&expected), "{mode:?}");
    }
}

#[test]
fn standard_mode_latches_failures_but_never_reports_them() {
    // Without FIPS or NTG.1 the C library keeps running its health tests and latching bits but
    // never reports them (reference §10): the read succeeds on a stuck timer.
    let driver = Driver::new(7);
    let mut library = Library::new(Box::new(driver.clone()));
    library.set_os_fips_mode(false);
    library.set_probe(Arc::new(driver.clone()));
    let flags = flags::DISABLE_INTERNAL_TIMER | SMALL_MEMORY;
    assert_eq!(library.entropy_init_ex(3, flags), 0);
    let mut collector = library.collector_alloc(3, flags).expect("collector");
    assert!(!collector.fips_enabled());

    driver.set_phases(vec![Phase::Steady(1 << 30, 400), Phase::Random(None)]);
    let mut out = [0u8; 32];
    assert_eq!(library.read_entropy(&mut collector, &mut out), 32);
    assert_ne!(collector.health_failures() & RCT_FAILURE, 0);
    assert_ne!(
        collector.health_failures() & (RCT_FAILURE << PERMANENT_SHIFT),
        0
    );
}

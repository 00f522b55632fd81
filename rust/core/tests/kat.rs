//! Known-answer test: replays every case of a jitterentropy 3.7.0 vector file with its scripted
//! timer and compares return codes, timer-read counts, stuck-test counts, the first deltas, the
//! sample at which each health failure was first latched, and every output byte.
//!
//! The vector file is `tests/data/jent-3.7.0-kat.json` (made by running the C library v3.7.0
//! with a scripted time stamp; see the file's `library`, `build` and `protocol` fields), or the
//! file named by `JENT_KAT_VECTORS`. Every case starts from the state of a fresh process: a new
//! `Library` and a new timer script.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use jent_core::{Library, Probe, TimeSource, flags, health};
use serde_json::Value;

/// The scripted delta generator of one script.
#[derive(Clone, Debug)]
enum Script {
    Lcg {
        x: u64,
        mul: u64,
        add: u64,
        shift: u32,
        modulus: u64,
    },
    Xorshift {
        x: u64,
        mul: u64,
        add: u64,
        shift: u32,
        modulus: u64,
    },
    Cycle(Vec<u64>),
    Ramp {
        base: u64,
        step: u64,
    },
}

impl Script {
    fn parse(timer: &Value) -> Script {
        let number = |v: &Value| -> u64 {
            match v {
                Value::String(s) => {
                    let s = s.trim_start_matches("0x");
                    u64::from_str_radix(s, 16).expect("hex seed")
                }
                other => other.as_u64().expect("number"),
            }
        };
        let kind = timer["kind"].as_str().expect("timer kind");
        let delta = &timer["delta"];
        let affine = || {
            (
                number(&timer["seed"]),
                delta["mul"].as_u64().unwrap(),
                delta["add"].as_u64().unwrap(),
                delta["shift"].as_u64().unwrap() as u32,
                delta["modulus"].as_u64().unwrap(),
            )
        };
        match kind {
            "lcg64" => {
                let (x, mul, add, shift, modulus) = affine();
                Script::Lcg {
                    x,
                    mul,
                    add,
                    shift,
                    modulus,
                }
            }
            "xorshift64_13_7_17" => {
                let (x, mul, add, shift, modulus) = affine();
                Script::Xorshift {
                    x,
                    mul,
                    add,
                    shift,
                    modulus,
                }
            }
            "cycle" => Script::Cycle(
                timer["values"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_u64().unwrap())
                    .collect(),
            ),
            "ramp" => Script::Ramp {
                base: timer["base"].as_u64().unwrap(),
                step: timer["step"].as_u64().unwrap(),
            },
            other => panic!("unknown timer kind {other}"),
        }
    }

    /// d_k for read k >= 1, stepping the generator once.
    fn delta(&mut self, k: u64) -> u64 {
        match self {
            Script::Lcg {
                x,
                mul,
                add,
                shift,
                modulus,
            } => {
                *x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                mul.wrapping_mul(add.wrapping_add((*x >> *shift) % *modulus))
            }
            Script::Xorshift {
                x,
                mul,
                add,
                shift,
                modulus,
            } => {
                *x ^= *x << 13;
                *x ^= *x >> 7;
                *x ^= *x << 17;
                mul.wrapping_mul(add.wrapping_add((*x >> *shift) % *modulus))
            }
            Script::Cycle(values) => values[(k % values.len() as u64) as usize],
            Script::Ramp { base, step } => base.wrapping_add(step.wrapping_mul(k)),
        }
    }
}

/// Shared position of the script: every collector of the "process" reads from it.
#[derive(Debug)]
struct ScriptState {
    script: Script,
    reads: u64,
    value: u64,
}

#[derive(Clone, Debug)]
struct ScriptedTimer(Arc<Mutex<ScriptState>>);

impl TimeSource for ScriptedTimer {
    fn now(&mut self) -> u64 {
        let mut state = self.0.lock().unwrap();
        let k = state.reads;
        if k > 0 {
            let delta = state.script.delta(k);
            state.value = state.value.wrapping_add(delta);
        }
        state.reads += 1;
        state.value
    }

    fn duplicate(&self) -> Box<dyn TimeSource> {
        Box::new(self.clone())
    }

    fn name(&self) -> &'static str {
        "scripted"
    }
}

/// What one API call did, as the vector file records it.
#[derive(Debug, Default)]
struct Observed {
    evaluations: u64,
    stuck: u64,
    first_deltas: Vec<u64>,
    first_set: BTreeMap<&'static str, u64>,
}

#[derive(Debug, Default)]
struct Recorder(Mutex<Observed>);

impl Probe for Recorder {
    fn sample_evaluated(&self, delta: u64, stuck: bool, failures: u32) {
        let mut seen = self.0.lock().unwrap();
        seen.evaluations += 1;
        let index = seen.evaluations;
        if stuck {
            seen.stuck += 1;
        }
        if seen.first_deltas.len() < 8 {
            seen.first_deltas.push(delta);
        }
        for name in health::failure_names(failures) {
            seen.first_set.entry(name).or_insert(index);
        }
    }
}

impl Recorder {
    fn take(&self) -> Observed {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// Collects mismatches of one case.
struct Check {
    id: String,
    errors: Vec<String>,
}

impl Check {
    fn eq<T: PartialEq + std::fmt::Debug>(&mut self, what: &str, actual: T, expected: T) {
        if actual != expected {
            self.errors
                .push(format!("{what}: got {actual:?}, expected {expected:?}"));
        }
    }
}

/// The run of one phase: reads of the timer and the probe's record.
struct Phase {
    first_read: u64,
    reads: u64,
    observed: Observed,
}

fn check_phase(check: &mut Check, name: &str, phase: &Phase, expected: &Value) {
    check.eq(
        &format!("{name}.timer_reads"),
        phase.reads,
        expected["timer_reads"].as_u64().unwrap(),
    );
    if phase.reads > 0 {
        check.eq(
            &format!("{name}.first_timer_read_index"),
            phase.first_read,
            expected["first_timer_read_index"].as_u64().unwrap(),
        );
    }
    check.eq(
        &format!("{name}.stuck_test_calls"),
        phase.observed.evaluations,
        expected["stuck_test_calls"].as_u64().unwrap(),
    );
    check.eq(
        &format!("{name}.stuck_count"),
        phase.observed.stuck,
        expected["stuck_count"].as_u64().unwrap(),
    );
    let deltas: Vec<u64> = expected["first_deltas_after_gcd"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    check.eq(
        &format!("{name}.first_deltas_after_gcd"),
        phase.observed.first_deltas.clone(),
        deltas,
    );
    let first_set: BTreeMap<String, u64> = expected["health_failures_first_set_at_sample"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
        .collect();
    let actual: BTreeMap<String, u64> = phase
        .observed
        .first_set
        .iter()
        .map(|(k, v)| (k.replace("RCT_MEMORY", "RCT_MEM"), *v))
        .collect();
    check.eq(
        &format!("{name}.health_failures_first_set_at_sample"),
        actual,
        first_set,
    );
}

/// A fresh "process" for one script.
struct Process {
    library: Library,
    timer: Arc<Mutex<ScriptState>>,
    recorder: Arc<Recorder>,
}

impl Process {
    fn new(script: &Value, t0: u64, relax_mlock: bool, cpus: usize) -> Self {
        let timer = Arc::new(Mutex::new(ScriptState {
            script: Script::parse(&script["timer"]),
            reads: 0,
            value: t0,
        }));
        let recorder = Arc::new(Recorder::default());
        let mut library = Library::new(Box::new(ScriptedTimer(Arc::clone(&timer))));
        // The vectors were made on a host without OS FIPS mode.
        library.set_os_fips_mode(false);
        library.set_backtracking_generate(relax_mlock);
        library.set_cpus(cpus);
        library.set_probe(recorder.clone());
        Self {
            library,
            timer,
            recorder,
        }
    }

    fn reads(&self) -> u64 {
        self.timer.lock().unwrap().reads
    }

    /// Runs `call` and records what it did.
    fn phase<T>(&mut self, call: impl FnOnce(&mut Library) -> T) -> (T, Phase) {
        let first_read = self.reads();
        self.recorder.take();
        let result = call(&mut self.library);
        let phase = Phase {
            first_read,
            reads: self.reads() - first_read,
            observed: self.recorder.take(),
        };
        (result, phase)
    }
}

fn run_case(vectors: &Value, case: &Value, relax_mlock: bool, check: &mut Check) {
    let script = &vectors["scripts"][case["script"].as_str().unwrap()];
    let t0 = vectors["timer"]["t0"].as_u64().unwrap();
    let osr = case["osr_requested"].as_u64().unwrap() as u32;
    let flags = case["flags_passed_to_api"].as_u64().unwrap() as u32;
    assert_ne!(
        flags & flags::DISABLE_INTERNAL_TIMER,
        0,
        "protocol passes DISABLE_INTERNAL_TIMER"
    );
    let mut process = Process::new(script, t0, relax_mlock, 2);

    let (init, phase) = process.phase(|lib| lib.entropy_init_ex(osr, flags));
    check.eq(
        "init.return",
        i64::from(init),
        case["init"]["return"].as_i64().unwrap(),
    );
    check_phase(check, "init", &phase, &case["init"]);
    check.eq(
        "init.gcd_established_after_call",
        process.library.gcd(),
        case["init"]["gcd_established_after_call"].as_u64().unwrap(),
    );

    let (collector, phase) = process.phase(|lib| lib.collector_alloc(osr, flags));
    let alloc = &case["alloc"];
    check_phase(check, "alloc", &phase, alloc);
    let expected_non_null = alloc["return"].as_str() == Some("non-NULL");
    check.eq("alloc.return", collector.is_some(), expected_non_null);
    let Some(mut collector) = collector else {
        return;
    };
    check.eq(
        "alloc.osr_effective",
        u64::from(collector.osr()),
        alloc["osr_effective"].as_u64().unwrap(),
    );
    check.eq(
        "alloc.fips_enabled",
        u64::from(collector.fips_enabled()),
        alloc["fips_enabled"].as_u64().unwrap(),
    );
    check.eq(
        "alloc.hashloopcnt",
        collector.hash_loop_count(),
        alloc["hashloopcnt"].as_u64().unwrap(),
    );
    check.eq(
        "alloc.gcd_used",
        collector.gcd(),
        alloc["gcd_used"].as_u64().unwrap(),
    );

    for (name, len) in [("read1", 64usize), ("read2", 32usize)] {
        let expected = &case[name];
        let mut out = vec![0u8; len];
        let (code, phase) = process.phase(|lib| lib.read_entropy(&mut collector, &mut out));
        check.eq(
            &format!("{name}.return"),
            code as i64,
            expected["return"].as_i64().unwrap(),
        );
        check_phase(check, name, &phase, expected);
        let key = match (name, relax_mlock) {
            ("read1", _) => "output_hex",
            (_, false) => "output_hex_secure_memory_build",
            (_, true) => "output_hex_relax_mlock_build",
        };
        if let Some(hex) = expected[key].as_str() {
            check.eq(&format!("{name}.{key}"), to_hex(&out), hex.to_string());
        }
    }
}

/// The plain calls `jent_entropy_init()` + `jent_entropy_collector_alloc(1, 0)`. For the failing
/// scripts the vectors record the upstream Makefile build, whose CPU count reads as 1 so that
/// the internal-timer fallback cannot start; one CPU reproduces that build.
fn run_plain_case(vectors: &Value, case: &Value, check: &mut Check) {
    let script = &vectors["scripts"][case["script"].as_str().unwrap()];
    let t0 = vectors["timer"]["t0"].as_u64().unwrap();
    let mut process = Process::new(script, t0, false, 1);

    let (init, phase) = process.phase(|lib| lib.entropy_init());
    check.eq(
        "init_return",
        i64::from(init),
        case["init_return"].as_i64().unwrap(),
    );
    check.eq(
        "init_timer_reads",
        phase.reads,
        case["init_timer_reads"].as_u64().unwrap(),
    );

    let (collector, phase) = process.phase(|lib| lib.collector_alloc(1, 0));
    check.eq(
        "alloc_return",
        collector.is_some(),
        case["alloc_return"].as_str() == Some("non-NULL"),
    );
    check.eq(
        "alloc_timer_reads",
        phase.reads,
        case["alloc_timer_reads"].as_u64().unwrap(),
    );
    let Some(mut collector) = collector else {
        return;
    };

    let mut out = vec![0u8; 64];
    process.library.read_entropy(&mut collector, &mut out);
    check.eq(
        "read1_output_hex",
        to_hex(&out),
        case["read1_output_hex"].as_str().unwrap().to_string(),
    );
    let mut out = vec![0u8; 32];
    process.library.read_entropy(&mut collector, &mut out);
    let expected = case["read2_output_hex_secure_memory_build"]
        .as_str()
        .unwrap()
        .to_string();
    check.eq(
        "read2_output_hex_secure_memory_build",
        to_hex(&out),
        expected,
    );
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn kat() {
    let path = std::env::var_os("JENT_KAT_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/jent-3.7.0-kat.json")
        });
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read vector file {}: {e}", path.display()));
    let vectors: Value = serde_json::from_str(&text).expect("vector file is JSON");

    let mut passed = 0;
    let mut failures = Vec::new();
    for case in vectors["cases"].as_array().expect("cases") {
        for relax_mlock in [false, true] {
            let id = format!(
                "{} ({})",
                case["id"].as_str().unwrap(),
                if relax_mlock {
                    "relax-mlock build"
                } else {
                    "secure-memory build"
                }
            );
            let mut check = Check {
                id,
                errors: Vec::new(),
            };
            run_case(&vectors, case, relax_mlock, &mut check);
            if check.errors.is_empty() {
                passed += 1
            } else {
                failures.push(check)
            }
        }
    }
    for case in vectors["plain_api_cases"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[])
    {
        let id = format!("plain API {}", case["script"].as_str().unwrap());
        let mut check = Check {
            id,
            errors: Vec::new(),
        };
        run_plain_case(&vectors, case, &mut check);
        if check.errors.is_empty() {
            passed += 1
        } else {
            failures.push(check)
        }
    }

    for failure in &failures {
        eprintln!("FAILED {}", failure.id);
        for error in failure.errors.iter().take(6) {
            eprintln!("    {error}");
        }
    }
    println!("kat: {passed} passed, {} failed", failures.len());
    assert!(passed > 0, "no known-answer case ran");
    assert!(
        failures.is_empty(),
        "{} known-answer cases failed",
        failures.len()
    );
}

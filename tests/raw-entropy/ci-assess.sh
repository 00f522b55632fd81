#!/usr/bin/env bash
# Reduced SP 800-90B assessment for CI: a change that makes the noise loop cheaper (and the
# deltas more predictable) must not land silently.
#
# Records, from the release build, 100,000 sequential samples (§3.1.3) and a 100 x 100 restart
# matrix (§3.1.4) at osr 3 in FIPS mode, runs the non-IID estimators and the restart checks, and
# fails when an estimate drops below the 1/osr claim or the restart sanity check fails.
# These sizes are below what a validation needs (1,000,000 samples, 1000 x 1000): the result is a
# screening gate, the committed full run under docs/entropy-assessment/ is the evidence.
#
# Sizes can be changed with JENT_CI_SAMPLES, JENT_CI_RESTARTS, JENT_CI_RESTART_SAMPLES.
# The report goes to .cache/raw-entropy/ci/ (git-ignored).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$repo_root/.cache/raw-entropy/ci"
samples="${JENT_CI_SAMPLES:-100000}"
restarts="${JENT_CI_RESTARTS:-100}"
restart_samples="${JENT_CI_RESTART_SAMPLES:-100}"
started=$(date +%s)

log() { printf 'ci-assess: %s\n' "$*" >&2; }

# Step 1: the estimators (idempotent; builds PyPI's sp800-90b on a fresh machine).
bash "$repo_root/tests/raw-entropy/install.sh"

# Step 2: the assessment script's own tests (its estimate equals sp800-90b's h_initial, the gate
# fails on poor data, the restart sanity cutoff matches a simulation).
log "testing assess.py"
"$repo_root/.cache/raw-entropy/venv/bin/python" "$repo_root/tests/raw-entropy/test_assess.py"

# Step 3: the binary that ships. A debug build would not show the shipped noise.
log "building jent (release)"
(cd "$repo_root" && cargo build --release --quiet -p jent-cli)
jent="${CARGO_TARGET_DIR:-$repo_root/target}/release/jent"

# Step 4: record and assess. jent assess exits 1 when an estimate is below 1/osr.
rm -rf "$out"
set +e
"$jent" assess --out "$out" --title "CI screening assessment" --no-progress \
    --osr 3 --mode fips --samples "$samples" \
    --restarts "$restarts" --restart-samples "$restart_samples"
status=$?
set -e

# Step 5: one line a person can read in the CI log.
summary="$out/summary.json"
if [[ -f "$summary" ]]; then
    "$repo_root/.cache/raw-entropy/venv/bin/python" - "$summary" <<'PY' >&2
import json, sys
s = json.load(open(sys.argv[1]))
seq, rst = s["sequential"], s["restart"]
line = (f"ci-assess: H_I {seq['h_initial']:.3f} bits/sample (set by {seq['set_by']}), "
        f"claim {s['claim_bits_per_sample']:.3f}")
if rst:
    line += (f"; restart {rst['rows']}x{rst['columns']} H_r {rst['h_r']:.3f} H_c {rst['h_c']:.3f}"
             f" sanity {'passed' if rst['sanity_passed'] else 'FAILED'}")
print(line)
PY
fi
elapsed=$(($(date +%s) - started))
if ((status == 0)); then
    log "PASS in ${elapsed} s; report: $out/report.md"
else
    log "FAIL (exit status $status) in ${elapsed} s; report: $out/report.md"
fi
exit "$status"

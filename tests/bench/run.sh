#!/usr/bin/env bash
# Benchmarks the Rust collector's release build (docs/benchmarks.md explains the figures):
#   1. the machine, the date and the load before and after;
#   2. `jent bench --json` ROUNDS times (throughput standard/FIPS at 32- and 4096-byte reads,
#      start-up in fresh processes);
#   3. start-up wall and CPU time in PROCESSES x 3 fresh processes (tests/bench/probe), since on
#      shared cores the wall time also counts the wait for a CPU;
#   4. samples per 32-byte block, counted through the core's probe hook (tests/bench/probe);
#   5. with valgrind: instructions and calls per 32-byte block (callgrind, one dump per block), which
#      do not depend on the load.
# It measures this repository's code only. Usage:
#   tests/bench/run.sh [ROUNDS] [SECONDS] [REPETITIONS] [PROCESSES]   (default 3 1.5 5 5)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}
seconds=${2:-1.5}
repetitions=${3:-5}
processes=${4:-5}

# The shipped release profile strips symbols; callgrind below needs them to find
# Pool::generate, so this build keeps them in its own target directory. The code is the same.
CARGO_PROFILE_RELEASE_STRIP=false CARGO_PROFILE_RELEASE_DEBUG=1 CARGO_TARGET_DIR=target/bench \
  cargo build --release -p jent-cli
jent=target/bench/release/jent
CARGO_TARGET_DIR=target/bench cargo build --release \
  --manifest-path tests/bench/probe/Cargo.toml
probe=target/bench/release/jent-bench-probe

echo "date: $(date -u +%FT%TZ)"
echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
lscpu | grep -E '^(Model name|CPU family|Model|CPU\(s\)|Thread\(s\) per core|Hypervisor vendor):' \
  | sed 's/  */ /g'
echo "kernel: $(uname -r)"
echo "clocksource: $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
echo "rustc: $(rustc --version)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"

for round in $(seq 1 "$rounds"); do
  echo "bench round $round (load $(cut -d' ' -f1-3 /proc/loadavg)):"
  "$jent" bench --seconds "$seconds" --repetitions "$repetitions" --processes "$processes" --json
done

echo "start-up in fresh processes (wall and CPU ms):"
for _ in $(seq 1 $((processes * 3))); do
  for mode in standard fips; do
    echo "$mode $("$probe" startup "$mode")"
  done
done | python3 -c '
import sys, collections
values = collections.defaultdict(list)
for line in sys.stdin:
    mode, *pairs = line.split()
    for key, value in zip(pairs[::2], pairs[1::2]):
        values[(mode, key)].append(float(value))
for (mode, key), xs in values.items():
    xs.sort()
    print(f"  {mode:8} {key:24} min {xs[0]:7.2f} median {xs[len(xs) // 2]:7.2f} max {xs[-1]:7.2f}")
'

echo "samples per block:"
"$probe" samples-per-block standard 200
"$probe" samples-per-block fips 200

if command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  for mode in standard fips; do
    # One profile dump after every XDRBG generate step: each later dump holds exactly one block.
    valgrind --tool=callgrind --dump-after='jent_core::xdrbg::Pool::generate' \
      --callgrind-out-file="$work/$mode.out" "$jent" read "--$mode" --bytes 640 >/dev/null 2>&1
    python3 - "$work/$mode.out" "$mode" <<'PY'
import glob, re, statistics, sys
from collections import Counter

def parse(path):
    """Total instructions and calls per callee of one callgrind dump."""
    names, calls, callee, total = {}, Counter(), None, 0
    for line in open(path):
        match = re.match(r'^(c?fn)=\((\d+)\)(?: (.*))?$', line.rstrip('\n'))
        if match:
            kind, ident, name = match.groups()
            if name:
                names[ident] = name
            if kind == 'cfn':
                callee = names.get(ident, ident)
        elif line.startswith('calls=') and callee:
            calls[callee] += int(line.split('=')[1].split()[0])
        elif line.startswith('summary:'):
            total = int(line.split()[1])
    return total, calls

prefix, mode = sys.argv[1], sys.argv[2]
dumps = sorted(glob.glob(prefix + '.*'), key=lambda p: int(p.rsplit('.', 1)[1]))[1:]
rows = []
for dump in dumps:
    total, calls = parse(dump)
    pick = lambda suffix: sum(n for name, n in calls.items() if name.endswith(suffix))
    rows.append((pick('Collector::measure'), total, pick('memory_access_pseudorandom'),
                 pick('Collector::hash_loop'), pick('keccak::f1600')))
# Instructions grow linearly with the samples (stuck retries vary): fit and evaluate at the spec count.
xs, ys = [r[0] for r in rows], [r[1] for r in rows]
slope = statistics.linear_regression(xs, ys).slope
intercept = statistics.linear_regression(xs, ys).intercept
spec = 769 if mode == 'standard' else 964
print(f"callgrind {mode}: {len(rows)} blocks, samples per block {min(xs)}..{max(xs)}, "
      f"{slope:.0f} instructions per sample, {intercept + slope * spec:.0f} per block at {spec} samples")
ok = all(m == s and h == s and k == 2 * s + 2 for s, _, m, h, k in rows)
print(f"  per block: memory-access calls = hash-loop calls = samples, Keccak-f = 2 x samples + 2: "
      f"{'yes' if ok else 'NO'}")
PY
  done
else
  echo "valgrind not installed: instruction counts skipped"
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

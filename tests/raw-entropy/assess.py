#!/usr/bin/env python3
"""SP 800-90B assessment of raw jitter samples, with a report a person can read.

Inputs (see `--help`):
  * a sequential sample file: one 8-bit sample per byte (§3.1.3, at least 1,000,000 samples for a
    validation; fewer gives a screening figure only);
  * optionally the 64-bit deltas the 8-bit samples were cut from (little-endian u64), for the plot;
  * optionally a restart matrix: R rows x C samples, row i = the first C samples after restart i
    (§3.1.4.1; a validation needs 1000 x 1000);
  * optionally the JSON sidecars `jent raw` writes next to each capture (settings, provenance,
    health-test counters).

Outputs, in --out: report.md, summary.json and delta-distribution.png.

Exit status: 0 when every estimate meets the 1/osr claim, 1 when one does not (the CI gate),
2 for bad input, 3 when the estimator package is missing.

The estimators are NIST's C++ code as wrapped by PyPI's `sp800-90b` package; install it with
tests/raw-entropy/install.sh.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

EXIT_PASS = 0
EXIT_GATE_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_NOT_INSTALLED = 3

INSTALL_HINT = "run tests/raw-entropy/install.sh, then use .cache/raw-entropy/venv/bin/python"

# §3.1.3 and §3.1.4.1: the sizes a validation needs; smaller data sets still run but are labelled.
VALIDATION_SEQUENTIAL_SAMPLES = 1_000_000
VALIDATION_RESTART_SHAPE = (1000, 1000)

# Standard file names inside a `jent raw --out-dir` directory.
CAPTURE_FILES = {
    "samples": "sequential-u8.bin",
    "deltas": "sequential-u64le.bin",
    "sidecar": "sequential.json",
    "restart": "restart-u8.bin",
    "restart_deltas": "restart-u64le.bin",
    "restart_sidecar": "restart.json",
}


class BadInput(Exception):
    """An input file or option that cannot be assessed; the message names what was wrong."""


@dataclass
class Estimate:
    """One estimator's result in bits per sample (bits per bit for the bitstring side)."""

    name: str
    section: str
    bits: float | None  # None: the estimator does not apply to this data (NIST returns < 0)
    seconds: float


@dataclass
class SequentialResult:
    samples: int
    word_size: int
    alphabet_size: int
    literal: list[Estimate] = field(default_factory=list)
    bitstring: list[Estimate] = field(default_factory=list)
    h_original: float = 0.0
    h_bitstring: float = 0.0
    h_initial: float = 0.0
    set_by: str = ""
    seconds: float = 0.0


@dataclass
class RestartResult:
    rows: int
    columns: int
    h_i: float
    alpha: float
    row_cutoff: int
    column_cutoff: int
    max_row_count: int
    max_column_count: int
    sanity_passed: bool
    # The same check at the measured sequential estimate, which is stricter than the claim.
    measured_h_i: float | None = None
    measured_row_cutoff: int | None = None
    measured_column_cutoff: int | None = None
    measured_sanity_passed: bool | None = None
    row_estimates: list[Estimate] = field(default_factory=list)
    column_estimates: list[Estimate] = field(default_factory=list)
    h_r: float = 0.0
    h_c: float = 0.0
    validation_passed: bool = False
    h_r_set_by: str = ""
    h_c_set_by: str = ""
    seconds: float = 0.0


def import_estimators():
    try:
        import sp800_90b  # noqa: PLC0415 (imported late so --help works without it)
    except ImportError as error:
        print(f"assess.py: the `sp800-90b` package is not installed ({error}); {INSTALL_HINT}",
              file=sys.stderr)
        sys.exit(EXIT_NOT_INSTALLED)
    return sp800_90b


def log(message: str) -> None:
    print(f"assess.py: {message}", file=sys.stderr, flush=True)


def timed(function):
    start = time.monotonic()
    value = function()
    return value, time.monotonic() - start


# The §6.3 estimators in report order: name, section, and the wrapper's method on the samples and
# on the samples unpacked to bits (§3.1.3 H_bitstring, most significant bit first). In the
# wrapper t-Tuple and LRS come from one suffix-array pass, so they are computed together.
ESTIMATORS = [
    ("Most Common Value", "6.3.1", "h_most_common", "h_bitstring_most_common"),
    ("Collision", "6.3.2", "h_collision", "h_bitstring_collision"),
    ("Markov", "6.3.3", "h_markov", "h_bitstring_markov"),
    ("Compression", "6.3.4", "h_compression", "h_bitstring_compression"),
    ("t-Tuple / LRS", "6.3.5", "h_t_tuple_and_lrs", "h_bitstring_t_tuple_and_lrs"),
    ("MultiMCW Prediction", "6.3.7", "h_multi_most_common", "h_bitstring_multi_most_common"),
    ("Lag Prediction", "6.3.8", "h_lag_prediction", "h_bitstring_lag_prediction"),
    ("MultiMMC Prediction", "6.3.9", "h_multi_markov", "h_bitstring_multi_markov"),
    ("LZ78Y Prediction", "6.3.10", "h_lz78y", "h_bitstring_lz78y"),
]

# §6.3.2-6.3.4 are defined for binary samples only.
BINARY_ONLY = {"6.3.2", "6.3.3", "6.3.4"}


def run_estimators(data, bitstring: bool, is_binary: bool) -> list[Estimate]:
    estimates = []
    prefix, width = ("bits: ", 22) if bitstring else ("", 28)
    for name, section, literal_method, bitstring_method in ESTIMATORS:
        if not bitstring and not is_binary and section in BINARY_ONLY:
            continue
        value, seconds = timed(getattr(data, bitstring_method if bitstring else literal_method))
        if section == "6.3.5":
            t_tuple, lrs = value
            log(f"  {prefix}{name:<{width}} {t_tuple:9.6f} / {lrs:.6f}  ({seconds:.1f} s)")
            estimates.append(Estimate("t-Tuple", "6.3.5", t_tuple if t_tuple >= 0 else None, seconds))
            estimates.append(Estimate("LRS", "6.3.6", lrs if lrs >= 0 else None, 0.0))
            continue
        log(f"  {prefix}{name:<{width}} {value:9.6f}  ({seconds:.1f} s)")
        estimates.append(Estimate(name, section, value if value >= 0 else None, seconds))
    return estimates


def minimum_of(estimates: list[Estimate], ceiling: float) -> tuple[float, str]:
    """The smallest applicable estimate and its name; `ceiling` is the bound for no estimate."""
    best_bits, best_name = ceiling, "maximum possible (no estimator went lower)"
    for estimate in estimates:
        if estimate.bits is not None and estimate.bits < best_bits:
            best_bits, best_name = estimate.bits, f"{estimate.name} (§{estimate.section})"
    return best_bits, best_name


def load_samples(path: Path) -> bytes:
    samples = path.read_bytes()
    if not samples:
        raise BadInput(f"{path}: the sample file is empty")
    return samples


def make_data(sp800_90b, samples: bytes, bits_per_sample: int, what: str):
    # The wrapper raises ValueError for a one-symbol alphabet; that data set has no entropy at all.
    try:
        return sp800_90b.Data(samples, bits_per_sample, False)
    except ValueError as error:
        raise BadInput(f"{what}: {error}") from error


def assess_sequential(sp800_90b, samples: bytes, bits_per_sample: int) -> SequentialResult:
    """§3.1.3: H_I = min(H_original, n x H_bitstring) for non-binary samples."""
    start = time.monotonic()
    data = make_data(sp800_90b, samples, bits_per_sample, "sequential samples")
    word_size = int(data.h_max())
    is_binary = len(set(samples)) == 2 and word_size == 1
    result = SequentialResult(samples=len(samples), word_size=word_size,
                              alphabet_size=len(set(samples)))

    log(f"sequential: {len(samples)} samples, {result.alphabet_size} distinct values")
    result.literal = run_estimators(data, False, is_binary)
    result.h_original, original_set_by = minimum_of(result.literal, float(word_size))

    # For binary samples the bitstring is the data itself, so §3.1.3 uses H_original alone.
    if is_binary:
        result.h_initial, result.set_by = result.h_original, original_set_by
        result.h_bitstring = result.h_original
    else:
        result.bitstring = run_estimators(data, True, True)
        result.h_bitstring, bitstring_set_by = minimum_of(result.bitstring, 1.0)
        scaled = word_size * result.h_bitstring
        if scaled < result.h_original:
            result.h_initial = scaled
            result.set_by = f"bitstring {bitstring_set_by} x {word_size}"
        else:
            result.h_initial, result.set_by = result.h_original, original_set_by

    result.seconds = time.monotonic() - start
    return result


def binomial_upper_tail(trials: int, probability: float, at_least: int) -> float:
    """P(X >= at_least) for X ~ Binomial(trials, probability), summed in log space."""
    if at_least <= 0:
        return 1.0
    if at_least > trials or probability <= 0.0:
        return 0.0
    if probability >= 1.0:
        return 1.0
    log_p, log_q = math.log(probability), math.log1p(-probability)
    log_terms = [
        math.lgamma(trials + 1) - math.lgamma(j + 1) - math.lgamma(trials - j + 1)
        + j * log_p + (trials - j) * log_q
        for j in range(at_least, trials + 1)
    ]
    peak = max(log_terms)
    return min(1.0, math.exp(peak) * sum(math.exp(t - peak) for t in log_terms))


def sanity_check_cutoff(h_i: float, alphabet_size: int, samples_per_line: int,
                        alpha: float) -> int:
    """§3.1.4.3: the largest most-common-value count a row or column may have.

    Worst case for a claim of H_I bits (the same model NIST's ea_restart simulates): as many
    symbols as possible have probability p = 2^-H_I, the rest share what is left evenly. NIST
    takes the (1 - alpha) quantile of a simulated maximum count (5,000,000 rounds); here the tail
    of the maximum is bounded by the sum of the per-symbol binomial tails (counts of a multinomial
    are negatively associated, so the bound holds, and at tails near 1e-5 it is tight). This needs
    no random numbers and is never below the exact quantile. Checked against ea_restart built from
    the sp800-90b sdist on 256-symbol data: 848 here vs 849 simulated at H_I = 0.333333, 85 vs 84
    at H_I = 4.4; the simulation's own run-to-run spread is of that size.
    """
    p = 2.0 ** -h_i
    likely_symbols = min(int(math.floor(1.0 / p)), alphabet_size)
    if likely_symbols >= alphabet_size:
        probabilities = [1.0 / alphabet_size] * alphabet_size
    else:
        rest = (1.0 - p * likely_symbols) / (alphabet_size - likely_symbols)
        probabilities = [p] * likely_symbols + [rest] * (alphabet_size - likely_symbols)

    # Distinct probabilities only: the tail is the same for symbols with the same probability.
    weights: dict[float, int] = {}
    for probability in probabilities:
        weights[probability] = weights.get(probability, 0) + 1

    for cutoff in range(samples_per_line // alphabet_size, samples_per_line + 1):
        tail = sum(count * binomial_upper_tail(samples_per_line, probability, cutoff + 1)
                   for probability, count in weights.items())
        if tail <= alpha:
            return cutoff
    return samples_per_line


def most_common_count(line: bytes) -> int:
    counts = [0] * 256
    for value in line:
        counts[value] += 1
    return max(counts)


def assess_restart(sp800_90b, matrix: bytes, rows: int, columns: int, bits_per_sample: int,
                   h_i: float, measured_h_i: float | None) -> RestartResult:
    """§3.1.4: sanity check on rows and columns, then the row and column data sets."""
    start = time.monotonic()
    row_lines = [matrix[r * columns:(r + 1) * columns] for r in range(rows)]
    column_lines = [bytes(matrix[r * columns + c] for r in range(rows)) for c in range(columns)]
    alphabet_size = len(set(matrix))

    # §3.1.4.3 sanity check. alpha spreads 1 % over all rows and columns as NIST's tool does.
    # A row holds `columns` samples and a column `rows`, so each has its own cutoff.
    alpha = 1.0 - math.exp(math.log(0.99) / (rows + columns))
    row_cutoff = sanity_check_cutoff(h_i, alphabet_size, columns, alpha)
    column_cutoff = sanity_check_cutoff(h_i, alphabet_size, rows, alpha)
    max_row = max(most_common_count(line) for line in row_lines)
    max_column = max(most_common_count(line) for line in column_lines)
    result = RestartResult(rows=rows, columns=columns, h_i=h_i, alpha=alpha,
                           row_cutoff=row_cutoff, column_cutoff=column_cutoff,
                           max_row_count=max_row, max_column_count=max_column,
                           sanity_passed=max_row <= row_cutoff and max_column <= column_cutoff)
    log(f"restart: {rows} x {columns}, H_I {h_i:.6f}, sanity cutoffs row {row_cutoff} "
        f"column {column_cutoff}, max count row {max_row} column {max_column}")

    # Informational: the sanity check again at the measured estimate, where it has more power.
    if measured_h_i is not None and measured_h_i > h_i:
        usable = min(measured_h_i, math.log2(alphabet_size))
        result.measured_h_i = usable
        result.measured_row_cutoff = sanity_check_cutoff(usable, alphabet_size, columns, alpha)
        result.measured_column_cutoff = sanity_check_cutoff(usable, alphabet_size, rows, alpha)
        result.measured_sanity_passed = (max_row <= result.measured_row_cutoff
                                         and max_column <= result.measured_column_cutoff)

    # §3.1.4.2: the row data set is the matrix as captured, the column data set its transpose.
    # NIST's ea_restart runs the estimators on the samples themselves (no bitstring side).
    word_ceiling = float(bits_per_sample)
    is_binary = alphabet_size == 2 and bits_per_sample == 1
    log("restart rows:")
    row_data = make_data(sp800_90b, matrix, bits_per_sample, "restart rows")
    result.row_estimates = run_estimators(row_data, False, is_binary)
    result.h_r, result.h_r_set_by = minimum_of(result.row_estimates, word_ceiling)
    del row_data
    log("restart columns:")
    column_data = make_data(sp800_90b, b"".join(column_lines), bits_per_sample, "restart columns")
    result.column_estimates = run_estimators(column_data, False, is_binary)
    result.h_c, result.h_c_set_by = minimum_of(result.column_estimates, word_ceiling)
    del column_data

    # §3.1.4.2 validation: min(H_r, H_c) must be at least H_I / 2.
    result.validation_passed = result.sanity_passed and min(result.h_r, result.h_c) >= h_i / 2
    result.seconds = time.monotonic() - start
    return result


def read_sidecar(path: Path | None) -> dict | None:
    if path is None:
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise BadInput(f"{path}: cannot read the capture sidecar: {error}") from error


def read_u64_deltas(path: Path | None, limit: int | None = None) -> list[int] | None:
    if path is None:
        return None
    raw = path.read_bytes()
    if len(raw) % 8:
        raise BadInput(f"{path}: size {len(raw)} is not a multiple of 8 (little-endian u64)")
    count = len(raw) // 8 if limit is None else min(limit, len(raw) // 8)
    import numpy  # noqa: PLC0415 (comes with matplotlib)

    return numpy.frombuffer(raw, dtype="<u8", count=count)


def plot_distribution(png: Path, samples: bytes, deltas, title: str, clip_percentile: float,
                      restart_matrix=None) -> dict:
    """Panels: 64-bit delta histogram (clipped), low-byte histogram, deltas in capture order,
    and, with restart data, how the deltas after a restart evolve."""
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415
    import numpy  # noqa: PLC0415

    panels = 4 if restart_matrix is not None else 3
    figure, axes = plt.subplots(panels, 1, figsize=(10, 3.7 * panels))
    figure.suptitle(title, fontsize=11)
    stats: dict = {}

    # Panel 1: the deltas the health tests see, cut at a percentile so the bulk stays readable.
    delta_axis = axes[0]
    if deltas is not None and len(deltas):
        values = numpy.asarray(deltas, dtype=numpy.float64)
        clip = float(numpy.percentile(values, clip_percentile))
        shown = values[values <= clip]
        stats = {
            "count": int(len(values)),
            "min": int(numpy.min(deltas)),
            "median": float(numpy.median(values)),
            "p99": float(numpy.percentile(values, 99)),
            "max": int(numpy.max(deltas)),
            "distinct": int(len(numpy.unique(deltas))),
            "clip_percentile": clip_percentile,
            "clipped_above": int(len(values) - len(shown)),
        }
        # Deltas are integers: over a narrow range one bin per value avoids a comb of empty bins.
        low = float(numpy.min(shown))
        bins = numpy.arange(low, clip + 2) - 0.5 if clip - low < 400 else 200
        delta_axis.hist(shown, bins=bins, color="tab:blue")
        delta_axis.axvline(stats["median"], color="black", linestyle="--", linewidth=1,
                           label=f"median {stats['median']:.0f}")
        delta_axis.legend(loc="upper right")
        delta_axis.set_title(
            f"64-bit deltas (timer ticks / GCD), {stats['count']} samples, "
            f"{stats['clipped_above']} above the {clip_percentile} percentile not shown")
        delta_axis.set_xlabel("delta")
        delta_axis.set_ylabel("samples")
    else:
        delta_axis.text(0.5, 0.5, "no 64-bit delta file given (jent raw --deltas writes one)",
                        ha="center", va="center")
        delta_axis.set_axis_off()

    # Panel 2: what the estimators see. A flat histogram near the dashed line is what good noise
    # looks like; spikes mean some low bytes repeat much more often.
    byte_axis = axes[1]
    counts = numpy.bincount(numpy.frombuffer(samples, dtype=numpy.uint8), minlength=256)
    byte_axis.bar(numpy.arange(256), counts, width=1.0, color="tab:green")
    byte_axis.axhline(len(samples) / 256, color="black", linestyle="--", linewidth=1,
                      label="uniform")
    byte_axis.legend(loc="upper right")
    byte_axis.set_xlim(-1, 256)
    byte_axis.set_title(f"8-bit samples (low byte of each delta), {len(samples)} samples, "
                        f"{int(numpy.count_nonzero(counts))} distinct values")
    byte_axis.set_xlabel("sample value")
    byte_axis.set_ylabel("samples")

    # Panel 3: the first deltas in capture order, to show drift, bursts or periodic patterns.
    order_axis = axes[2]
    series = deltas if deltas is not None and len(deltas) else numpy.frombuffer(samples, "u1")
    shown = numpy.asarray(series[:20_000], dtype=numpy.float64)
    order_axis.plot(shown, ",", color="tab:purple")
    if deltas is not None and len(deltas):
        order_axis.set_ylim(0, float(numpy.percentile(shown, clip_percentile)) * 1.05)
    order_axis.set_title(f"first {len(shown)} {'deltas' if deltas is not None else 'samples'} "
                         "in capture order")
    order_axis.set_xlabel("sample index")
    order_axis.set_ylabel("delta" if deltas is not None else "sample value")

    # Panel 4: sample k after a restart, across all restarts (§3.1.4). A start-up transient
    # shows as a band that differs in the first columns.
    if restart_matrix is not None:
        values, unit = restart_matrix
        restart_axis = axes[3]
        columns = numpy.arange(values.shape[1])
        low, middle, high = numpy.percentile(values, [10, 50, 90], axis=0)
        restart_axis.fill_between(columns, low, high, color="tab:orange", alpha=0.3,
                                  label="10th-90th percentile")
        restart_axis.plot(columns, middle, color="tab:orange", linewidth=1, label="median")
        restart_axis.set_yscale("log" if unit == "delta" else "linear")
        restart_axis.legend(loc="upper right")
        restart_axis.set_title(f"restart data: {unit} at each position after a restart, over "
                               f"{values.shape[0]} restarts")
        restart_axis.set_xlabel("sample index after the collector's start-up")
        restart_axis.set_ylabel(unit)

    figure.tight_layout()
    figure.savefig(png, dpi=100)
    plt.close(figure)
    return stats


def git_description(repo: Path) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(repo), "describe", "--always", "--dirty",
                              "--abbrev=12"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None


def package_version(name: str) -> str | None:
    from importlib import metadata  # noqa: PLC0415

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def assessment_machine() -> dict:
    cpu = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "hostname": platform.node(),
        "kernel": platform.release(),
        "cpu_model": cpu,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "sp800_90b": package_version("sp800-90b"),
    }


def fmt_bits(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.6f}"


def flatten(prefix: str, value) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        rows = []
        for key, inner in value.items():
            rows += flatten(f"{prefix}.{key}" if prefix else str(key), inner)
        return rows
    return [(prefix, json.dumps(value))]


def render_report(args, claim: float, sequential: SequentialResult | None,
                  restart: RestartResult | None, sidecar: dict | None,
                  restart_sidecar: dict | None, delta_stats: dict, verdicts: list[str],
                  passed: bool, png_name: str) -> str:
    lines = []
    add = lines.append
    add(f"# SP 800-90B assessment: {args.title}")
    add("")
    add(f"**Result: {'PASS' if passed else 'FAIL'}** against the claim of 1/osr = "
        f"{claim:.6f} bits per sample (osr {args.osr}).")
    add("")
    for verdict in verdicts:
        add(f"- {verdict}")
    add("")

    if sequential is not None:
        add("## Sequential data (§3.1.3, non-IID track, §6.3 estimators)")
        add("")
        add(f"{sequential.samples} samples of {sequential.word_size} bits, "
            f"{sequential.alphabet_size} distinct values; estimators ran "
            f"{sequential.seconds:.1f} s.")
        if sequential.samples < VALIDATION_SEQUENTIAL_SAMPLES:
            add(f"Fewer than the {VALIDATION_SEQUENTIAL_SAMPLES} samples §3.1.3 asks for: a "
                "screening figure, not a validation.")
        add("")
        add(f"- **min-entropy H_I = {sequential.h_initial:.6f} bits per sample**, set by "
            f"**{sequential.set_by}**")
        add(f"- H_original = {sequential.h_original:.6f}; H_bitstring = "
            f"{sequential.h_bitstring:.6f} per bit (x {sequential.word_size} = "
            f"{sequential.h_bitstring * sequential.word_size:.6f})")
        add(f"- margin over the claim: {sequential.h_initial - claim:+.6f} bits, "
            f"{sequential.h_initial / claim:.2f} x the claim")
        add("")
        add("| estimator | § | samples (bits/sample) | bitstring (bits/bit) |")
        add("|---|---|---|---|")
        bitstring_by_name = {e.name: e for e in sequential.bitstring}
        names = [e.name for e in sequential.literal]
        names += [e.name for e in sequential.bitstring if e.name not in names]
        literal_by_name = {e.name: e for e in sequential.literal}
        for name in names:
            literal = literal_by_name.get(name)
            bitstring = bitstring_by_name.get(name)
            section = (literal or bitstring).section
            add(f"| {name} | {section} | {fmt_bits(literal.bits) if literal else 'binary only'}"
                f" | {fmt_bits(bitstring.bits) if bitstring else '-'} |")
        add("")

    if restart is not None:
        add("## Restart test (§3.1.4)")
        add("")
        shape_note = "" if (restart.rows, restart.columns) == VALIDATION_RESTART_SHAPE else (
            " (reduced shape: §3.1.4 asks for 1000 x 1000, so this is a screening run)")
        add(f"{restart.rows} restarts x {restart.columns} samples{shape_note}; "
            f"H_I used = {restart.h_i:.6f} (§3.1.3: the smaller of the measured estimate and "
            f"the claim); {restart.seconds:.1f} s.")
        add("")
        add(f"- sanity check (§3.1.4.3): alpha = {restart.alpha:.3g}; largest "
            f"most-common-value count in a row {restart.max_row_count} (cutoff "
            f"{restart.row_cutoff}), in a column {restart.max_column_count} (cutoff "
            f"{restart.column_cutoff}): **{'passed' if restart.sanity_passed else 'FAILED'}**")
        if restart.measured_h_i is not None:
            add(f"- the same check at the measured H_I = {restart.measured_h_i:.6f} "
                f"(informational, not a gate): cutoffs row {restart.measured_row_cutoff}, "
                f"column {restart.measured_column_cutoff}: "
                f"{'passed' if restart.measured_sanity_passed else 'failed'}")
        add(f"- H_r (rows) = {restart.h_r:.6f}, set by {restart.h_r_set_by}")
        add(f"- H_c (columns) = {restart.h_c:.6f}, set by {restart.h_c_set_by}")
        add(f"- validation (§3.1.4.2, min(H_r, H_c) >= H_I/2 = {restart.h_i / 2:.6f}): "
            f"**{'passed' if restart.validation_passed else 'FAILED'}**; "
            f"min(H_r, H_c, H_I) = {min(restart.h_r, restart.h_c, restart.h_i):.6f}")
        add("")
        add("| estimator | § | rows | columns |")
        add("|---|---|---|---|")
        for row, column in zip(restart.row_estimates, restart.column_estimates):
            add(f"| {row.name} | {row.section} | {fmt_bits(row.bits)} | {fmt_bits(column.bits)} |")
        add("")

    add("## Delta distribution")
    add("")
    add(f"![delta distribution]({png_name})")
    add("")
    if delta_stats:
        add(f"64-bit deltas: min {delta_stats['min']}, median {delta_stats['median']:.0f}, "
            f"p99 {delta_stats['p99']:.0f}, max {delta_stats['max']}, "
            f"{delta_stats['distinct']} distinct values.")
        add("")

    summaries = [(label, car) for label, car in
                 (("sequential", sidecar), ("restart", restart_sidecar)) if car is not None]
    if summaries:
        add("## Provenance and health tests in short")
        add("")
        add("| | " + " | ".join(label for label, _ in summaries) + " |")
        add("|---|" + "---|" * len(summaries))
        for name, pick in PROVENANCE_ROWS:
            add(f"| {name} | " + " | ".join(pick_text(pick, car) for _, car in summaries) + " |")
        add("")

    for label, car in (("sequential capture", sidecar), ("restart capture", restart_sidecar)):
        if car is None:
            continue
        add(f"## Health tests and provenance: {label}")
        add("")
        add("| field | value |")
        add("|---|---|")
        for key, value in flatten("", car):
            add(f"| {key} | `{value}` |")
        add("")

    add("## Assessment run")
    add("")
    add("| field | value |")
    add("|---|---|")
    for key, value in flatten("", assessment_provenance(args)):
        add(f"| {key} | `{value}` |")
    add("")
    return "\n".join(lines)


# (row name, path into the sidecar) for the short provenance table; a tuple of paths is joined.
PROVENANCE_ROWS = [
    ("binary", (("tool", "name"), ("tool", "cli_version"))),
    ("build profile", ("tool", "build_profile")),
    ("ports jitterentropy", ("tool", "ports_jitterentropy")),
    ("built from commit", ("tool", "build_commit")),
    ("source tree at capture (git describe)", ("tool", "source_tree_git_at_capture")),
    ("recorded (UTC)", ("started_utc",)),
    ("command", ("command",)),
    ("osr / mode", (("settings", "osr"), ("settings", "mode"))),
    ("memory buffer (bytes)", ("settings", "effective", "memory_size")),
    ("hash loop", ("settings", "effective", "hash_loop_count")),
    ("timer / GCD", (("status_of_a_second_source", "timer"),
                     ("status_of_a_second_source", "gcd"))),
    ("machine", (("machine", "cpu_model"), ("machine", "cpus"), ("machine", "kernel"))),
    ("load average at start", ("machine", "load_average")),
    ("microseconds per sample", ("timing", "microseconds_per_sample")),
    ("collector failures", ("health", "collector_failures")),
    ("stuck samples (replay)", ("health", "replay_stuck_fraction")),
    ("longest stuck run (replay)", ("health", "replay_longest_stuck_run")),
    ("failures (replay)", ("health", "replay_failures")),
]


def pick_text(pick, car: dict) -> str:
    paths = pick if isinstance(pick[0], tuple) else (pick,)
    values = []
    for path in paths:
        value = car
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, float):
            value = f"{value:.4g}"
        elif isinstance(value, list):
            value = ", ".join(value) or "none"
        values.append("?" if value is None else str(value))
    return " / ".join(values).replace("|", "\\|")


def assessment_provenance(args) -> dict:
    repo = Path(__file__).resolve().parents[2]
    return {
        "date_utc": args.started_utc,
        "command": " ".join([sys.executable, *sys.argv]),
        "assess_py_git": git_description(repo),
        "machine": assessment_machine(),
    }


def parse_shape(text: str) -> tuple[int, int]:
    try:
        rows, columns = (int(part) for part in text.lower().split("x"))
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"expected ROWSxCOLUMNS, got {text!r}") from error
    if rows < 2 or columns < 2:
        raise argparse.ArgumentTypeError("a restart matrix needs at least 2 rows and 2 columns")
    return rows, columns


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="SP 800-90B non-IID and restart assessment of raw jitter samples.")
    parser.add_argument("--capture-dir", type=Path,
                        help="directory written by `jent raw --out-dir`: picks up "
                             + ", ".join(CAPTURE_FILES.values()) + " where present")
    parser.add_argument("--samples", type=Path, help="sequential 8-bit samples, one per byte")
    parser.add_argument("--deltas", type=Path, help="64-bit deltas, little-endian u64 (plot only)")
    parser.add_argument("--sidecar", type=Path, help="JSON sidecar of the sequential capture")
    parser.add_argument("--restart", type=Path, help="restart matrix, row i = restart i")
    parser.add_argument("--restart-deltas", type=Path,
                        help="64-bit deltas of the restart matrix (plot only, without --samples)")
    parser.add_argument("--restart-sidecar", type=Path, help="JSON sidecar of the restart capture")
    parser.add_argument("--restart-shape", type=parse_shape,
                        help="ROWSxCOLUMNS of the restart matrix (default: from the sidecar, "
                             "else 1000x1000)")
    parser.add_argument("--no-restart", action="store_true",
                        help="ignore a restart matrix found in --capture-dir")
    parser.add_argument("--osr", type=int,
                        help="oversampling rate; the claim is 1/osr bits per sample "
                             "(default: from the sidecar)")
    parser.add_argument("--bits-per-sample", type=int, default=8, choices=range(1, 9),
                        metavar="1..8")
    parser.add_argument("--clip-percentile", type=float, default=99.5,
                        help="deltas above this percentile are left out of the histogram")
    parser.add_argument("--title", default="jent raw noise")
    parser.add_argument("--out", type=Path, required=True, help="directory for the report")
    parser.add_argument("--allow-debug-build", action="store_true",
                        help="assess a capture from a debug build (the report says so)")
    args = parser.parse_args(argv)

    if args.capture_dir is not None:
        for option, name in CAPTURE_FILES.items():
            candidate = args.capture_dir / name
            if getattr(args, option) is None and candidate.exists():
                setattr(args, option, candidate)
    if args.no_restart:
        args.restart = args.restart_sidecar = args.restart_deltas = None
    if args.samples is None and args.restart is None:
        parser.error("nothing to assess: give --samples, --restart or --capture-dir")
    return args


def capture_osr(sidecar: dict | None) -> int | None:
    if sidecar is None:
        return None
    return sidecar.get("settings", {}).get("osr")


def check_build_profile(car: dict | None, what: str, allow_debug: bool) -> str | None:
    """A capture must come from the release build that ships; anything else is not evidence."""
    if car is None:
        return None
    profile = car.get("tool", {}).get("build_profile")
    if profile == "release":
        return None
    message = f"{what} was captured with a `{profile}` build, not the release build that ships"
    if not allow_debug:
        raise BadInput(message + " (--allow-debug-build assesses it anyway)")
    return message


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    args.started_utc = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    try:
        sidecar = read_sidecar(args.sidecar)
        restart_sidecar = read_sidecar(args.restart_sidecar)
        warnings = [w for w in (
            check_build_profile(sidecar, "the sequential data", args.allow_debug_build),
            check_build_profile(restart_sidecar, "the restart data", args.allow_debug_build),
        ) if w]

        # The claim: 1/osr bits of min-entropy per sample, the jitterentropy heuristic.
        osr = args.osr or capture_osr(sidecar) or capture_osr(restart_sidecar)
        if osr is None:
            raise BadInput("no --osr given and no sidecar names one")
        for car in (sidecar, restart_sidecar):
            if capture_osr(car) not in (None, osr):
                raise BadInput(f"--osr {osr} differs from the capture's osr {capture_osr(car)}")
        if osr < 1:
            raise BadInput(f"osr must be at least 1, got {osr}")
        args.osr = osr
        claim = 1.0 / osr

        samples = load_samples(args.samples) if args.samples else None
        matrix = load_samples(args.restart) if args.restart else None
        deltas = read_u64_deltas(args.deltas)
        if samples is not None and deltas is not None and len(deltas) != len(samples):
            raise BadInput(f"{args.deltas}: {len(deltas)} deltas but {len(samples)} samples")
        if matrix is not None:
            shape = args.restart_shape
            if shape is None and restart_sidecar is not None:
                capture = restart_sidecar.get("capture", {})
                shape = (capture.get("restarts"), capture.get("samples_per_restart"))
            rows, columns = shape if shape and all(shape) else VALIDATION_RESTART_SHAPE
            if rows * columns != len(matrix):
                raise BadInput(f"{args.restart}: {len(matrix)} bytes is not {rows} x {columns}")
    except (BadInput, OSError) as error:
        log(f"ERROR: {error}")
        return EXIT_BAD_INPUT

    sp800_90b = import_estimators()
    args.out.mkdir(parents=True, exist_ok=True)
    verdicts: list[str] = [f"WARNING: {w}" for w in warnings]
    passed = True

    try:
        # §3.1.3 sequential assessment, then the project gate: the estimate must meet 1/osr.
        sequential = None
        h_i = claim
        if samples is not None:
            sequential = assess_sequential(sp800_90b, samples, args.bits_per_sample)
            meets = sequential.h_initial >= claim
            passed &= meets
            verdicts.append(
                f"sequential: H_I {sequential.h_initial:.6f} {'>=' if meets else '<'} claim "
                f"{claim:.6f} (set by {sequential.set_by})")
            # §3.1.3: the entropy carried into the restart test is min(measured, claimed).
            h_i = min(sequential.h_initial, claim)

        # §3.1.4 restart test, plus the project rule that the restart estimates also meet 1/osr.
        restart = None
        if matrix is not None:
            measured = sequential.h_initial if sequential is not None else None
            restart = assess_restart(sp800_90b, matrix, rows, columns, args.bits_per_sample, h_i,
                                     measured)
            restart_min = min(restart.h_r, restart.h_c)
            meets = restart.validation_passed and restart_min >= claim
            passed &= meets
            verdicts.append(
                f"restart: sanity check {'passed' if restart.sanity_passed else 'FAILED'}, "
                f"§3.1.4.2 validation {'passed' if restart.validation_passed else 'FAILED'}, "
                f"min(H_r, H_c) {restart_min:.6f} {'>=' if restart_min >= claim else '<'} "
                f"claim {claim:.6f}")
    except BadInput as error:
        log(f"ERROR: {error}")
        return EXIT_BAD_INPUT

    # The plot uses the sequential data when there is some, else the restart matrix.
    png_name = "delta-distribution.png"
    plot_samples = samples if samples is not None else matrix
    restart_deltas = read_u64_deltas(args.restart_deltas) if matrix is not None else None
    plot_deltas = deltas if samples is not None else restart_deltas
    restart_view = None
    if matrix is not None:
        import numpy  # noqa: PLC0415 (comes with matplotlib)

        if restart_deltas is not None and len(restart_deltas) == rows * columns:
            restart_view = (numpy.asarray(restart_deltas).reshape(rows, columns), "delta")
        else:
            restart_view = (numpy.frombuffer(matrix, "u1").reshape(rows, columns), "sample value")
    delta_stats = plot_distribution(args.out / png_name, plot_samples, plot_deltas,
                                    f"{args.title}\nclaim: 1/osr = 1/{osr} bit per sample",
                                    args.clip_percentile, restart_view)

    report = render_report(args, claim, sequential, restart, sidecar, restart_sidecar,
                           delta_stats, verdicts, passed, png_name)
    (args.out / "report.md").write_text(report + "\n")

    summary = {
        "passed": passed,
        "osr": osr,
        "claim_bits_per_sample": claim,
        "verdicts": verdicts,
        "sequential": None if sequential is None else {
            "samples": sequential.samples,
            "h_initial": sequential.h_initial,
            "set_by": sequential.set_by,
            "h_original": sequential.h_original,
            "h_bitstring": sequential.h_bitstring,
            "margin_bits": sequential.h_initial - claim,
            "estimators": [vars(e) for e in sequential.literal],
            "bitstring_estimators": [vars(e) for e in sequential.bitstring],
            "seconds": sequential.seconds,
        },
        "restart": None if restart is None else {
            key: value for key, value in vars(restart).items()
            if key not in ("row_estimates", "column_estimates")
        } | {
            "row_estimates": [vars(e) for e in restart.row_estimates],
            "column_estimates": [vars(e) for e in restart.column_estimates],
        },
        "delta_stats": delta_stats,
        "capture": {"sequential": sidecar, "restart": restart_sidecar},
        "assessment": assessment_provenance(args),
    }
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")

    for verdict in verdicts:
        log(verdict)
    log(f"report: {args.out / 'report.md'}")
    if not passed:
        log(f"FAIL: an entropy estimate is below the 1/osr claim of {claim:.6f} bits per sample "
            "(or the restart test failed); see the report")
        return EXIT_GATE_FAILED
    log("PASS")
    return EXIT_PASS


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

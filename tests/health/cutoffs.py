#!/usr/bin/env python3
"""Recompute every health-test cutoff of rust/core/src/health.rs from its formula.

The tables in health.rs are numbers copied from jitterentropy 3.7.0. This script derives each
one again from the formula its source comment (or SP 800-90B) gives, using only the Python
standard library (exact binomial coefficients from math.comb, 60-digit decimal arithmetic for
the irrational success probabilities), and compares entry by entry.

    python3 tests/health/cutoffs.py            print every table, formula next to the Rust value
    python3 tests/health/cutoffs.py --check    the same, exit status 1 on any mismatch

Formulas (H = 1/osr bits per sample; NTG.1 assumes 8/osr):
  RCT        C = 30*osr, Cp = 60*osr: SP 800-90B 4.4.1, C = 1 + ceil(-log2(alpha)/H) with
             alpha = 2^-30 / 2^-60, minus one because the port counts from zero; NTG.1 divides
             by 8 and rounds up.
  APT        C = 2 + qbinom(1 - alpha, 511, 2^-H), alpha = 2^-30 (C) and 2^-60 (Cp)
             (SP 800-90B 4.4.2 with the correction that the window's first sample is given),
             capped at the window size 512: the formula gives 513 for Cp from osr 8 on (and for
             C from osr 20), where the tables hold 512.
  LAG global InverseBinomialCDF(n = 2^17 - 8, p = 2^(-1/osr); 1 - 2^-22).
  LAG local  the shortest run length r with P(a run of r correct predictions in n = 2^17 - 8
             trials) <= 2^-22, run probability from Feller's asymptotic formula (vol. 1,
             XIII.7.11), p = 2^(-1/osr).
  RCT-mem    common: C = 107*osr (every counted position of a 321*osr window: the test is
             effectively off), Cp = C + 1. NTG.1: the C source's comment gives
             round(pnorm(2^(-8/osr))*321*osr), which does not reproduce the table (printed for
             the record); only the table's shape is checked.
"""

import argparse
import math
import re
import sys
from decimal import Decimal, getcontext
from pathlib import Path

getcontext().prec = 60
getcontext().Emin = -10**8
sys.set_int_max_str_digits(0)

HEALTH_RS = Path(__file__).resolve().parents[2] / "rust" / "core" / "src" / "health.rs"
APT_WINDOW = 512
LAG_TRIALS = (1 << 17) - 8


def rust_tables(text):
    """Every `pub const NAME: [T; N] = [...];` array of health.rs, as lists of ints."""
    tables = {}
    pattern = re.compile(r"pub const (\w+): \[u\d+; (\d+)\] = \[([^\]]*)\];", re.S)
    for name, length, body in pattern.findall(text):
        values = [int(v.replace("_", "")) for v in re.findall(r"[\d_]+", body)]
        if len(values) != int(length):
            raise SystemExit(f"{name}: declared {length} entries, found {len(values)}")
        tables[name] = values
    return tables


def rust_multiplier(text, function):
    """The constant k of `pub const fn function(osr: u32) -> u32`, whose body computes
    `k * osr` or `osr.saturating_mul(k)` (comment lines allowed)."""
    match = re.search(r"pub const fn %s\(osr: u32\) -> u32 \{(.*?)\n\}" % function, text, re.S)
    body = "\n".join(
        line for line in (match.group(1) if match else "").splitlines()
        if not line.strip().startswith("//")
    )
    product = re.fullmatch(r"\s*(?:(\d+) \* osr|osr\.saturating_mul\((\d+)\))\s*", body)
    if not product:
        raise SystemExit(f"cannot read `{function}` as k * osr in {HEALTH_RS}")
    return int(product.group(1) or product.group(2))


def upper_tail_quantile(n, p, log2_alpha):
    """qbinom(1 - 2^log2_alpha, n, p): the smallest x with P(X > x) <= alpha, X ~ Bin(n, p).

    The terms from two standard deviations above the mean upward are summed exactly enough:
    the first term from an exact binomial coefficient, the rest by the ratio of neighbours.
    Returns the quantile and the relative distance of the deciding tail sums from alpha."""
    alpha = Decimal(2) ** log2_alpha
    q = 1 - p
    mean = float(n * p)
    sd = math.sqrt(float(n * p * q))
    start = max(0, min(n, int(mean + 2 * sd)))
    term = Decimal(math.comb(n, start)) * p**start * q ** (n - start)
    terms = []
    k = start
    while k <= n:
        terms.append(term)
        if term < alpha * Decimal(10) ** -30 and k > mean:
            break
        term = term * (n - k) / (k + 1) * p / q
        k += 1
    # tail[i] = P(X >= start + i)
    tail = [Decimal(0)] * (len(terms) + 1)
    for i in range(len(terms) - 1, -1, -1):
        tail[i] = tail[i + 1] + terms[i]
    if tail[0] <= alpha:
        raise SystemExit(f"quantile search started too high (n={n}, p={p})")
    for i in range(1, len(tail)):
        if tail[i] <= alpha:
            x = start + i - 1
            margin = min(abs(tail[i] - alpha), abs(tail[i - 1] - alpha)) / alpha
            return x, margin
    raise SystemExit("quantile not found")


def probability(bits_per_sample):
    """2^(-H) as a 60-digit decimal."""
    return Decimal(2) ** (-bits_per_sample)


def apt_cutoff(osr, log2_alpha, entropy_factor):
    h = Decimal(entropy_factor) / osr
    x, margin = upper_tail_quantile(APT_WINDOW - 1, probability(h), log2_alpha)
    return min(2 + x, APT_WINDOW), margin


def lag_global_cutoff(osr):
    return upper_tail_quantile(LAG_TRIALS, probability(Decimal(1) / osr), -22)


def lag_no_run_probability(n, p, r):
    """Feller XIII.7.11: P(no run of r successes in n trials), x the root of
    1 - x + q p^r x^(r+1) = 0 next to 1."""
    q = 1 - p
    x = Decimal(1)
    for _ in range(10000):
        nxt = 1 + q * p**r * x ** (r + 1)
        if abs(nxt - x) < Decimal(10) ** -50:
            x = nxt
            break
        x = nxt
    return (1 - p * x) / ((r + 1 - r * x) * q) / x ** (n + 1)


def lag_local_cutoff(osr):
    p = probability(Decimal(1) / osr)
    alpha = Decimal(2) ** -22
    r = 1
    while 1 - lag_no_run_probability(LAG_TRIALS, p, r) > alpha:
        r += 1
    return r


class Report:
    def __init__(self):
        self.mismatches = 0
        self.near_ties = []

    def compare(self, name, formula, table, note=""):
        bad = [i for i, (f, t) in enumerate(zip(formula, table)) if f != t]
        if len(formula) != len(table):
            bad.append(-1)
        status = "ok" if not bad else "MISMATCH"
        print(f"{name:34} {status} {note}")
        print(f"    table:   {table}")
        if bad:
            print(f"    formula: {formula}")
            print(f"    differs at osr {[i + 1 for i in bad if i >= 0]}")
            self.mismatches += 1

    def shape(self, name, ok, detail):
        print(f"{name:34} {'ok' if ok else 'MISMATCH'} {detail}")
        if not ok:
            self.mismatches += 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 on any mismatch")
    parser.add_argument("--health-rs", type=Path, default=HEALTH_RS)
    args = parser.parse_args()

    text = args.health_rs.read_text()
    tables = rust_tables(text)
    report = Report()
    osrs20 = range(1, 21)

    # RCT: SP 800-90B 4.4.1, C = 1 + ceil(-log2(alpha) / H), counted from zero in the port.
    rct = rust_multiplier(text, "rct_cutoff")
    rct_p = rust_multiplier(text, "rct_cutoff_permanent")
    sp_c = [1 + math.ceil(30 / (1 / osr)) - 1 for osr in osrs20]
    sp_cp = [1 + math.ceil(60 / (1 / osr)) - 1 for osr in osrs20]
    report.compare("RCT intermittent (30*osr)", sp_c, [rct * o for o in osrs20])
    report.compare("RCT permanent (60*osr)", sp_cp, [rct_p * o for o in osrs20])
    ntg1_divides = re.search(r"rct_cutoff\(osr\)\.div_ceil\(8\)", text) and re.search(
        r"rct_cutoff_permanent\(osr\)\.div_ceil\(8\)", text
    )
    report.shape("RCT NTG.1 = ceil(C / 8)", bool(ntg1_divides), "(div_ceil(8) on both cutoffs)")

    # APT: SP 800-90B 4.4.2, W = 512.
    margins = []
    for name, log2_alpha, factor in [
        ("APT_CUTOFF", -30, 1),
        ("APT_CUTOFF_PERMANENT", -60, 1),
        ("APT_CUTOFF_NTG1", -30, 8),
        ("APT_CUTOFF_PERMANENT_NTG1", -60, 8),
    ]:
        table = tables[name]
        computed = [apt_cutoff(osr, log2_alpha, factor) for osr in range(1, len(table) + 1)]
        margins += [m for _, m in computed]
        report.compare(
            name,
            [c for c, _ in computed],
            table,
            f"(2 + qbinom(1 - 2^{log2_alpha}, 511, 2^(-{factor}/osr)))",
        )

    # Lag predictor.
    computed = [lag_global_cutoff(osr) for osr in osrs20]
    margins += [m for _, m in computed]
    report.compare(
        "LAG_GLOBAL_CUTOFF",
        [c for c, _ in computed],
        tables["LAG_GLOBAL_CUTOFF"],
        "(qbinom(1 - 2^-22, 2^17 - 8, 2^(-1/osr)))",
    )
    report.compare(
        "LAG_LOCAL_CUTOFF",
        [lag_local_cutoff(osr) for osr in osrs20],
        tables["LAG_LOCAL_CUTOFF"],
        "(Feller run probability <= 2^-22 in 2^17 - 8 trials)",
    )

    # RCT with memory.
    report.compare("RCT_MEMORY_CUTOFF", [107 * o for o in osrs20], tables["RCT_MEMORY_CUTOFF"], "(107*osr)")
    report.compare(
        "RCT_MEMORY_CUTOFF_PERMANENT",
        [107 * o + 1 for o in osrs20],
        tables["RCT_MEMORY_CUTOFF_PERMANENT"],
        "(107*osr + 1)",
    )
    ntg1 = tables["RCT_MEMORY_CUTOFF_NTG1"]
    ntg1_p = tables["RCT_MEMORY_CUTOFF_PERMANENT_NTG1"]
    common = tables["RCT_MEMORY_CUTOFF"]
    common_p = tables["RCT_MEMORY_CUTOFF_PERMANENT"]
    report.shape(
        "RCT_MEMORY NTG.1 tables (shape)",
        len(ntg1) == len(ntg1_p) == 20
        and all(a < b for a, b in zip(ntg1, ntg1[1:]))
        and all(a < b for a, b in zip(ntg1_p, ntg1_p[1:]))
        and all(c < p for c, p in zip(ntg1, ntg1_p))
        and all(n <= c for n, c in zip(ntg1, common))
        and all(n <= c for n, c in zip(ntg1_p, common_p)),
        "(20 entries, increasing, C < Cp, never above the common tables; no reproducible formula)",
    )
    documented = [round(float(0.5 * (1 + math.erf(2 ** (-8 / o) / math.sqrt(2)))) * 321 * o) for o in osrs20]
    print(f"    documented pnorm formula gives {documented[:8]}... (does not match; not checked)")

    closest = min(margins)
    print(f"closest binomial tail to its alpha: {closest:.3e} relative (no near-tie)" if closest > 1e-20
          else f"WARNING: a binomial tail lies within {closest:.3e} of alpha")
    if closest <= 1e-20:
        report.mismatches += 1
    print(f"{report.mismatches} mismatch(es)")
    if args.check and report.mismatches:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Tests of assess.py on data made here; run with the venv install.sh creates:

    .cache/raw-entropy/venv/bin/python tests/raw-entropy/test_assess.py

Skips, with the reason, when the estimators are not installed.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import random
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import assess  # noqa: E402

try:
    import sp800_90b
except ImportError as error:  # pragma: no cover - depends on the machine
    sp800_90b = None
    SKIP_REASON = f"sp800-90b not installed ({error}); run tests/raw-entropy/install.sh"
else:
    SKIP_REASON = ""


def skewed_samples(count: int, common_share: float, seed: int) -> bytes:
    """One value with probability `common_share`, the others uniform: min-entropy known."""
    rng = random.Random(seed)
    return bytes(7 if rng.random() < common_share else rng.randrange(256) for _ in range(count))


def spread_samples(count: int, seed: int) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.randrange(256) for _ in range(count))


def drifting_samples(count: int, seed: int) -> bytes:
    """Low bytes of a slowly wandering delta, like a jitter source: non-IID on purpose."""
    rng = random.Random(seed)
    level, out = 150.0, bytearray()
    for _ in range(count):
        level += rng.gauss(0, 0.5)
        out.append(int(level + rng.gauss(0, 6)) & 0xFF)
    return bytes(out)


def run_main(arguments: list[str]) -> int:
    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        return assess.main(arguments)


@unittest.skipIf(sp800_90b is None, SKIP_REASON)
class SequentialTests(unittest.TestCase):
    def test_initial_estimate_matches_the_wrappers_own_h_initial(self):
        # assess.py runs each estimator on its own to say which one set the result; the minimum
        # must still be exactly what the package's h_initial() (§3.1.3) computes.
        samples = drifting_samples(20_000, seed=1)
        with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
            ours = assess.assess_sequential(sp800_90b, samples, 8)
            theirs = sp800_90b.Data(samples, 8, False).h_initial()
        self.assertAlmostEqual(ours.h_initial, theirs, places=9)
        self.assertLess(ours.h_initial, 8.0)
        self.assertTrue(ours.set_by)

    def test_gate_passes_spread_data_and_fails_skewed_data(self):
        with tempfile.TemporaryDirectory() as tmp:
            good, poor = Path(tmp, "good.bin"), Path(tmp, "poor.bin")
            good.write_bytes(spread_samples(30_000, seed=2))
            # Most common value at 0.88 + 0.12/256: min-entropy about 0.18 bits, below 1/3.
            poor.write_bytes(skewed_samples(30_000, 0.88, seed=3))
            self.assertEqual(run_main(["--samples", str(good), "--osr", "3",
                                       "--out", str(Path(tmp, "r1"))]), assess.EXIT_PASS)
            self.assertEqual(run_main(["--samples", str(poor), "--osr", "3",
                                       "--out", str(Path(tmp, "r2"))]), assess.EXIT_GATE_FAILED)
            summary = json.loads(Path(tmp, "r2", "summary.json").read_text())
            self.assertFalse(summary["passed"])
            self.assertLess(summary["sequential"]["h_initial"], 1 / 3)
            self.assertTrue(Path(tmp, "r2", "delta-distribution.png").stat().st_size > 10_000)

    def test_a_debug_capture_is_refused_unless_allowed(self):
        with tempfile.TemporaryDirectory() as tmp:
            Path(tmp, "sequential-u8.bin").write_bytes(spread_samples(20_000, seed=4))
            Path(tmp, "sequential.json").write_text(json.dumps(
                {"tool": {"build_profile": "debug"}, "settings": {"osr": 3}}))
            out = str(Path(tmp, "r"))
            self.assertEqual(run_main(["--capture-dir", tmp, "--out", out]),
                             assess.EXIT_BAD_INPUT)
            self.assertEqual(run_main(["--capture-dir", tmp, "--out", out,
                                       "--allow-debug-build"]), assess.EXIT_PASS)
            self.assertIn("WARNING", Path(out, "report.md").read_text())


class SanityCutoffTests(unittest.TestCase):
    def test_cutoff_matches_a_simulation_of_the_worst_case(self):
        # §3.1.4.3 worst case for H_I: floor(1/p) symbols at p = 2^-H_I, the rest spread evenly.
        # At alpha = 0.01 a simulation of 4000 lines can check the analytic quantile.
        try:
            import numpy
        except ImportError as error:
            self.skipTest(f"numpy not installed ({error}); run tests/raw-entropy/install.sh")

        rng = numpy.random.default_rng(5)
        for h_i, alphabet in ((0.333333, 256), (2.0, 256), (4.4, 256), (3.0, 16)):
            p = 2.0 ** -h_i
            likely = min(int(1 / p), alphabet)
            rest = (1 - p * likely) / (alphabet - likely) if likely < alphabet else 0.0
            probabilities = numpy.array([p] * likely + [rest] * (alphabet - likely))
            probabilities /= probabilities.sum()
            counts = rng.multinomial(1000, probabilities, size=4000).max(axis=1)
            simulated = int(numpy.quantile(counts, 0.99))
            cutoff = assess.sanity_check_cutoff(h_i, alphabet, 1000, 0.01)
            self.assertLessEqual(abs(cutoff - simulated), 2, f"H_I {h_i}: {cutoff} vs {simulated}")

    def test_cutoff_falls_as_the_claim_rises(self):
        alpha = 1 - math.exp(math.log(0.99) / 2000)
        cutoffs = [assess.sanity_check_cutoff(h, 256, 1000, alpha) for h in (0.2, 0.5, 1, 2, 4, 7)]
        self.assertEqual(cutoffs, sorted(cutoffs, reverse=True))
        self.assertGreater(cutoffs[0], 800)


@unittest.skipIf(sp800_90b is None, SKIP_REASON)
class RestartTests(unittest.TestCase):
    def test_constant_first_sample_fails_the_sanity_check(self):
        # 200 restarts of 200 samples; in the bad matrix every restart starts with the same value.
        good = bytearray(spread_samples(200 * 200, seed=6))
        bad = bytearray(good)
        for row in range(200):
            bad[row * 200] = 0x42
        with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
            passed = assess.assess_restart(sp800_90b, bytes(good), 200, 200, 8, 1 / 3, None)
            failed = assess.assess_restart(sp800_90b, bytes(bad), 200, 200, 8, 1 / 3, None)
        self.assertTrue(passed.sanity_passed and passed.validation_passed)
        self.assertFalse(failed.sanity_passed)
        self.assertEqual(failed.max_column_count, 200)


class InputTests(unittest.TestCase):
    """Bad input is refused before the estimators are needed."""

    def test_wrong_matrix_size_is_bad_input(self):
        with tempfile.TemporaryDirectory() as tmp:
            Path(tmp, "m.bin").write_bytes(spread_samples(1000, seed=7))
            code = run_main(["--restart", str(Path(tmp, "m.bin")), "--restart-shape", "10x20",
                             "--osr", "3", "--out", str(Path(tmp, "r"))])
            self.assertEqual(code, assess.EXIT_BAD_INPUT)


if __name__ == "__main__":
    unittest.main(verbosity=2)

"""Correct code scores full marks on every grading seed: each randomized hidden check passes the
reference solutions over many seeds (a fresh random block of seeds in every run, printed so that a
failure is reproducible). The visible self-checks use fixed inputs (test_selfchecks.py); the MNIST
check's spread over 1,000 seeds is measured by `python -m tests.benchmarks.mnist_check`.
"""

import secrets
import subprocess
import sys
import tempfile

import pytest

from grader.sandbox import KIT

# (pytest -k expression, first seed's offset, number of seeds): hundreds for the fast checks, in two
# processes of 100, fewer for the slow ones (exercise 10's checks that train on MNIST images:
# `python -m tests.benchmarks.seed_sweep -k "fit_trains or compare_fills" --seeds 200` for their spread)
FAST = ("not mnist and not kfold and not compile and not training_loop and not loops_over and not fit_trains "
        "and not compare_fills")
TIERS = [
    (FAST, 0, 100),
    (FAST, 100, 100),
    ("kfold_summary or compile or training_loop or loops_over", 0, 30),
    ("kfold_trains_a_fresh_model or fit_trains or compare_fills", 0, 8),
]


@pytest.mark.timeout(900)
def test_every_randomized_check_passes_the_reference_on_every_seed():
    first = secrets.randbelow(2**31 - 1000)
    runs = []
    for expression, offset, seeds in TIERS:  # one process per tier, side by side; output to files, not pipes
        log = tempfile.TemporaryFile(mode="w+")
        runs.append((expression, first + offset, log, subprocess.Popen(
            [sys.executable, "-m", "tests.benchmarks.seed_sweep", "--first", str(first + offset), "--seeds", str(seeds),
             "-k", expression], cwd=KIT, stdout=log, stderr=subprocess.STDOUT, text=True)))
    for expression, start, log, run in runs:
        run.wait()
        log.seek(0)
        output = log.read()
        assert run.returncode == 0 and "seed sweep: 0 of" in output, f"grading seeds from {start} ({expression}):\n{output[-3000:]}"

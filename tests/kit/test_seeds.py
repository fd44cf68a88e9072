"""Correct code scores full marks on every grading seed: each randomized hidden check passes the
reference solutions over many seeds (a fresh random block of seeds in every run, printed so that a
failure is reproducible). The visible self-checks use fixed inputs (test_selfchecks.py); the MNIST
check's spread over 1,000 seeds is measured by `python -m tests.benchmarks.mnist_check`.
"""

import secrets
import subprocess
import sys

import pytest

from grader.sandbox import KIT

# (pytest -k expression, number of seeds): hundreds for the fast checks, fewer for the slow ones
# (exercise 10's checks that train on MNIST images: `python -m tests.benchmarks.seed_sweep -k "fit_trains or
# compare_fills" --seeds 200` for their spread)
TIERS = [
    ("not mnist and not kfold and not compile and not training_loop and not loops_over and not fit_trains "
     "and not compare_fills", 200),
    ("kfold_summary or compile or training_loop or loops_over", 30),
    ("kfold_trains_a_fresh_model or fit_trains or compare_fills", 8),
]


@pytest.mark.timeout(900)
def test_every_randomized_check_passes_the_reference_on_every_seed():
    first = secrets.randbelow(2**31 - 1000)
    runs = {expression: subprocess.Popen(  # one process per tier, side by side
        [sys.executable, "-m", "tests.benchmarks.seed_sweep", "--first", str(first), "--seeds", str(seeds),
         "-k", expression], cwd=KIT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for expression, seeds in TIERS}
    outputs = {expression: run.communicate()[0] for expression, run in runs.items()}
    for expression, output in outputs.items():
        assert runs[expression].returncode == 0 and "seed sweep: 0 of" in output, \
            f"grading seeds from {first} ({expression}):\n{output[-3000:]}"

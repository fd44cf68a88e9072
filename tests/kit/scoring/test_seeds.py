"""Correct code scores full marks on every grading seed, and every wrong answer a hidden check names
fails it on that seed's inputs (corpora/alternatives.py): each randomized hidden check passes the
reference solutions over many seeds (a fresh random block of seeds in every run, printed so that a
failure is reproducible). The visible self-checks use fixed inputs (course/test_selfchecks.py); the MNIST
check's spread over 1,000 seeds is measured by `python -m tests.benchmarks.mnist_check`.
"""

import secrets

import pytest

from tests.kit.side_by_side import run_modules

pytestmark = pytest.mark.slow  # grades, trains or starts other processes

# (pytest -k expression, first seed's offset, number of seeds): hundreds for the fast checks, fewer
# for the slow ones (exercise 10's checks that train on MNIST images:
# `python -m tests.benchmarks.seed_sweep -k "fit_trains or compare_fills" --seeds 200` for their spread);
# each sweep a test of its own, run in a process of its own, so that pytest -n spreads them over the cores
FAST = ("not mnist and not kfold and not compile and not training_loop and not loops_over and not fit_trains "
        "and not compare_fills")
SWEEPS = [(FAST, 0, 67), (FAST, 67, 67), (FAST, 134, 66),
          ("kfold_summary or compile or training_loop or loops_over", 200, 30),
          ("kfold_trains_a_fresh_model or fit_trains or compare_fills", 230, 8)]
FIRST = secrets.randbelow(2**31 - 1000)  # a fresh block of grading seeds every run (printed on failure)


@pytest.mark.timeout(900)
@pytest.mark.parametrize("expression, offset, seeds", SWEEPS, ids=["fast-1", "fast-2", "fast-3", "training", "keras"])
def test_every_randomized_check_passes_the_reference_on_every_seed(expression, offset, seeds):
    [(code, output)] = run_modules(["tests.benchmarks.seed_sweep", "--tier", expression, str(FIRST + offset), str(seeds)])
    said = f"seed sweep: 0 of {seeds} grading seeds from {FIRST + offset} failed the reference ({expression})"
    assert code == 0 and said in output, f"grading seeds from {FIRST + offset} ({expression}):\n{output[-3000:]}"

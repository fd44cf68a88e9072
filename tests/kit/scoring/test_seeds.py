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
# run as two processes (one per core) of about equal time: more would contend for the cores
FAST = ("not mnist and not kfold and not compile and not training_loop and not loops_over and not fit_trains "
        "and not compare_fills")
PROCESSES = [
    [(FAST, 0, 100), ("kfold_trains_a_fresh_model or fit_trains or compare_fills", 0, 8)],
    [(FAST, 100, 100), ("kfold_summary or compile or training_loop or loops_over", 0, 30)],
]


@pytest.mark.timeout(900)
def test_every_randomized_check_passes_the_reference_on_every_seed():
    first = secrets.randbelow(2**31 - 1000)
    results = run_modules(*(["tests.benchmarks.seed_sweep", *(arg for expression, offset, seeds in tiers for arg in (
        "--tier", expression, str(first + offset), str(seeds)))] for tiers in PROCESSES))
    for tiers, (code, output) in zip(PROCESSES, results):
        for expression, offset, seeds in tiers:
            said = f"seed sweep: 0 of {seeds} grading seeds from {first + offset} failed the reference ({expression})"
            assert code == 0 and said in output, f"grading seeds from {first + offset} ({expression}):\n{output[-3000:]}"

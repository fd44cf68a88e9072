"""Judges fail closed: no check of either suite passes a degenerate answer (NaN, ±infinity, empty,
zeros, a constant, huge values, the input echoed back) of a task it covers (corpora/degenerate.py),
and every wrong answer a check names fails that check on its own inputs (corpora/alternatives.py;
the hidden suites' on every seed of test_seeds too)."""

import numpy as np
import pytest
import tensorflow as tf

from tests.kit.corpora import degenerate
from tests.kit.side_by_side import run_modules

pytestmark = pytest.mark.slow  # grades, trains or starts other processes


def test_degenerate_values_keep_the_kind_of_the_right_answer():
    array = np.arange(6, dtype=np.float32).reshape(2, 3)
    assert np.isnan(degenerate.degenerate(array, "nan", None)).all()
    assert degenerate.degenerate(array, "inf", None).shape == (2, 3)
    assert degenerate.degenerate(array, "empty", None).shape == (0,)
    assert degenerate.degenerate((1.0, [2.0]), "huge", None) == (1e30, [1e30])
    assert degenerate.degenerate(tf.constant([1, 2]), "constant", None).numpy().tolist() == [3, 3]
    assert degenerate.degenerate(5.0, "echo", "the input") == "the input"
    assert degenerate._same(np.zeros(3), np.zeros(3)) and not degenerate._same(np.zeros(3), np.zeros(3, np.float32))


@pytest.mark.timeout(900)
@pytest.mark.parametrize("suite", ["hidden", "visible"])
def test_no_check_passes_a_degenerate_answer_of_the_task_it_covers(suite):
    [(code, output)] = run_modules(["tests.kit.corpora.degenerate", suite])
    assert code == 0, f"{suite}:\n{output[-3000:]}"
    assert f"degenerate answers ({suite}): 0 of" in output
    assert f"named alternatives ({suite}): 0 of" in output

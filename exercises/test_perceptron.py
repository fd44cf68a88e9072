"""Self-checks of exercise 1: the perceptron (run `pytest exercises/ -m perceptron`)."""

import numpy as np
import pytest
import tensorflow as tf

from exercises.selfcheck import expect_close, expect_dtype, fail

pytestmark = pytest.mark.perceptron

GATE_INPUTS = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
TRUTH_TABLES = {"and_gate": [0, 0, 0, 1], "or_gate": [0, 1, 1, 1], "nand_gate": [1, 1, 1, 0]}


@pytest.mark.task("perceptron.step_fn")
@pytest.mark.parametrize("a, expected", [(-3.0, 0.0), (-1e-6, 0.0), (0.0, 0.0), (1e-6, 1.0), (0.5, 1.0), (7, 1.0)])
def test_step_fn(kit, a, expected):
    got = kit.perceptron.step_fn(a)
    expect_close("perceptron.step_fn", f"step_fn({a!r})", got, expected, atol=0,
                 alternatives={**({"fires at zero": 1.0} if a == 0 else {}),
                               **({"−1, not 0, where it does not fire": -1.0} if expected == 0 else {})} or None)
    if not isinstance(got, float):
        fail("perceptron.step_fn", f"step_fn({a!r})", expected, got, f"returned a {type(got).__name__}, not a float")


@pytest.mark.task("perceptron.tf_step_fn")
@pytest.mark.parametrize("dtype", [tf.float32, tf.float64])
def test_tf_step_fn_keeps_shape_and_dtype(kit, dtype):
    a = tf.constant([[-2.0, 0.0, 0.25], [3.0, -0.5, 1e-20]], dtype=dtype)
    call = f"tf_step_fn([[-2.0, 0.0, 0.25], [3.0, -0.5, 1e-20]], dtype={dtype.name})"
    got = kit.perceptron.tf_step_fn(a)
    expect_close("perceptron.tf_step_fn", call, got, [[0, 0, 1], [1, 0, 1]], atol=0,
                 alternatives={"fires at zero": [[0, 1, 1], [1, 0, 1]], "0 for a tiny positive a": [[0, 0, 1], [1, 0, 0]]})
    expect_dtype("perceptron.tf_step_fn", call, got, dtype)


@pytest.mark.task("perceptron.tf_step_fn")
@pytest.mark.parametrize("shape", [(), (5,), (2, 2, 3)])
def test_tf_step_fn_on_any_shape_and_inside_tf_function(kit, shape):
    a = tf.constant(np.linspace(-1.0, 1.0, int(np.prod(shape))).reshape(shape), tf.float32)
    expected = (a.numpy() > 0).astype(np.float32)
    call = f"tf_step_fn(a tensor of shape {shape})"
    expect_close("perceptron.tf_step_fn", call, kit.perceptron.tf_step_fn(a), expected, atol=0)
    compiled = tf.function(lambda t: kit.perceptron.tf_step_fn(t))  # a new function: no retracing warning
    expect_close("perceptron.tf_step_fn", f"tf.function(tf_step_fn)(a tensor of shape {shape})", compiled(a), expected,
                 atol=0)


@pytest.mark.task("perceptron.Perceptron.__call__")
@pytest.mark.uses("perceptron.tf_step_fn")
def test_perceptron_call(kit):
    model = kit.perceptron.Perceptron([[0.5], [-1.0]], [[0.2]])
    x = [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 0.1]]
    call = f"Perceptron(weights=[[0.5], [-1.0]], biases=[[0.2]])({x})"
    got = model(tf.constant(x))
    without_bias = (np.array(x) @ np.array([[0.5], [-1.0]]) > 0).astype(float)
    weighted = np.array(x) @ np.array([[0.5], [-1.0]]) + 0.2
    expect_close("perceptron.Perceptron.__call__", call, got, [[1], [1], [0], [0], [1]], atol=0,
                 alternatives={"no bias": without_bias, "the weighted sum, without the step": weighted})
    expect_dtype("perceptron.Perceptron.__call__", call, got, tf.float32)


@pytest.mark.task("perceptron.and_gate")
@pytest.mark.uses("perceptron.Perceptron.__call__")
def test_and_gate(kit):
    check_gate(kit, "and_gate")


@pytest.mark.task("perceptron.or_gate")
@pytest.mark.uses("perceptron.Perceptron.__call__")
def test_or_gate(kit):
    check_gate(kit, "or_gate")


@pytest.mark.task("perceptron.nand_gate")
@pytest.mark.uses("perceptron.Perceptron.__call__")
def test_nand_gate(kit):
    check_gate(kit, "nand_gate")


def check_gate(kit, gate: str) -> None:
    model = getattr(kit.perceptron, gate)()
    if not isinstance(model, kit.perceptron.Perceptron):
        fail(f"perceptron.{gate}", f"{gate}()", "a Perceptron", model, "wrong type")
    shapes = [tuple(model.weights.shape), tuple(model.biases.shape)]
    if shapes != [(2, 1), (1, 1)]:
        fail(f"perceptron.{gate}", f"{gate}() → shapes of its weights and biases", [(2, 1), (1, 1)], shapes,
             "wrong shapes", "shape")
    got = model(tf.constant(GATE_INPUTS))
    expected = np.array(TRUTH_TABLES[gate], dtype=float).reshape(4, 1)
    others = {f"the truth table of {name}": np.reshape(table, (4, 1)) for name, table in TRUTH_TABLES.items() if name != gate}
    try:
        expect_close(f"perceptron.{gate}", f"{gate}()({GATE_INPUTS})", got, expected, atol=0, alternatives=others)
    except AssertionError as wrong:
        problem = gate_slip(model, expected, got)
        if not problem or "(the truth table of" in str(wrong):
            raise
        fail(f"perceptron.{gate}", f"{gate}()({GATE_INPUTS})", expected, np.asarray(got), problem)


def gate_slip(model, expected: np.ndarray, got) -> str:
    """The common cause of a gate's wrong row, read from its weighted sums, or ''."""
    try:
        sums = np.asarray(GATE_INPUTS) @ np.asarray(model.weights, dtype=float) + np.asarray(model.biases, dtype=float)
        fired = np.asarray(got, dtype=float).reshape(4, 1)
    except (TypeError, ValueError):
        return ""
    if np.any((sums == 0) & (expected == 1) & (fired == 0)):
        return "a weighted sum of exactly 0 where it must fire"
    if expected[0, 0] == 0 and fired[0, 0] == 1 and sums[0, 0] > 0:
        return "fires with both inputs off"
    return ""

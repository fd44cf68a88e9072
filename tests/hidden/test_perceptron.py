"""Hidden suite of exercise 1: the perceptron (15 points)."""

import numpy as np
import pytest
import tensorflow as tf

from grader.scoring.judges import expect_close, expect_dtype, fail
from grader.scoring.student import Fn
from solutions import perceptron as reference
from tests.hidden.conftest import expect_model

pytestmark = pytest.mark.perceptron

GATES = {"and_gate": [0, 0, 0, 1], "or_gate": [0, 1, 1, 1], "nand_gate": [1, 1, 1, 0]}
CORNERS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)


def random_numbers(rng, n):
    """n numbers of every sign and size, with 0.0 and tiny values among them."""
    values = rng.normal(scale=10.0 ** rng.integers(-6, 3, size=n))
    values[rng.choice(n, 3, replace=False)] = [0.0, 1e-12, -1e-12]
    return values


@pytest.mark.points(2)
@pytest.mark.task("perceptron.step_fn")
def test_step_fn_values(student, rng):
    for a in map(float, random_numbers(rng, 25)):
        got = student.perceptron.step_fn(a)
        expect_close("perceptron.step_fn", f"step_fn({a!r})", got, reference.step_fn(a), atol=0)


@pytest.mark.points(1)
@pytest.mark.task("perceptron.step_fn")
def test_step_fn_returns_a_float(student, rng):
    for a in (float(rng.uniform(0.1, 5)), float(-rng.uniform(0.1, 5))):
        got = student.perceptron.step_fn(a)
        if type(got) is not float:
            fail("perceptron.step_fn", f"step_fn({a!r})", "a float", got, f"returned a {type(got).__name__}", "type")
        expect_close("perceptron.step_fn", f"step_fn({a!r})", got, reference.step_fn(a), atol=0)


@pytest.mark.points(2)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.task("perceptron.tf_step_fn")
def test_tf_step_fn_elementwise(student, rng, dtype):
    dtype = np.dtype(dtype)
    shape = tuple(int(n) for n in rng.integers(2, 5, size=rng.integers(1, 4)))
    shape, size = (shape, int(np.prod(shape))) if np.prod(shape) > 2 else ((3,), 3)
    a = random_numbers(rng, max(size, 8))[rng.permutation(max(size, 8))[:size]].reshape(shape).astype(dtype)
    # both answers occur in every case, and a positive a so small that only a > 0 itself sees it (σ(a) is 0.5)
    a.flat[:3] = [abs(a.flat[0]) + 0.5, -abs(a.flat[1]) - 0.5, 1e-20]
    call = f"tf_step_fn(a tensor of shape {shape}, dtype {dtype.name})"
    expected = reference.tf_step_fn(tf.constant(a)).numpy()
    got = student.perceptron.tf_step_fn(tf.constant(a))
    expect_close("perceptron.tf_step_fn", call, got, expected, atol=0)
    expect_dtype("perceptron.tf_step_fn", call, got, dtype)
    compiled = expect_model("perceptron.tf_step_fn", "tf.function(tf_step_fn)",  # "so it works inside a model"
                            student.build(Fn("compiled:student:perceptron.tf_step_fn")))
    expect_close("perceptron.tf_step_fn", f"tf.function(tf_step_fn)({call[len('tf_step_fn('):]}", compiled(tf.constant(a)),
                 expected, atol=0)


@pytest.mark.points(2)
@pytest.mark.task("perceptron.Perceptron.__call__")
def test_perceptron_call(student, rng):
    inputs = int(rng.integers(2, 6))
    weights, bias = rng.normal(size=(inputs, 1)), rng.normal(size=(1, 1))
    x = rng.normal(size=(12, inputs)).astype(np.float32)
    z = x @ weights + bias
    x = x[np.abs(z[:, 0]) > 1e-3]  # no sums so close to 0 that rounding decides
    call = f"Perceptron(weights={weights.round(3).tolist()}, biases={bias.round(3).tolist()})(a batch of {len(x)})"
    got = expect_model("perceptron.Perceptron.__call__", call, student.perceptron.Perceptron(weights, bias))(x)
    expect_close("perceptron.Perceptron.__call__", call, got, reference.Perceptron(weights, bias)(x).numpy(), atol=0)
    expect_dtype("perceptron.Perceptron.__call__", call, got, np.float32)


def check_gate(student, rng, gate: str) -> None:
    order = rng.permutation(np.tile(np.arange(4), 3))
    x, expected = CORNERS[order], np.array(GATES[gate], dtype=float)[order].reshape(-1, 1)
    call = f"{gate}()(the four input pairs, shuffled: {x.astype(int).tolist()})"
    model = expect_model(f"perceptron.{gate}", call, getattr(student.perceptron, gate)())
    expect_close(f"perceptron.{gate}", call, model(x), expected, atol=0)
    shapes = [tuple(np.shape(model.get(name))) for name in ("weights", "biases")]
    if shapes != [(2, 1), (1, 1)]:
        fail(f"perceptron.{gate}", f"{gate}() → shapes of its weights and biases", [(2, 1), (1, 1)], shapes,
             "wrong shapes", "shape")


@pytest.mark.points(2)
@pytest.mark.task("perceptron.and_gate")
def test_and_gate_truth_table(student, rng):
    check_gate(student, rng, "and_gate")


@pytest.mark.points(2)
@pytest.mark.task("perceptron.nand_gate")
def test_nand_gate_truth_table(student, rng):
    check_gate(student, rng, "nand_gate")


@pytest.mark.points(2)
@pytest.mark.task("perceptron.or_gate")
def test_or_gate_truth_table(student, rng):
    check_gate(student, rng, "or_gate")

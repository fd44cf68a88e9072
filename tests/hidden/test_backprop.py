"""Hidden suite of exercise 3: gradient descent and backpropagation (25 points).

The judge of every hand-derived partial is tf.GradientTape, in float64, on random inputs.
"""

import contextlib

import numpy as np
import pytest
import tensorflow as tf

from grader.scoring.judges import WARPED_AT, expect_close, expect_gradient, fail, tape_gradients, warped
from solutions import backprop as reference
from grader.scoring.student import Fn
from tests.hidden.conftest import expect_float_lists, expect_parts, expect_tensor, random_parameters, random_sizes

pytestmark = pytest.mark.backprop

f64 = tf.float64


def scalars(rng, n):
    return [float(v) for v in rng.uniform(-2, 2, size=n)]


@pytest.mark.points(2)
@pytest.mark.task("backprop.cost")
def test_cost(student, rng):
    shape = (int(rng.integers(2, 5)), int(rng.integers(2, 5)))  # four elements at least: a mean is neither the sum nor its half
    actual, desired = rng.normal(size=shape), rng.normal(size=shape)
    call = f"cost(two random float64 arrays of shape {shape})"
    got = student.backprop.cost(actual, desired)
    squares = (actual - desired) ** 2
    expect_close("backprop.cost", call, got, np.sum(squares), alternatives={
        "a mean, not a sum": np.mean(squares), "with a ½ in front": np.sum(squares) / 2})
    expect_tensor("backprop.cost", call, got, np.float64)


@pytest.mark.points(3)
@pytest.mark.task("backprop.cost_partial")
def test_cost_partial_matches_gradient_tape(student, rng):
    for a, w, desired in rng.uniform(-2, 2, size=(4, 3)):
        (expected,) = tape_gradients(lambda w_: (a * w_ - desired) ** 2, w)
        got = student.backprop.cost_partial.by_hand(tf.constant(a, f64), tf.constant(w, f64), float(desired))
        expect_gradient("backprop.cost_partial", f"cost_partial(a={a:.6f}, w={w:.6f}, desired={desired:.6f})", got, expected)
    a, w, desired = scalars(rng, 3)
    call = f"cost_partial(a={a:.6f}, w={w:.6f}, desired={desired:.6f}) of Python floats"
    expect_tensor("backprop.cost_partial", call, student.backprop.cost_partial.by_hand(a, w, desired), np.float32)


@pytest.mark.points(2)
@pytest.mark.task("backprop.update")
def test_update(student, rng):
    value, gradient, rate = rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), float(rng.uniform(0.01, 2))
    got = student.backprop.update(value, gradient, rate)
    call = f"update(random (3, 2) float64 value and gradient, learning_rate={rate:.4f})"
    expect_close("backprop.update", call, got, value - rate * gradient,
                 alternatives={"climbs the gradient": value + rate * gradient})
    expect_tensor("backprop.update", call, got, np.float64)
    value, gradient = scalars(rng, 2)
    expect_tensor("backprop.update", f"update({value:.6f}, {gradient:.6f}, {rate:.4f}) of Python floats",
                  student.backprop.update(value, gradient, rate), np.float32)


@pytest.mark.points(2)
@pytest.mark.task("backprop.descend")
def test_descend_thesis_tables(student):
    call = "descend(a=2.0, w=0.8, desired=1.0, learning_rate={}, steps={})"
    weights, outputs = expect_float_lists("backprop.descend", call.format(1.0, 5), student.backprop.descend(
        2.0, 0.8, 1.0, 1.0, 5), 2, 5, "(weights, outputs)")
    expect_close("backprop.descend", call.format(1.0, 5) + " → weights", weights, [-1.6, 15.2, -102.4, 720.8, -5041.6])
    expect_close("backprop.descend", call.format(1.0, 5) + " → outputs", outputs, [-3.2, 30.4, -204.8, 1441.6, -10083.2])
    weights, outputs = expect_float_lists("backprop.descend", call.format(0.1, 25), student.backprop.descend(
        2.0, 0.8, 1.0, 0.1, 25), 2, 25, "(weights, outputs)")
    expect_close("backprop.descend", call.format(0.1, 25) + " → weights[:5]", weights[:5],
                 [0.56, 0.512, 0.5024, 0.50048, 0.500096])
    expect_close("backprop.descend", call.format(0.1, 25) + " → last weight, output", [weights[-1], outputs[-1]], [0.5, 1.0])


def handed_in(rng, name: str) -> tuple[float, dict, str]:
    """The grader's own `name` (a partial derivative) warped (judges.warped) by a drawn factor, to
    hand to a task in place of the student's: a task that uses it follows it, one that differentiates
    by itself (a tape, the formula written again, even scaled by what it measured once) does not."""
    factor = float(rng.uniform(0.3, 0.8))
    weight = {"cost_partial": "w", "chain_partials": "w1"}[name]
    return factor, {name: Fn(f"warped:{name}:{factor!r}")}, (f" with {name} handed in as the true partial × "
                                                             f"{factor:.4f}·(1 + sin(5·{weight})/2)")


RTOL, ATOL = 1e-4, 1e-5  # a descent in float32 against the float64 reference (a margin of 60 over 300 seeds)


@contextlib.contextmanager
def reference_handed(name: str, factor: float):
    """The reference solution with the same warped `name` handed to it: the expected result."""
    own = getattr(reference, name)
    setattr(reference, name, warped(own, factor, WARPED_AT[name]))
    try:
        yield reference
    finally:
        setattr(reference, name, own)


def apart(expected, alternatives: dict, rtol: float, atol: float) -> bool:
    """Does the expected result differ from every named alternative by far more than the tolerance
    (so that the check tells each apart on its own inputs)?"""
    return all(not np.allclose(np.ravel(expected), np.ravel(alternative), rtol=20 * rtol, atol=20 * atol)
               for alternative in alternatives.values())


@pytest.mark.points(2)
@pytest.mark.task("backprop.descend")
def test_descend_random(student, rng):
    for _ in range(100):  # inputs on which the loop moves far enough to tell the alternatives apart
        a, w, desired = scalars(rng, 3)
        rate, steps = float(rng.uniform(0.01, 0.1)), int(rng.integers(3, 12))
        factor, patch, handed = handed_in(rng, "cost_partial")
        start = tf.constant(a, f64), tf.constant(w, f64), desired
        with reference_handed("cost_partial", factor) as handed_reference:
            expected = handed_reference.descend(*start, rate, steps)
        once = factor * (1 + np.sin(5 * w) / 2)  # the handed partial over the true one, where the loop starts
        alternatives = {"records the weight before the update": [w, *expected[0][:-1]],
                        "its partials are not cost_partial's": reference.descend(*start, rate, steps)[0],
                        "measures cost_partial once, then differentiates by itself":
                            reference.descend(*start, once * rate, steps)[0]}
        if apart(expected[0], alternatives, RTOL, ATOL):
            break
    call = f"descend(a={a:.5f}, w={w:.5f}, desired={desired:.5f}, learning_rate={rate:.5f}, steps={steps}){handed}"
    got = expect_float_lists("backprop.descend", call, student.backprop.descend.using(patch, a, w, desired, rate, steps),
                             2, steps, "(weights, outputs)")
    expect_close("backprop.descend", call + " → weights", got[0], expected[0], RTOL, ATOL, alternatives)
    expect_close("backprop.descend", call + " → outputs", got[1], expected[1], RTOL, ATOL)


@pytest.mark.points(3)
@pytest.mark.task("backprop.chain_partials")
def test_chain_partials_match_gradient_tape(student, rng):
    for a1, w1, w2, desired in rng.uniform(-2, 2, size=(4, 4)):
        expected = tape_gradients(lambda u, v: (a1 * u * v - desired) ** 2, w1, w2)
        got = student.backprop.chain_partials.by_hand(tf.constant(a1, f64), tf.constant(w1, f64), tf.constant(w2, f64), float(desired))
        call = f"chain_partials(a1={a1:.6f}, w1={w1:.6f}, w2={w2:.6f}, desired={desired:.6f})"
        expect_parts("backprop.chain_partials", call, got, 2, "a pair (∂C/∂w1, ∂C/∂w2)")
        expect_gradient("backprop.chain_partials", call + " → ∂C/∂w1", got[0], expected[0])
        expect_gradient("backprop.chain_partials", call + " → ∂C/∂w2", got[1], expected[1])


@pytest.mark.points(2)
@pytest.mark.task("backprop.descend_two")
def test_descend_two_thesis_numbers(student):
    w1s, w2s, outputs = expect_float_lists("backprop.descend_two", "descend_two(2.0, 0.8, 3.0, 1.0, 0.01, 25)",
                                           student.backprop.descend_two(2.0, 0.8, 3.0, 1.0, 0.01, 25), 3, 25,
                                           "(w1s, w2s, outputs)")
    expect_close("backprop.descend_two", "descend_two(2.0, 0.8, 3.0, 1.0, 0.01, 25) → last w1, w2, a3",
                 [w1s[-1], w2s[-1], outputs[-1]], [0.17478575, 2.8606453, 1.0])


@pytest.mark.points(1)
@pytest.mark.task("backprop.descend_two")
def test_descend_two_random(student, rng):
    for _ in range(100):  # inputs on which the loop moves far enough to tell the alternatives apart
        a1, w1, w2, desired = (float(v) for v in rng.uniform(0.2, 1.2, size=4))
        rate, steps = float(rng.uniform(0.005, 0.05)), int(rng.integers(3, 12))
        factor, patch, handed = handed_in(rng, "chain_partials")
        start = (*(tf.constant(v, f64) for v in (a1, w1, w2)), desired)
        with reference_handed("chain_partials", factor) as handed_reference:
            expected = handed_reference.descend_two(*start, rate, steps)
        once = factor * (1 + np.sin(5 * w1) / 2)
        alternatives = {"its partials are not chain_partials'": reference.descend_two(*start, rate, steps)[0],
                        "measures chain_partials once, then differentiates by itself":
                            reference.descend_two(*start, once * rate, steps)[0]}
        if apart(expected[0], alternatives, RTOL, ATOL):
            break
    call = f"descend_two(a1={a1:.5f}, w1={w1:.5f}, w2={w2:.5f}, desired={desired:.5f}, {rate:.5f}, {steps}){handed}"
    got = expect_float_lists("backprop.descend_two", call, student.backprop.descend_two.using(
        patch, a1, w1, w2, desired, rate, steps), 3, steps, "(w1s, w2s, outputs)")
    expect_close("backprop.descend_two", f"{call} → w1s", got[0], expected[0], RTOL, ATOL, alternatives)
    for name, g, e in zip(("w2s", "outputs"), got[1:], expected[1:]):
        expect_close("backprop.descend_two", f"{call} → {name}", g, e, RTOL, ATOL)


@pytest.mark.points(3)
@pytest.mark.task("backprop.sigmoid_partials")
def test_sigmoid_partials_match_gradient_tape(student, rng):
    x, w, b, desired = rng.normal(size=(4, 6))
    expected = tape_gradients(lambda w_, b_: tf.reduce_sum((tf.sigmoid(x * w_ + b_) - desired) ** 2), w, b)
    got = student.backprop.sigmoid_partials.by_hand(tf.constant(x), tf.constant(w), tf.constant(b), tf.constant(desired))
    call = "sigmoid_partials(x, w, b, desired: random float64 vectors of 6)"
    expect_parts("backprop.sigmoid_partials", call, got, 2, "a pair (∂C/∂w, ∂C/∂b)")
    expect_gradient("backprop.sigmoid_partials", call + " → ∂C/∂w", got[0], expected[0])
    expect_gradient("backprop.sigmoid_partials", call + " → ∂C/∂b", got[1], expected[1])


def backward_case(rng, dtype, fewest: int = 1):
    """A random sigmoid MLP of `fewest` to 3 layers, a batch and tf.GradientTape's gradients."""
    sizes = random_sizes(rng, int(rng.integers(fewest, 4)))
    weights, biases = random_parameters(rng, sizes, dtype)
    batch = int(rng.integers(1, 8))
    x = rng.uniform(0, 1, size=(batch, sizes[0])).astype(dtype)
    desired = rng.uniform(0, 1, size=(batch, sizes[-1])).astype(dtype)

    def cost_of(*params):
        a = tf.constant(x, f64)
        for w, b in zip(params[: len(weights)], params[len(weights):]):
            a = tf.sigmoid(a @ w + b)
        return tf.reduce_sum((a - desired) ** 2)

    return sizes, weights, biases, x, desired, tape_gradients(cost_of, *weights, *biases)


@pytest.mark.points(3)
@pytest.mark.task("backprop.backward")
def test_backward_matches_gradient_tape_float64(student, rng):
    for fewest in (2, 1, 1):  # the first with a hidden layer, whose a·(1 − a) a single layer would not show
        sizes, weights, biases, x, desired, expected = backward_case(rng, np.float64, fewest)
        got = student.backprop.backward.by_hand([tf.constant(w) for w in weights], [tf.constant(b) for b in biases],
                                        tf.constant(x), tf.constant(desired))
        check_backward(got, expected, f"backward(float64 parameters of a {sizes} sigmoid MLP, a batch of {len(x)})")


@pytest.mark.points(2)
@pytest.mark.task("backprop.backward")
def test_backward_float32_keeps_dtype(student, rng):
    sizes, weights, biases, x, desired, expected = backward_case(rng, np.float32)
    got = student.backprop.backward.by_hand([tf.constant(w) for w in weights], [tf.constant(b) for b in biases],
                                    tf.constant(x), tf.constant(desired))
    call = f"backward(float32 parameters of a {sizes} sigmoid MLP, a batch of {len(x)})"
    check_backward(got, expected, call, float32=True)
    for gradient in list(got[0]) + list(got[1]):
        if np.asarray(gradient).dtype != np.float32:
            fail("backprop.backward", call, "float32 gradients", f"{np.asarray(gradient).dtype}", "wrong dtype", "dtype")


def check_backward(got, expected, call, float32=False):
    layers = len(expected) // 2
    if not isinstance(got, (tuple, list)) or len(got) != 2 or len(got[0]) != layers or len(got[1]) != layers:
        fail("backprop.backward", call, f"(weight_grads, bias_grads), {layers} of each", got, "wrong structure", "type")
    for i, (g, e) in enumerate(zip(list(got[0]) + list(got[1]), expected)):
        name = f"weight_grads[{i}]" if i < layers else f"bias_grads[{i - layers}]"
        if float32:  # float32 rounding is judged against the gradient's scale: tiny elements lose their digits
            scale = float(np.max(np.abs(e)))
            expect_close("backprop.backward", f"{call} → {name}", g, e, rtol=1e-4, atol=1e-5 * scale + 1e-30)
        else:
            expect_gradient("backprop.backward", f"{call} → {name}", g, e, 1e-9)

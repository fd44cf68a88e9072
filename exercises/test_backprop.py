"""Self-checks of exercise 3: gradient descent and backpropagation (run `pytest exercises/ -m backprop`).

Every hand-derived partial derivative is compared, in float64, with what tf.GradientTape finds.
"""

import inspect
import numpy as np
import pytest
import tensorflow as tf

from exercises.selfcheck import (derived, expect_close, expect_floats, expect_gradient, expect_tensor, fail, tape_gradients,
                                 warped)

pytestmark = pytest.mark.backprop

RNG = np.random.default_rng(2021)


@pytest.mark.task("backprop.cost")
@pytest.mark.parametrize("actual, desired, expected", [
    (3.0, 0.5, 6.25), (-3.2, 1.0, 17.64), ([0.5, 1.0], [1.0, 1.0], 0.25), ([[1.0, 2.0], [3.0, 4.0]], [[0.0] * 2] * 2, 30.0),
])
def test_cost(kit, actual, desired, expected):
    difference = np.subtract(actual, desired)
    given = [v if isinstance(v, float) else np.asarray(v) for v in (actual, desired)]  # numbers or arrays, as promised
    shown = ", ".join(str(v) if isinstance(v, float) else f"np.array({v})" for v in (actual, desired))
    alternatives = {"no square": np.sum(np.abs(difference))}
    if difference.size > 1:  # (of one number, the mean is the sum; the square of the sum is the sum of squares)
        alternatives["the mean, not the sum"] = np.mean(difference ** 2)
        if not np.isclose(np.sum(difference) ** 2, expected):  # (they agree when one difference is 0)
            alternatives["the square of the sum, not the sum of the squares"] = np.sum(difference) ** 2
    expect_close("backprop.cost", f"cost({shown})", kit.backprop.cost(*given), expected, alternatives=alternatives)
    call = f"cost({actual}, {desired}) as float64 tensors"
    got = kit.backprop.cost(tf.constant(actual, tf.float64), tf.constant(desired, tf.float64))
    expect_tensor("backprop.cost", call, got, tf.float64)


@pytest.mark.task("backprop.cost_partial")
@pytest.mark.parametrize("trial", range(5))
def test_cost_partial_matches_gradient_tape(kit, trial):
    a, w, desired = RNG.normal(size=3)
    (expected,) = tape_gradients(lambda w_: (a * w_ - desired) ** 2, w)
    got = derived("backprop.cost_partial", kit.backprop.cost_partial)(tf.constant(a, tf.float64), tf.constant(w, tf.float64), desired)
    expect_gradient("backprop.cost_partial", f"cost_partial(a={a:.6f}, w={w:.6f}, desired={desired:.6f})", got, expected,
                    alternatives={"no inner derivative": 2 * (a * w - desired),
                                  "the inner derivative w, not a": 2 * (a * w - desired) * w})


@pytest.mark.task("backprop.cost_partial")
def test_cost_partial_thesis_first_step(kit):
    got = derived("backprop.cost_partial", kit.backprop.cost_partial)(2.0, 0.8, 1.0)
    expect_close("backprop.cost_partial", "cost_partial(a=2.0, w=0.8, desired=1.0)", got, 2.4,
                 alternatives={"no inner derivative": 2 * (2.0 * 0.8 - 1.0)})  # a = 2: also "halved"; this comes first
    expect_tensor("backprop.cost_partial", "cost_partial(a=2.0, w=0.8, desired=1.0) of Python floats", got, tf.float32)


@pytest.mark.task("backprop.update")
@pytest.mark.parametrize("value, gradient, rate, expected", [(0.8, 2.4, 1.0, -1.6), (0.8, 2.4, 0.1, 0.56),
                                                             ([1.0, -2.0], [0.5, -1.0], 0.2, [0.9, -1.8])])
def test_update(kit, value, gradient, rate, expected):
    call = f"update({value}, {gradient}, learning_rate={rate}) in float64"
    got = kit.backprop.update(tf.constant(value, tf.float64), tf.constant(gradient, tf.float64), rate)
    expect_close("backprop.update", call, got, expected,
                 alternatives={"climbs the gradient": np.add(value, np.multiply(rate, gradient)),
                               **({"the learning rate left out": np.subtract(value, gradient),
                                   "the learning rate applied twice": np.subtract(value, np.multiply(rate * rate, gradient))}
                                  if rate != 1.0 else {})})
    expect_tensor("backprop.update", call, got, tf.float64)
    kind = "Python numbers" if isinstance(value, float) else "float32 arrays"  # as the docstring promises
    value, gradient = (v if isinstance(v, float) else np.asarray(v, np.float32) for v in (value, gradient))
    got = kit.backprop.update(value, gradient, rate)
    expect_tensor("backprop.update", f"update({value}, {gradient}, learning_rate={rate}) of {kind}", got, tf.float32)


@pytest.mark.task("backprop.descend")
@pytest.mark.uses("backprop.cost_partial", "backprop.update")
def test_descend_thesis_table_learning_rate_1(kit):
    weights, outputs = kit.backprop.descend(2.0, 0.8, 1.0, 1.0, 5)
    call = "descend(a=2.0, w=0.8, desired=1.0, learning_rate=1.0, steps=5)"
    expect_close("backprop.descend", call + " → weights", weights, [-1.6, 15.2, -102.4, 720.8, -5041.6],
                 alternatives={"records the weight before the update": [0.8, -1.6, 15.2, -102.4, 720.8],
                               "the first step's partial used at every step": [0.8 - 2.4 * k for k in range(1, 6)]})
    expect_close("backprop.descend", call + " → outputs", outputs, [-3.2, 30.4, -204.8, 1441.6, -10083.2],
                 alternatives={"the output of the weight before the update": [1.6, -3.2, 30.4, -204.8, 1441.6],
                               "the cost, not the output a·w": [(o - 1.0) ** 2 for o in [-3.2, 30.4, -204.8, 1441.6, -10083.2]]})
    expect_floats("backprop.descend", call + " → weights", weights)
    expect_floats("backprop.descend", call + " → outputs", outputs)


@pytest.mark.task("backprop.descend")
@pytest.mark.uses("backprop.cost_partial", "backprop.update")
def test_descend_thesis_table_learning_rate_01(kit):
    weights, outputs = kit.backprop.descend(2.0, 0.8, 1.0, 0.1, 25)
    call = "descend(a=2.0, w=0.8, desired=1.0, learning_rate=0.1, steps=25)"
    expect_close("backprop.descend", call + " → first four weights", weights[:4], [0.56, 0.512, 0.5024, 0.50048])
    expect_close("backprop.descend", call + " → last weight and output", [weights[-1], outputs[-1]], [0.5, 1.0])


def descent(step, w: float, rate: float, steps: int) -> list[float]:
    """The weights of gradient descent from w with partials step(w), in plain Python."""
    weights = []
    while len(weights) < steps:
        w -= rate * step(w)
        weights.append(w)
    return weights


def hand(monkeypatch, function, name: str, replacement) -> None:
    """Hand `function` a `replacement` for `name` where it looks the name up: its module's globals,
    or those of the notebook it was defined in (a decorated function's own)."""
    monkeypatch.setitem(getattr(inspect.unwrap(function), "__globals__", {}), name, replacement)


@pytest.mark.task("backprop.descend")
@pytest.mark.uses("backprop.update")
def test_descend_uses_cost_partial(kit, monkeypatch):
    """descend gets its partials from cost_partial: handed another one (no constant multiple of the
    true partial), it follows that one, calling it at every step's weight."""
    handed = warped(lambda a, w, desired: 2.0 * (a * w - desired) * a, 0.5, at=1)
    hand(monkeypatch, kit.backprop.descend, "cost_partial", handed)
    call = ("descend(a=2.0, w=0.8, desired=1.0, learning_rate=0.1, steps=5) with cost_partial returning the partial "
            "× 0.5·(1 + sin(5·w)/2)")
    weights, _ = kit.backprop.descend(2.0, 0.8, 1.0, 0.1, 5)
    true, once = (lambda w: 2.0 * (2.0 * w - 1.0) * 2.0), handed(2.0, 0.8, 1.0) / 2.4  # 2.4: the true partial at 0.8
    expect_close("backprop.descend", call + " → weights", weights, descent(lambda w: handed(2.0, w, 1.0), 0.8, 0.1, 5),
                 alternatives={"its partials are not cost_partial's": descent(true, 0.8, 0.1, 5),
                               "measures cost_partial once, then differentiates by itself":
                                   descent(lambda w: once * true(w), 0.8, 0.1, 5)})


@pytest.mark.task("backprop.chain_partials")
@pytest.mark.parametrize("trial", range(5))
def test_chain_partials_match_gradient_tape(kit, trial):
    a1, w1, w2, desired = RNG.normal(size=4)
    expected = tape_gradients(lambda u, v: (a1 * u * v - desired) ** 2, w1, w2)
    got = derived("backprop.chain_partials", kit.backprop.chain_partials)(*(tf.constant(t, tf.float64) for t in (a1, w1, w2)), desired)
    call = f"chain_partials(a1={a1:.6f}, w1={w1:.6f}, w2={w2:.6f}, desired={desired:.6f})"
    error = 2 * (a1 * w1 * w2 - desired)
    expect_gradient("backprop.chain_partials", call + " → ∂C/∂w1", got[0], expected[0],
                    alternatives={"the partials swapped": expected[1], "a factor missing": error * a1})
    expect_gradient("backprop.chain_partials", call + " → ∂C/∂w2", got[1], expected[1],
                    alternatives={"a factor missing": error * w1})


@pytest.mark.task("backprop.descend_two")
@pytest.mark.uses("backprop.chain_partials", "backprop.update")
def test_descend_two_thesis_numbers(kit):
    w1s, w2s, outputs = kit.backprop.descend_two(2.0, 0.8, 3.0, 1.0, 0.01, 25)
    call = "descend_two(a1=2.0, w1=0.8, w2=3.0, desired=1.0, learning_rate=0.01, steps=25)"
    w1, w2 = 0.8, 3.0  # the slip: w2's partial taken at the w1 just updated
    v1, v2 = 0.8, 3.0  # the slip: both weights moved by w1's partial
    for _ in range(25):
        w1 -= 0.01 * 2 * (2.0 * w1 * w2 - 1.0) * 2.0 * w2
        w2 -= 0.01 * 2 * (2.0 * w1 * w2 - 1.0) * 2.0 * w1
        g1 = 2 * (2.0 * v1 * v2 - 1.0) * 2.0 * v2
        v1, v2 = v1 - 0.01 * g1, v2 - 0.01 * g1
    expect_close("backprop.descend_two", call + " → last w1, w2, a3", [w1s[-1], w2s[-1], outputs[-1]],
                 [0.17478575, 2.8606453, 1.0], alternatives={"w2's partial at the updated w1": [w1, w2, 2.0 * w1 * w2],
                                                            "w2 moved by w1's partial": [v1, v2, 2.0 * v1 * v2]})
    for name, values in (("w1s", w1s), ("w2s", w2s), ("outputs", outputs)):
        expect_floats("backprop.descend_two", f"{call} → {name}", values)


@pytest.mark.task("backprop.descend_two")
@pytest.mark.uses("backprop.update")
def test_descend_two_uses_chain_partials(kit, monkeypatch):
    """descend_two gets its partials from chain_partials: handed others (no constant multiple of the
    true ones), it follows them, calling it at every step's weights."""
    def true_chain(a1, w1, w2, desired):
        half = a1 * w1 * w2 - desired  # half of 2·(a3 − ŷ)
        return 2.0 * half * a1 * w2, 2.0 * half * a1 * w1

    handed = warped(true_chain, 0.5, at=1)

    def w1s(partials):  # both partials from the same (w1, w2), then both updates
        w1, w2, found = 0.8, 3.0, []
        while len(found) < 5:
            g1, g2 = partials(2.0, w1, w2, 1.0)
            w1, w2 = w1 - 0.01 * g1, w2 - 0.01 * g2
            found.append(w1)
        return found

    hand(monkeypatch, kit.backprop.descend_two, "chain_partials", handed)
    call = ("descend_two(a1=2.0, w1=0.8, w2=3.0, desired=1.0, learning_rate=0.01, steps=5) with chain_partials "
            "returning the partials × 0.5·(1 + sin(5·w1)/2)")
    got, _, _ = kit.backprop.descend_two(2.0, 0.8, 3.0, 1.0, 0.01, 5)
    once = handed(2.0, 0.8, 3.0, 1.0)[0] / true_chain(2.0, 0.8, 3.0, 1.0)[0]
    expect_close("backprop.descend_two", call + " → w1s", got, w1s(handed),
                 alternatives={"its partials are not chain_partials'": w1s(true_chain),
                               "measures chain_partials once, then differentiates by itself":
                                   w1s(lambda *args: tuple(once * g for g in true_chain(*args)))})


@pytest.mark.task("backprop.sigmoid_partials")
@pytest.mark.parametrize("trial", range(5))
def test_sigmoid_partials_match_gradient_tape(kit, trial):
    x, w, b, desired = RNG.normal(size=(4, 3))
    expected = tape_gradients(lambda w_, b_: tf.reduce_sum((tf.sigmoid(x * w_ + b_) - desired) ** 2), w, b)
    got = derived("backprop.sigmoid_partials", kit.backprop.sigmoid_partials)(*(tf.constant(t, tf.float64) for t in (x, w, b)), desired)
    call = f"sigmoid_partials(x={x.round(4).tolist()}, w={w.round(4).tolist()}, b={b.round(4).tolist()}, desired={desired.round(4).tolist()})"
    a = 1 / (1 + np.exp(-(x * w + b)))
    expect_gradient("backprop.sigmoid_partials", call + " → ∂C/∂w", got[0], expected[0],
                    alternatives={"no sigmoid derivative": 2 * (a - desired) * x,
                                  "σ′ taken at z, not at a = σ(z)": 2 * (a - desired) * (x * w + b) * (1 - (x * w + b)) * x,
                                  "the sigmoid taken twice, σ(a)·(1 − σ(a))":
                                      2 * (a - desired) * (1 / (1 + np.exp(-a))) * (1 - 1 / (1 + np.exp(-a))) * x})
    expect_gradient("backprop.sigmoid_partials", call + " → ∂C/∂b", got[1], expected[1],
                    alternatives={"the bias's derivative times x": expected[1] * x})


@pytest.mark.task("backprop.backward")
@pytest.mark.parametrize("sizes", [[3, 2], [4, 5, 3], [6, 4, 4, 2]])
def test_backward_matches_gradient_tape(kit, sizes):
    layers = list(zip(sizes, sizes[1:]))
    weights = [RNG.uniform(-1, 1, size=shape) for shape in layers]
    biases = [RNG.uniform(-1, 1, size=(1, n)) for _, n in layers]
    x, desired = RNG.uniform(0, 1, size=(5, sizes[0])), RNG.uniform(0, 1, size=(5, sizes[-1]))

    def cost_of(*params):
        a = tf.constant(x)
        for w, b in zip(params[: len(layers)], params[len(layers):]):
            a = tf.sigmoid(a @ w + b)
        return tf.reduce_sum((a - desired) ** 2)

    def cost_without_output_derivative(*params):  # the slip: δ at the output is 2(a − desired), no σ′
        a = tf.constant(x)
        for w, b in zip(params[: len(layers)], params[len(layers):]):
            z = a @ w + b
            a = tf.sigmoid(z)
        return tf.reduce_sum(tf.stop_gradient(2 * (a - desired)) * z)

    @tf.custom_gradient
    def sigmoid_passing(z):  # σ forward; backward its derivative taken as 1
        return tf.sigmoid(z), lambda upstream: upstream

    def cost_without_hidden_derivative(*params):  # the slip: δ passes back through hidden layers without a(1 − a)
        a = tf.constant(x)
        for i, (w, b) in enumerate(zip(params[: len(layers)], params[len(layers):])):
            a = (tf.sigmoid if i == len(layers) - 1 else sigmoid_passing)(a @ w + b)
        return tf.reduce_sum((a - desired) ** 2)

    expected = tape_gradients(cost_of, *weights, *biases)
    slipped = tape_gradients(cost_without_output_derivative, *weights, *biases)
    hidden_slipped = tape_gradients(cost_without_hidden_derivative, *weights, *biases)
    weight_grads, bias_grads = derived("backprop.backward", kit.backprop.backward)(
        [tf.constant(w) for w in weights], [tf.constant(b) for b in biases], tf.constant(x), tf.constant(desired))
    call = f"backward(float64 weights and biases of a {sizes} sigmoid MLP, a batch of 5)"
    if len(weight_grads) != len(layers) or len(bias_grads) != len(layers):
        fail("backprop.backward", call, f"{len(layers)} weight and {len(layers)} bias gradients",
             f"{len(weight_grads)} and {len(bias_grads)}", "wrong number of gradients")
    for i, (got, want) in enumerate(zip(list(weight_grads) + list(bias_grads), expected)):
        name = f"weight_grads[{i}]" if i < len(layers) else f"bias_grads[{i - len(layers)}]"
        alternatives = {"no sigmoid derivative at the output": slipped[i]}
        if len(layers) > 1:
            alternatives["δ passed back without the hidden layer's a·(1 − a)"] = hidden_slipped[i]
        if "bias" in name:
            alternatives["the mean over the batch, not the sum"] = want / len(x)
        expect_gradient("backprop.backward", f"{call} → {name}", got, want, alternatives=alternatives)


@pytest.mark.task("backprop.backward")
def test_backward_keeps_float32(kit):
    weights, biases = [tf.constant([[0.5, -1.0], [0.25, 0.75]], tf.float32)], [tf.constant([[0.1, -0.2]], tf.float32)]
    call = "backward(float32 weights and biases of a [2, 2] sigmoid MLP, a batch of 1)"
    grads = derived("backprop.backward", kit.backprop.backward)(weights, biases, tf.constant([[1.0, 0.0]]),
                                                                tf.constant([[0.0, 1.0]]))
    expected = tape_gradients(lambda w, b: tf.reduce_sum((tf.sigmoid(tf.constant([[1.0, 0.0]], tf.float64) @ w + b)
                                                          - [[0.0, 1.0]]) ** 2), weights[0], biases[0])
    for name, gradient, want in (("weight_grads[0]", grads[0][0], expected[0]), ("bias_grads[0]", grads[1][0], expected[1])):
        expect_close("backprop.backward", f"{call} → {name}", gradient, want, rtol=1e-5)
        expect_tensor("backprop.backward", f"{call} → {name}", gradient, tf.float32)

"""Self-checks of exercise 7: activations, derivatives and softmax (run `pytest exercises/ -m activations`).

Each function is compared with TensorFlow's own (tf.sigmoid, tf.nn.relu, tf.nn.softmax, …) and
each hand-derived derivative, in float64, with what tf.GradientTape finds.
"""

import numpy as np
import pytest
import tensorflow as tf

from exercises.selfcheck import (deep_cost, derived, expect_close, expect_floats, expect_gradient, expect_tensor, fail,
                                 tape_gradients)

pytestmark = pytest.mark.activations

Z = np.array([[-1000.0, -2.5, -1.0, -1e-3], [0.0, 1e-3, 1.0, 1000.0]])  # saturation, the kink, both sides
ALPHA = 0.25  # float32 holds it exactly, as tf.nn.leaky_relu keeps its alpha
SHOWN = "[[-1000, -2.5, -1, -0.001], [0, 0.001, 1, 1000]]"


def elu_alpha(z, alpha):
    return tf.where(z >= 0, z, alpha * tf.nn.elu(z))


FUNCTIONS = {  # task → TensorFlow's function, keyword arguments
    "sigmoid": (lambda z: tf.sigmoid(z), {}),
    "tanh": (lambda z: tf.tanh(z), {}),
    "relu": (lambda z: tf.nn.relu(z), {}),
    "leaky_relu": (lambda z, alpha: tf.nn.leaky_relu(z, alpha), {"alpha": ALPHA}),
    "elu": (elu_alpha, {"alpha": 1.5}),
}
DEFAULTS = {"leaky_relu": {"alpha": 0.01}, "elu": {"alpha": 1.0}}  # the signatures' defaults, as the docstrings give them


def _call(name: str, kwargs: dict, what: str = SHOWN) -> str:
    return f"{name}({what}{''.join(f', {k}={v}' for k, v in kwargs.items())})"


def check_function(kit, name: str, alternatives: dict | None = None) -> None:
    """Values as TensorFlow's, float64 and float32 kept, and a tensor of any shape."""
    reference, kwargs = FUNCTIONS[name]
    task = f"activations.{name}"
    for dtype in (tf.float64, tf.float32):
        got = getattr(kit.activations, name)(tf.constant(Z, dtype), **kwargs)
        call = _call(name, kwargs, f"{SHOWN}, dtype={dtype.name}")
        expect_close(task, call, got, reference(tf.constant(Z), **kwargs).numpy(), rtol=1e-6, atol=1e-7,
                     alternatives=alternatives)
        expect_tensor(task, call, got, dtype)
    for shape in ((), (3,), (2, 2, 2)):
        z = np.linspace(-2.0, 2.0, int(np.prod(shape))).reshape(shape)
        got = getattr(kit.activations, name)(tf.constant(z), **kwargs)
        expect_close(task, _call(name, kwargs, f"a float64 tensor of shape {shape}"), got,
                     reference(tf.constant(z), **kwargs).numpy(), rtol=1e-9, atol=1e-12)
    for key, value in DEFAULTS.get(name, {}).items():  # left out, the default
        expected = reference(tf.constant(Z), **{key: value}).numpy()
        got = getattr(kit.activations, name)(tf.constant(Z))
        if not np.allclose(np.asarray(got), expected, rtol=1e-6, atol=1e-7):
            fail(task, f"{name}({SHOWN}), {key} left at its default", expected, np.asarray(got), f"{key} not {value} by default")


def check_derivative(kit, name: str, alternatives: dict) -> None:
    """The hand-derived derivative against tf.GradientTape's, float64 kept."""
    function = name.removesuffix("_prime")
    reference, kwargs = FUNCTIONS[function]
    task = f"activations.{name}"
    (expected,) = tape_gradients(lambda v: tf.reduce_sum(reference(v, **kwargs)), Z)
    got = derived(task, getattr(kit.activations, name))(tf.constant(Z), **kwargs)
    call = _call(name, kwargs)
    expect_tensor(task, call, got, tf.float64)  # first: a float32 result would show as a tiny relative error
    expect_gradient(task, call, got, expected, alternatives=alternatives)
    for key, value in DEFAULTS.get(function, {}).items():  # left out, the default
        (expected,) = tape_gradients(lambda v: tf.reduce_sum(reference(v, **{key: value})), Z)
        got = derived(task, getattr(kit.activations, name))(tf.constant(Z))
        if not np.allclose(np.asarray(got), expected, rtol=1e-6, atol=1e-9):
            fail(task, f"{name}({SHOWN}), {key} left at its default", expected, np.asarray(got), f"{key} not {value} by default")


@pytest.mark.task("activations.sigmoid")
def test_sigmoid(kit):
    check_function(kit, "sigmoid", {"σ(−z): e^z where e^(−z) belongs": 1 / (1 + np.exp(np.clip(Z, -500, 500))),
                                    "σ(2z): ½(1 + tanh z) where tanh(z/2) belongs": (1 + np.tanh(Z)) / 2})


@pytest.mark.task("activations.sigmoid_prime")
@pytest.mark.uses("activations.sigmoid")
def test_sigmoid_prime(kit):
    s = 1 / (1 + np.exp(-np.clip(Z, -500, 500)))
    check_derivative(kit, "sigmoid_prime", {"the sigmoid, not its derivative": s,
                                             "σ(1 − σ) applied to z, not to σ(z)": Z * (1 - Z)})


@pytest.mark.task("activations.tanh")
def test_tanh(kit):
    check_function(kit, "tanh")


@pytest.mark.task("activations.tanh_prime")
@pytest.mark.uses("activations.tanh")
def test_tanh_prime(kit):
    check_derivative(kit, "tanh_prime", {"1 − tanh(z), not squared": 1 - np.tanh(Z),
                                          "1 − z², not 1 − tanh(z)²": 1 - Z ** 2,
                                          "1 − tanh(z²), not 1 − tanh(z)²": 1 - np.tanh(Z ** 2)})


@pytest.mark.task("activations.relu")
def test_relu(kit):
    check_function(kit, "relu")


@pytest.mark.task("activations.relu_prime")
def test_relu_prime(kit):
    check_derivative(kit, "relu_prime", {"1 at the kink z = 0": (Z >= 0).astype(float), "the ReLU itself": np.maximum(Z, 0),
                                          "the sign of z": np.sign(Z)})


@pytest.mark.task("activations.leaky_relu")
def test_leaky_relu(kit):
    check_function(kit, "leaky_relu", {"alpha fixed at 0.01": np.where(Z > 0, Z, 0.01 * Z),
                                       "alpha, not alpha·z, for z ≤ 0": np.where(Z > 0, Z, ALPHA)})


@pytest.mark.task("activations.leaky_relu_prime")
def test_leaky_relu_prime(kit):
    check_derivative(kit, "leaky_relu_prime", {"0, not alpha, for z < 0": (Z > 0).astype(float),
                                                "1 at the kink z = 0": np.where(Z >= 0, 1.0, ALPHA),
                                                "alpha fixed at 0.01": np.where(Z > 0, 1.0, 0.01),
                                                "alpha·z, the function, for z < 0": np.where(Z > 0, 1.0, ALPHA * Z),
                                                "alpha added on both sides": np.where(Z > 0, 1.0, 0.0) + ALPHA})


@pytest.mark.task("activations.elu")
def test_elu(kit):
    check_function(kit, "elu", {"alpha fixed at 1": np.where(Z >= 0, Z, np.expm1(np.minimum(Z, 0))),
                                "alpha·e^z without the − 1": np.where(Z >= 0, Z, FUNCTIONS["elu"][1]["alpha"] * np.exp(np.minimum(Z, 0))),
                                "alpha·e^z − 1, not alpha·(e^z − 1)":
                                    np.where(Z >= 0, Z, FUNCTIONS["elu"][1]["alpha"] * np.exp(np.minimum(Z, 0)) - 1)})


@pytest.mark.task("activations.elu_prime")
def test_elu_prime(kit):
    alpha = FUNCTIONS["elu"][1]["alpha"]
    negative = np.exp(np.minimum(Z, 0))
    check_derivative(kit, "elu_prime", {"alpha·(e^z − 1), the function, for z < 0": np.where(Z >= 0, 1.0, alpha * (negative - 1)),
                                         "e^z without alpha for z < 0": np.where(Z >= 0, 1.0, negative),
                                         "alpha at the kink z = 0": np.where(Z > 0, 1.0, alpha * negative)})


LOGITS = np.array([[2.0, 1.0, 0.1], [1000.0, -1000.0, 0.0], [-3.0, 0.5, 0.5], [0.0, 0.0, 0.0]])
row_shifted = np.exp(LOGITS - LOGITS.max(axis=1, keepdims=True))  # each row's exps, shifted by its largest logit
LABELS = np.eye(3)[[0, 1, 2, 0]]


@pytest.mark.task("activations.softmax")
def test_softmax(kit):
    for dtype in (tf.float64, tf.float32):
        got = kit.activations.softmax(tf.constant(LOGITS, dtype))
        call = f"softmax({LOGITS.tolist()}, dtype={dtype.name})"
        expect_close("activations.softmax", call, got, tf.nn.softmax(LOGITS).numpy(), rtol=1e-6, atol=1e-7,
                     alternatives={"along the batch axis, not along each row": tf.nn.softmax(LOGITS, axis=0).numpy(),
                                   "summed along the batch axis, not along each row": row_shifted / row_shifted.sum(axis=0)})
        expect_tensor("activations.softmax", call, got, dtype)


@pytest.mark.task("activations.softmax_cross_entropy")
def test_softmax_cross_entropy(kit):
    call = f"softmax_cross_entropy({LOGITS.tolist()}, one-hot labels of {[0, 1, 2, 0]})"
    per_row = tf.nn.softmax_cross_entropy_with_logits(LABELS, LOGITS).numpy()
    got = kit.activations.softmax_cross_entropy(tf.constant(LOGITS), tf.constant(LABELS))
    with np.errstate(divide="ignore"):
        padded = -np.sum(LABELS * np.log(tf.nn.softmax(LOGITS).numpy() + 1e-12), axis=1).mean()
    sigmoid_rows = tf.nn.sigmoid_cross_entropy_with_logits(LABELS, LOGITS).numpy().sum(axis=1)
    expect_close("activations.softmax_cross_entropy", call, got, per_row.mean(), rtol=1e-9,
                 alternatives={"the sum over the batch, not the mean": per_row.sum(),
                               "divided by the number of classes": per_row.sum() / LOGITS.shape[1],
                               "the mean over every element": per_row.sum() / LOGITS.size,
                               "the log of softmax plus a small number": padded,
                               "a sigmoid cross-entropy (each class alone), not softmax's": sigmoid_rows.mean(),
                               "a sigmoid cross-entropy's mean over every element, not softmax's": sigmoid_rows.mean() / 3})
    expect_tensor("activations.softmax_cross_entropy", call, got, tf.float64)


@pytest.mark.task("activations.softmax_cross_entropy_gradient")
@pytest.mark.uses("activations.softmax")
def test_softmax_cross_entropy_gradient(kit):
    task = "activations.softmax_cross_entropy_gradient"
    (expected,) = tape_gradients(lambda v: tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(LABELS, v)), LOGITS)
    got = derived(task, kit.activations.softmax_cross_entropy_gradient)(tf.constant(LOGITS), tf.constant(LABELS))
    call = f"softmax_cross_entropy_gradient({LOGITS.tolist()}, one-hot labels of {[0, 1, 2, 0]})"
    expect_tensor(task, call, got, tf.float64)
    expect_gradient(task, call, got, expected, alternatives={"not divided by the batch size": expected * len(LOGITS),
                                                             "divided by the number of classes":
                                                                 expected * len(LOGITS) / LOGITS.shape[1]})


def tape_norms(function, depth: int, width: int, seed: int, kit) -> list[float]:
    """TensorFlow's answer: the same network and cost, differentiated by tf.GradientTape."""
    weights, x, y = kit.activations.deep_network(depth, width, seed)
    return [float(np.linalg.norm(g)) for g in tape_gradients(lambda *ws: deep_cost(function, ws, x, y), *weights)]


def taken_at_the_activations(seen: list, function, depth: int, width: int, kit) -> bool:
    """Was the derivative applied to the network's activations f(z) rather than to its z's?"""
    weights, a, _ = kit.activations.deep_network(depth, width, 1)
    sums, activations = [], []
    for layer in weights:  # the forward pass
        sums.append(a @ layer)
        activations.append(a := function(sums[-1]))

    def among(value, tensors):
        return any(np.shape(value) == tuple(t.shape) and np.allclose(value, t) for t in tensors)

    return any(among(v, activations) and not among(v, sums) for v in seen)


@pytest.mark.task("activations.layer_gradient_norms")
@pytest.mark.uses("activations.sigmoid", "activations.sigmoid_prime", "activations.relu", "activations.relu_prime")
def test_layer_gradient_norms(kit):
    """By hand, with your sigmoid and ReLU, against tf.GradientTape; then the lecture notes' point:
    a deep sigmoid network's first layer gets almost no gradient, a ReLU network's does."""
    task, depth, width = "activations.layer_gradient_norms", 6, 5
    batch = len(kit.activations.deep_network(depth, width, 1)[1])  # C's mean is over batch × width errors
    norms = {}
    for name, function in (("sigmoid", tf.sigmoid), ("relu", tf.nn.relu)):
        call = f"layer_gradient_norms({name}, {name}_prime, depth={depth}, width={width}, seed=1)"
        expected = tape_norms(function, depth, width, 1, kit)
        mine = getattr(kit.activations, name), getattr(kit.activations, f"{name}_prime")
        seen = []  # what the derivative is applied to

        def derivative(z, d=mine[1]):
            seen.append(np.asarray(z))
            return d(z)

        got = kit.activations.layer_gradient_norms(mine[0], derivative, depth, width, 1)
        expect_floats(task, call, got)
        if not np.allclose(got, expected, rtol=1e-9, atol=0.0) and taken_at_the_activations(seen, function, depth, width, kit):
            fail(task, call, expected, got, "f′ taken at the activation f(z), not at z")
        if len(got) == depth and np.isclose(got[-1], expected[-1], rtol=1e-9) and not np.allclose(got, expected, rtol=1e-9):
            fail(task, call, np.asarray(expected), np.asarray(got), "the last layer right, the layers below it not")
        expect_close(task, call, got, expected, rtol=1e-9, atol=0.0,
                     alternatives={"the last layer first": expected[::-1],
                                   "C as the mean over the batch only, not over every element": np.multiply(expected, width),
                                   "C as the sum of the squared errors, not their mean": np.multiply(expected, width * batch)})
        halved = kit.activations.layer_gradient_norms(mine[0], lambda z, d=mine[1]: 0.5 * d(z), depth, width, 1)
        expect_close(task, call.replace(f"{name}_prime", f"0.5 × {name}_prime"), halved,
                     [norm * 0.5 ** (depth - layer) for layer, norm in enumerate(expected)], rtol=1e-9, atol=0.0,
                     alternatives={"not the derivative it is given": expected})
        norms[name] = kit.activations.layer_gradient_norms(*mine)
    ratios = {name: values[0] / values[-1] for name, values in norms.items()}
    if not (ratios["sigmoid"] < 1e-3 and ratios["relu"] > 0.1):
        fail(task, "layer_gradient_norms(…) of 10 layers, sigmoid and relu: first layer's norm / last layer's",
             "sigmoid below 1e-3 (vanishing), relu above 0.1", ratios, "no vanishing gradient to see")

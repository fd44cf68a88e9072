"""Self-checks of exercise 2: the multilayer perceptron (run `pytest exercises/ -m mlp`)."""

import numpy as np
import pytest
import tensorflow as tf

from exercises.selfcheck import expect_close, fail, shapes_problem

pytestmark = pytest.mark.mlp

XOR_INPUTS = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
XOR_SIGMOID = [[0.3642491], [0.48106766], [0.48106766], [0.3642491]]  # thesis §XOR with Sigmoid
SMALL_WEIGHTS = [[[0.5, -0.25, 1.0], [0.75, 0.5, -1.5]], [[1.0], [-2.0], [0.5]]]
SMALL_BIASES = [[[0.1, -0.2, 0.3]], [[0.25]]]


def wrong_forward_passes(x) -> dict:
    """The outputs of SMALL_WEIGHTS/SMALL_BIASES computed the usual wrong ways."""
    def forward(use_biases=True, every_layer=True, bias_after=False, last=True):
        a = np.asarray(x, dtype=np.float64)
        for i, (w, b) in enumerate(zip(SMALL_WEIGHTS, SMALL_BIASES)):
            a = a @ np.asarray(w) + (np.asarray(b) if use_biases and not bias_after else 0)
            is_last = i == len(SMALL_WEIGHTS) - 1
            a = 1 / (1 + np.exp(-a)) if (every_layer or is_last) and (last or not is_last) else a
            a = a + np.asarray(b) if bias_after else a
        return a
    return {"no bias": forward(use_biases=False), "activation only at the end": forward(every_layer=False),
            "the bias added after the activation": forward(bias_after=True),
            "no activation on the last layer": forward(last=False)}


def xor_forward(kit, weight_scale: float, bias_scale: float) -> np.ndarray:
    """The thesis' XOR network with sigmoids, its weights and biases scaled apart."""
    a = np.asarray(XOR_INPUTS, dtype=np.float64)
    for w, b in zip(kit.mlp.XOR_WEIGHTS, kit.mlp.XOR_BIASES):
        a = 1 / (1 + np.exp(-(a @ (np.asarray(w) * weight_scale) + np.asarray(b) * bias_scale)))
    return a


@pytest.mark.task("mlp.MLP.from_sizes")
@pytest.mark.parametrize("sizes", [[784, 15, 10], [3, 4, 5, 2]])
def test_from_sizes_shapes_and_range(kit, sizes):
    task, call = "mlp.MLP.from_sizes", f"MLP.from_sizes({sizes}, seed=1)"
    model = kit.mlp.MLP.from_sizes(sizes, seed=1)
    shapes = [tuple(v.shape) for v in model.weights] + [tuple(v.shape) for v in model.biases]
    expected = [(a, b) for a, b in zip(sizes, sizes[1:])] + [(1, b) for b in sizes[1:]]
    if shapes != expected:
        square = all(a == b for a, b in shapes[:len(sizes) - 1])
        fail(task, call + " → shapes of weights then biases", expected, shapes,
             "square layers" if square else shapes_problem(shapes, expected), "shape")
    values = np.concatenate([v.numpy().ravel() for v in model.weights + model.biases])
    zero = [name for name, group in (("weights", model.weights), ("biases", model.biases))
            if all(not np.any(v.numpy()) for v in group)]
    if zero:
        fail(task, call + f" → its {zero[0]}", "values spread uniformly over [-1, 1]", "all 0", f"{zero[0]} all 0")
    lopsided = [name for name, group in (("weights", model.weights), ("biases", model.biases))
                if all(v.numpy().min() >= 0 for v in group)]  # each drawn over [-1, 1): both signs occur
    if lopsided or not (np.all(np.isfinite(values)) and values.min() >= -1 and values.max() <= 1 and values.std() >= 0.3):
        fail(task, call, "values spread uniformly over [-1, 1]", f"min {values.min():.3f}, max {values.max():.3f}, "
             f"std {values.std():.3f}", f"no negative {lopsided[0]}" if lopsided else "wrong distribution")


@pytest.mark.task("mlp.MLP.from_sizes")
def test_from_sizes_is_seedable(kit):
    task = "mlp.MLP.from_sizes"
    first, again, other = (kit.mlp.MLP.from_sizes([5, 4, 3], seed=s) for s in (7, 7, 8))
    for a, b in zip(first.weights + first.biases, again.weights + again.biases):
        if np.shape(a) == np.shape(b) and not np.array_equal(a.numpy(), b.numpy()):
            fail(task, "MLP.from_sizes([5, 4, 3], seed=7), twice: the parameters", a.numpy(), b.numpy(),
                 "the same seed gives other values")
        expect_close(task, "MLP.from_sizes([5, 4, 3], seed=7), twice: the parameters", b.numpy(), a.numpy(), atol=0)
    if not np.any(np.abs(first.weights[0].numpy() - other.weights[0].numpy()) > 1e-6):
        fail(task, "MLP.from_sizes([5, 4, 3], seed=8)", "other weights than with seed=7", "the same weights",
             "the seed is ignored")
    unseeded = [kit.mlp.MLP.from_sizes([5, 4, 3]).weights[0].numpy() for _ in range(2)]
    if np.array_equal(*unseeded):
        fail(task, "MLP.from_sizes([5, 4, 3]), twice, without a seed", "two different starts", "the same weights",
             "the same start without a seed")


@pytest.mark.task("mlp.MLP.__call__")
def test_call_two_layers_sigmoid(kit):
    model = kit.mlp.MLP(SMALL_WEIGHTS, SMALL_BIASES)
    x = [[0.0, 0.0], [1.0, 2.0], [-1.0, 0.5]]
    got = model(tf.constant(x))
    expect_close("mlp.MLP.__call__", f"MLP({SMALL_WEIGHTS}, {SMALL_BIASES})({x})", got,
                 [[0.540379], [0.48746875], [0.42308208]], alternatives=wrong_forward_passes(x))


@pytest.mark.task("mlp.MLP.__call__")
def test_call_applies_the_given_activation(kit):
    x = [[0.0, 0.0], [1.0, 2.0], [-1.0, 0.5]]
    got = kit.mlp.MLP(SMALL_WEIGHTS, SMALL_BIASES, activation=tf.tanh)(tf.constant(x))

    def forward(activation):
        a = np.array(x)
        for w, b in zip(SMALL_WEIGHTS, SMALL_BIASES):
            a = activation(a @ np.array(w) + np.array(b))
        return a

    expect_close("mlp.MLP.__call__", f"MLP({SMALL_WEIGHTS}, {SMALL_BIASES}, activation=tf.tanh)({x})", got,
                 forward(np.tanh), alternatives={"the sigmoid, whatever activation it is given":
                                                 forward(lambda z: 1 / (1 + np.exp(-z)))})


@pytest.mark.task("mlp.MLP.__call__")
def test_call_thesis_xor_weights_with_sigmoid(kit):
    weights, biases = kit.mlp.XOR_WEIGHTS, kit.mlp.XOR_BIASES
    got = kit.mlp.MLP(weights, biases, activation=tf.sigmoid)(tf.constant(XOR_INPUTS))
    expect_close("mlp.MLP.__call__", f"MLP(XOR_WEIGHTS, XOR_BIASES, tf.sigmoid)({XOR_INPUTS})", got, XOR_SIGMOID)


@pytest.mark.task("mlp.xor_network")
@pytest.mark.uses("mlp.MLP.__call__", "perceptron.tf_step_fn")
def test_xor_network_with_step(kit):
    got = kit.mlp.xor_network()(tf.constant(XOR_INPUTS))
    expect_close("mlp.xor_network", f"xor_network()({XOR_INPUTS})", got, [[0], [1], [1], [0]], atol=0,
                 alternatives={"the activation not passed on": XOR_SIGMOID})


@pytest.mark.task("mlp.xor_network")
@pytest.mark.uses("mlp.MLP.__call__")
def test_xor_network_with_sigmoid(kit):
    got = kit.mlp.xor_network(tf.sigmoid)(tf.constant(XOR_INPUTS))
    expect_close("mlp.xor_network", f"xor_network(tf.sigmoid)({XOR_INPUTS})", got, XOR_SIGMOID)


@pytest.mark.task("mlp.xor_network")
@pytest.mark.uses("mlp.MLP.__call__")
def test_xor_network_scaled_sigmoid_rounds_to_xor(kit):
    constants = [np.array(v, dtype=float) for v in kit.mlp.XOR_WEIGHTS + kit.mlp.XOR_BIASES]
    got = kit.mlp.xor_network(tf.sigmoid, scale=100.0)(tf.constant(XOR_INPUTS))
    after = [np.array(v, dtype=float) for v in kit.mlp.XOR_WEIGHTS + kit.mlp.XOR_BIASES]
    if any(not np.array_equal(a, b) for a, b in zip(constants, after)):
        fail("mlp.xor_network", "xor_network(tf.sigmoid, scale=100.0), then the module's XOR_WEIGHTS and XOR_BIASES",
             constants, after, "the module's constants scaled in place")
    expect_close("mlp.xor_network", f"xor_network(tf.sigmoid, scale=100.0)({XOR_INPUTS})", got,
                 [[0], [1], [1], [0]], atol=1e-6, alternatives={"not scaled": XOR_SIGMOID,
                                                                "the biases not scaled": xor_forward(kit, 100.0, 1.0)})


@pytest.mark.task("mlp.parameter_count")
@pytest.mark.parametrize("sizes, expected", [([784, 15, 10], 11935), ([2, 2, 1], 9), ([3, 4, 5, 2], 53)])
def test_parameter_count(kit, sizes, expected):
    layers = list(zip(sizes, sizes[1:]))
    model = kit.mlp.MLP([np.zeros((a, b)) for a, b in layers], [np.zeros((1, b)) for _, b in layers])
    got = kit.mlp.parameter_count(model)
    call = f"parameter_count(an MLP with layer sizes {sizes})"
    if not isinstance(got, int) or isinstance(got, bool):
        fail("mlp.parameter_count", call, expected, got, f"returned a {type(got).__name__}, not an int", "type")
    if got != expected:
        without_biases = sum(a * b for a, b in layers)
        fail("mlp.parameter_count", call, expected, got, "no biases" if got == without_biases else
             "the number of variables, not of the numbers in them" if got == 2 * len(layers) else
             "biases for the inputs too" if got == expected + sizes[0] else "wrong value")

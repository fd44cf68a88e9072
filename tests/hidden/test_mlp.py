"""Hidden suite of exercise 2: the multilayer perceptron (15 points)."""

import numpy as np
import pytest
import tensorflow as tf

from grader.scoring.judges import expect_close, fail, shapes_problem
from grader.scoring.student import Fn
from solutions import mlp as reference
from tests.hidden.conftest import expect_model, parameters_of, random_parameters, random_sizes

pytestmark = pytest.mark.mlp

XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
XOR_SIGMOID = [[0.3642491], [0.48106766], [0.48106766], [0.3642491]]  # thesis §XOR with Sigmoid


@pytest.mark.points(2)
@pytest.mark.task("mlp.MLP.from_sizes")
def test_from_sizes_shapes(student, rng):
    sizes = random_sizes(rng, int(rng.integers(1, 5)))
    got = parameters_of(student.mlp.MLP.from_sizes(sizes, seed=int(rng.integers(1000))), "mlp.MLP.from_sizes",
                        f"MLP.from_sizes({sizes})")
    expected = [(a, b) for a, b in zip(sizes, sizes[1:])] + [(1, b) for b in sizes[1:]]
    if [p.shape for p in got] != expected:
        fail("mlp.MLP.from_sizes", f"MLP.from_sizes({sizes}) → shapes of weights, then biases", expected,
             [p.shape for p in got], shapes_problem([p.shape for p in got], expected), "shape")
    values = np.concatenate([p.ravel() for p in got])
    if not (np.all(np.isfinite(values)) and np.all(np.abs(values) <= 1) and values.std() > 0.1):
        fail("mlp.MLP.from_sizes", f"MLP.from_sizes({sizes}) → every weight and bias",
             "different values in [-1, 1)", f"min {values.min():.3g}, max {values.max():.3g}, std {values.std():.3g}")


@pytest.mark.points(1)
@pytest.mark.task("mlp.MLP.from_sizes")
def test_from_sizes_uniform_in_minus_one_one(student, rng):
    seed = int(rng.integers(1000))
    model = expect_model("mlp.MLP.from_sizes", f"MLP.from_sizes([2, 600, 400], seed={seed})",
                         student.mlp.MLP.from_sizes([2, 600, 400], seed=seed))
    for kind in ("weights", "biases"):
        values = np.concatenate([np.asarray(p).ravel() for p in model.get(kind)])
        summary = f"min {values.min():.3f}, max {values.max():.3f}, mean {values.mean():.3f}, std {values.std():.3f}"
        uniform = (np.all(np.isfinite(values)) and values.min() >= -1 and values.max() <= 1
                   and abs(values.mean()) <= 0.08 and abs(values.std() - 3 ** -0.5) <= 0.04)
        if not uniform:
            fail("mlp.MLP.from_sizes", f"MLP.from_sizes([2, 600, 400], seed={seed}) → all {kind}",
                 "uniform in [-1, 1): mean 0, std 0.577", summary)


@pytest.mark.points(1)
@pytest.mark.task("mlp.MLP.from_sizes")
def test_from_sizes_is_seedable(student, rng):
    seed = int(rng.integers(1000))
    first, again, other = (parameters_of(student.mlp.MLP.from_sizes([4, 3, 2], seed=s), "mlp.MLP.from_sizes") for s in (seed, seed, seed + 1))
    finite = all(np.all(np.isfinite(p)) for p in first + again + other)
    if not (finite and all(np.array_equal(a, b) for a, b in zip(first, again)) and not np.array_equal(first[0], other[0])):
        fail("mlp.MLP.from_sizes", f"MLP.from_sizes([4, 3, 2], seed={seed}) twice, then with seed={seed + 1}",
             "the same parameters for the same seed, others for another seed",
             "not finite numbers" if not finite else "another seed gave the same weights"
             if all(np.array_equal(a, b) for a, b in zip(first, again)) else "the same seed gave other parameters")


@pytest.mark.points(1)
@pytest.mark.task("mlp.MLP.from_sizes")
def test_from_sizes_without_seed_differs(student):
    first, second = (parameters_of(student.mlp.MLP.from_sizes([4, 3, 2]), "mlp.MLP.from_sizes")[0] for _ in range(2))
    if not (np.all(np.isfinite(first)) and np.all(np.isfinite(second)) and not np.array_equal(first, second)):
        fail("mlp.MLP.from_sizes", "MLP.from_sizes([4, 3, 2]) twice, without a seed", "different parameters",
             "the same parameters")


@pytest.mark.points(3)
@pytest.mark.task("mlp.MLP.__call__")
def test_call_matches_the_reference(student, rng):
    sizes = random_sizes(rng, int(rng.integers(1, 4)))
    weights, biases = random_parameters(rng, sizes)
    x = rng.uniform(-1, 1, size=(7, sizes[0])).astype(np.float32)
    got = student.mlp.MLP(weights, biases)(x)
    expected = reference.MLP(weights, biases)(x).numpy()
    expect_close("mlp.MLP.__call__", f"MLP(random parameters of a {sizes} sigmoid network)(a batch of 7)", got, expected)


@pytest.mark.points(2)
@pytest.mark.task("mlp.MLP.__call__")
def test_call_applies_the_given_activation_after_every_layer(student, rng):
    sizes = random_sizes(rng, 3)
    weights, biases = random_parameters(rng, sizes)
    x = rng.uniform(-1, 1, size=(5, sizes[0])).astype(np.float32)
    got = student.mlp.MLP(weights, biases, activation=Fn("relu"))(x)
    expected = reference.MLP(weights, biases, activation=tf.nn.relu)(x).numpy()
    expect_close("mlp.MLP.__call__", f"MLP(a {sizes} network, activation=tf.nn.relu)(a batch of 5)", got, expected)


@pytest.mark.points(1)
@pytest.mark.task("mlp.xor_network")
def test_xor_network_with_step(student, rng):
    order = rng.permutation(8) % 4
    got = expect_model("mlp.xor_network", "xor_network()", student.mlp.xor_network())(XOR_INPUTS[order])
    expect_close("mlp.xor_network", f"xor_network()({XOR_INPUTS[order].astype(int).tolist()})", got,
                 np.array([[0], [1], [1], [0]])[order], atol=0)


@pytest.mark.points(2)
@pytest.mark.task("mlp.xor_network")
def test_xor_network_with_sigmoid_gives_the_thesis_outputs(student):
    got = expect_model("mlp.xor_network", "xor_network(tf.sigmoid)", student.mlp.xor_network(Fn("sigmoid")))(XOR_INPUTS)
    expect_close("mlp.xor_network", "xor_network(tf.sigmoid)(the four input pairs)", got, XOR_SIGMOID)


@pytest.mark.points(1)
@pytest.mark.task("mlp.xor_network")
def test_xor_network_scaled(student, rng):
    scale = float(rng.uniform(0.5, 3))
    got = expect_model("mlp.xor_network", "xor_network(tf.sigmoid, scale)",
                       student.mlp.xor_network(Fn("sigmoid"), scale=scale))(XOR_INPUTS)
    expected = reference.xor_network(tf.sigmoid, scale=scale)(XOR_INPUTS).numpy()
    expect_close("mlp.xor_network", f"xor_network(tf.sigmoid, scale={scale:.4f})(the four input pairs)", got, expected)


@pytest.mark.points(1)
@pytest.mark.task("mlp.parameter_count")
def test_parameter_count(student, rng):
    for sizes in ([784, 15, 10], random_sizes(rng, int(rng.integers(1, 5)))):
        weights, biases = random_parameters(rng, sizes)
        got = student.mlp.parameter_count(student.mlp.MLP(weights, biases))
        expected = sum(w.size for w in weights) + sum(b.size for b in biases)
        if type(got) is not int or got != expected:
            fail("mlp.parameter_count", f"parameter_count(an MLP with layer sizes {sizes})", expected, got)

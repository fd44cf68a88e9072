"""Hidden suite of exercise 7: activation functions, their derivatives and softmax (25 points).

The judges are TensorFlow's own functions (tf.sigmoid, tf.nn.relu, tf.nn.softmax, …) and, for
every derivative, tf.GradientTape in float64; inputs are random tensors of random shapes that hold
the kink 0, tiny and huge (±1000) values.
"""

import inspect

import numpy as np
import pytest
import tensorflow as tf

from grader.scoring.judges import as_array, deep_cost, expect_close, expect_dtype, expect_gradient, fail, tape_gradients, warped
from grader.scoring.student import Fn
from solutions import activations as reference

pytestmark = pytest.mark.activations

SPECIAL = [0.0, 1e-3, -1e-3, 1000.0, -1000.0, 2.5, -2.5]  # the kink, both sides of it, saturation


def random_z(rng: np.random.Generator, dtype=np.float64) -> np.ndarray:
    """A tensor of a random shape (one to three axes) holding every SPECIAL value and normal ones."""
    shape = tuple(int(n) for n in rng.integers(2, 5, size=rng.integers(1, 4)))
    while int(np.prod(shape)) < len(SPECIAL):
        shape = shape + (2,)
    z = rng.normal(scale=3.0, size=shape)
    z.flat[rng.permutation(z.size)[:len(SPECIAL)]] = SPECIAL
    return z.astype(dtype)


def leaky_alpha(rng: np.random.Generator) -> float:
    """A slope in [0.01, 0.3] that float32 holds exactly, as tf.nn.leaky_relu keeps its alpha."""
    return float(np.float32(rng.uniform(0.01, 0.3)))


def elu_alpha(z, alpha):
    return tf.where(z >= 0, z, alpha * tf.nn.elu(z))


def check_function(student, rng, name: str, reference_function, **kwargs) -> None:
    """The student's activation equals TensorFlow's, in float64 and float32, dtype kept."""
    for dtype in (np.float64, np.float32):
        z = random_z(rng, dtype)
        shown = ", ".join(f"{k}={v:.4f}" for k, v in kwargs.items())
        call = f"{name}(a {dtype.__name__} tensor of shape {z.shape} with 0, ±1e-3 and ±1000{', ' + shown if shown else ''})"
        got = getattr(student.activations, name)(tf.constant(z), **kwargs)
        expect_close(f"activations.{name}", call, got, reference_function(tf.constant(z, tf.float64), **kwargs).numpy(),
                     rtol=1e-6 if dtype == np.float32 else 1e-10, atol=1e-7 if dtype == np.float32 else 1e-12)
        expect_dtype(f"activations.{name}", call, got, dtype)
    check_defaults(student, rng, name, reference_function, kwargs)


def check_defaults(student, rng, name: str, function, kwargs: dict) -> None:
    """A keyword argument left out takes the default of the reference's signature (the skeleton's)."""
    task = f"activations.{name}"
    for key in kwargs:
        default = inspect.signature(getattr(reference, name)).parameters[key].default
        z = random_z(rng)
        if name.endswith("_prime"):
            (expected,) = tape_gradients(lambda v: tf.reduce_sum(function(v, **{key: default})), z)
            got = getattr(student.activations, name).by_hand(tf.constant(z))
        else:
            expected, got = function(tf.constant(z), **{key: default}).numpy(), getattr(student.activations, name)(tf.constant(z))
        call = f"{name}(a float64 tensor of shape {z.shape} with 0, ±1e-3 and ±1000), {key} left at its default"
        got = as_array(task, call, got, np.asarray(expected))
        if not np.allclose(got, expected, rtol=1e-6, atol=1e-9):
            fail(task, call, expected, got, f"{key} not {default} by default")


def check_derivative(student, rng, name: str, reference_function, **kwargs) -> None:
    """The student's hand-derived derivative equals tf.GradientTape's of TensorFlow's function."""
    z = random_z(rng)
    (expected,) = tape_gradients(lambda v: tf.reduce_sum(reference_function(v, **kwargs)), z)
    shown = ", ".join(f"{k}={v:.4f}" for k, v in kwargs.items())
    call = f"{name}(a float64 tensor of shape {z.shape} with 0, ±1e-3 and ±1000{', ' + shown if shown else ''})"
    got = getattr(student.activations, name).by_hand(tf.constant(z), **kwargs)
    expect_gradient(f"activations.{name}", call, got, expected)
    expect_dtype(f"activations.{name}", call, got, np.float64)
    check_defaults(student, rng, name, reference_function, kwargs)


@pytest.mark.points(1)
@pytest.mark.task("activations.sigmoid")
def test_sigmoid(student, rng):
    check_function(student, rng, "sigmoid", lambda z: tf.sigmoid(z))


@pytest.mark.points(2)
@pytest.mark.task("activations.sigmoid_prime")
def test_sigmoid_prime(student, rng):
    check_derivative(student, rng, "sigmoid_prime", lambda z: tf.sigmoid(z))


@pytest.mark.points(1)
@pytest.mark.task("activations.tanh")
def test_tanh(student, rng):
    check_function(student, rng, "tanh", lambda z: tf.tanh(z))


@pytest.mark.points(2)
@pytest.mark.task("activations.tanh_prime")
def test_tanh_prime(student, rng):
    check_derivative(student, rng, "tanh_prime", lambda z: tf.tanh(z))


@pytest.mark.points(1)
@pytest.mark.task("activations.relu")
def test_relu(student, rng):
    check_function(student, rng, "relu", lambda z: tf.nn.relu(z))


@pytest.mark.points(2)
@pytest.mark.task("activations.relu_prime")
def test_relu_prime(student, rng):
    check_derivative(student, rng, "relu_prime", lambda z: tf.nn.relu(z))


@pytest.mark.points(1)
@pytest.mark.task("activations.leaky_relu")
def test_leaky_relu(student, rng):
    check_function(student, rng, "leaky_relu", lambda z, alpha: tf.nn.leaky_relu(z, alpha),
                   alpha=leaky_alpha(rng))


@pytest.mark.points(2)
@pytest.mark.task("activations.leaky_relu_prime")
def test_leaky_relu_prime(student, rng):
    check_derivative(student, rng, "leaky_relu_prime", lambda z, alpha: tf.nn.leaky_relu(z, alpha),
                     alpha=leaky_alpha(rng))


@pytest.mark.points(1)
@pytest.mark.task("activations.elu")
def test_elu(student, rng):
    check_function(student, rng, "elu", elu_alpha, alpha=float(rng.uniform(0.5, 2.0)))


@pytest.mark.points(2)
@pytest.mark.task("activations.elu_prime")
def test_elu_prime(student, rng):
    check_derivative(student, rng, "elu_prime", elu_alpha, alpha=float(rng.uniform(0.5, 2.0)))


def random_logits(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(logits, labels): a batch of random size and class count (never equal), one row with logits
    of ±1000 whose label is the −1000 class, and labels as one-hot rows or as probability rows."""
    n, k = int(rng.integers(3, 8)), int(rng.integers(3, 11))
    k += k == n  # never as many classes as rows: a mean over the classes must differ from one over the batch
    logits = rng.normal(scale=4.0, size=(n, k))
    logits[0, :2] = [1000.0, -1000.0]
    one_hot = np.eye(k)[rng.integers(0, k, size=n)]
    labels = one_hot if rng.random() < 0.5 else rng.dirichlet(np.ones(k), size=n)
    labels[0] = np.eye(k)[1]  # the −1000 logit is row 0's class: a log of softmax (ε added or not) shows there
    return logits, labels


@pytest.mark.points(2)
@pytest.mark.task("activations.softmax")
def test_softmax(student, rng):
    for dtype in (np.float64, np.float32):
        logits, _ = random_logits(rng)
        call = f"softmax({dtype.__name__} logits of shape {logits.shape}, a row holding 1000 and −1000)"
        got = student.activations.softmax(tf.constant(logits.astype(dtype)))
        expect_close("activations.softmax", call, got, tf.nn.softmax(logits).numpy(),
                     rtol=1e-5 if dtype == np.float32 else 1e-10, atol=1e-7 if dtype == np.float32 else 1e-14)
        expect_dtype("activations.softmax", call, got, dtype)
    logits = rng.normal(scale=4.0, size=(2, int(rng.integers(2, 5)), int(rng.integers(3, 7))))  # along the last axis
    expect_close("activations.softmax", f"softmax(float64 logits of shape {logits.shape})",
                 student.activations.softmax(tf.constant(logits)), tf.nn.softmax(logits).numpy(), rtol=1e-10, atol=1e-14)


@pytest.mark.points(3)
@pytest.mark.task("activations.softmax_cross_entropy")
def test_softmax_cross_entropy(student, rng):
    logits, labels = random_logits(rng)
    call = f"softmax_cross_entropy(float64 logits of shape {logits.shape} with ±1000 in a row, their labels)"
    got = student.activations.softmax_cross_entropy(tf.constant(logits), tf.constant(labels))
    expected = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels, logits)).numpy()
    expect_close("activations.softmax_cross_entropy", call, got, expected, rtol=1e-10)
    expect_dtype("activations.softmax_cross_entropy", call, got, np.float64)


@pytest.mark.points(2)
@pytest.mark.task("activations.softmax_cross_entropy_gradient")
def test_softmax_cross_entropy_gradient(student, rng):
    logits, labels = random_logits(rng)
    (expected,) = tape_gradients(lambda v: tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels, v)), logits)
    call = f"softmax_cross_entropy_gradient(float64 logits of shape {logits.shape} with ±1000 in a row, their labels)"
    got = student.activations.softmax_cross_entropy_gradient.by_hand(tf.constant(logits), tf.constant(labels))
    expect_gradient("activations.softmax_cross_entropy_gradient", call, got, expected)
    expect_dtype("activations.softmax_cross_entropy_gradient", call, got, np.float64)


@pytest.mark.points(3)
@pytest.mark.task("activations.layer_gradient_norms")
def test_layer_gradient_norms(student, rng):
    """Every layer's gradient norm by hand, with the derivative it is handed: the true one warped
    (judges.warped) by a drawn factor, so that each layer's norm shows that it was used where it is
    needed (a tape differentiates the activation itself, and no factor measured once follows it)."""
    for name, function in (("sigmoid", tf.sigmoid), ("relu", tf.nn.relu), ("tanh", tf.tanh)):
        depth, width, seed = int(rng.integers(2, 9)), int(rng.integers(3, 17)), int(rng.integers(0, 2**31))
        weights, x, y = reference.deep_network(depth, width, seed)
        gradients = tape_gradients(lambda *ws: deep_cost(function, ws, x, y), *weights)
        true = [float(np.linalg.norm(g)) for g in gradients]
        factor = float(rng.uniform(0.3, 0.8))
        expected = reference.layer_gradient_norms(function, warped(getattr(reference, f"{name}_prime"), factor),
                                                  depth, width, seed)
        call = (f"layer_gradient_norms({name}, {name}_prime handed in as the true derivative × "
                f"{factor:.4f}·(1 + sin(5·z)/2), depth={depth}, width={width}, seed={seed})")
        got = student.activations.layer_gradient_norms(Fn(name), Fn(f"warped:{name}_prime:{factor!r}"), depth, width,
                                                       seed)
        if not isinstance(got, list) or len(got) != depth or not all(type(v) is float for v in got):
            fail("activations.layer_gradient_norms", call, f"a list of {depth} Python floats", got, "wrong type", "type")
        expect_close("activations.layer_gradient_norms", call, got, expected, rtol=1e-9, atol=0.0,
                     alternatives={"not the derivative it is given": true})

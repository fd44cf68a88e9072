"""Shared pieces of the hidden suites: trusted data and random model parameters."""

from functools import lru_cache

import numpy as np
import pytest

from data.mnist import load_mnist
from grader.scoring.judges import expect_close, expect_dtype, fail, shapes_problem
from grader.scoring.student import Handle


@lru_cache(maxsize=1)
def raw_mnist():
    """MNIST as stored (uint8 images and labels), loaded and verified once per process."""
    return load_mnist()


@lru_cache(maxsize=1)
def trusted_mnist():
    """((x_train, y_train), (x_test, labels_test)): x float32 (n, 784) in [0, 1], y one-hot float32,
    labels_test the raw digits. Loaded and verified on the trusted side, once per process."""
    (x_train, y_train), (x_test, y_test) = raw_mnist()
    x_train, x_test = x_train.reshape(-1, 784).astype(np.float32), x_test.reshape(-1, 784).astype(np.float32)
    x_train *= np.float32(1 / 255)  # in place: no second copy of the training images
    x_test *= np.float32(1 / 255)
    return (x_train, np.eye(10, dtype=np.float32)[y_train]), (x_test, y_test.astype(np.int64))


@pytest.fixture(scope="session")
def mnist():
    return trusted_mnist()


_REFERENCES: dict = {}


@pytest.fixture
def once(request):
    """once(label, compute): compute() the first time this check asks for `label` under this grading
    seed in this process, its result kept after: the reference's answer on the check's inputs, which
    the seed alone decides (drawn before any call into student code). A class graded with one seed
    trains the reference once, not once per student."""
    prefix = (request.node.nodeid, request.config.getoption("--grading-seed"))

    def cached(label: str, compute):
        key = (*prefix, label)
        if key not in _REFERENCES:
            if len(_REFERENCES) > 256:  # other seeds' (a regrade's): forgotten
                _REFERENCES.clear()
            _REFERENCES[key] = compute()
        return _REFERENCES[key]

    return cached


def random_parameters(rng: np.random.Generator, sizes, dtype=np.float32):
    """(weights, biases) of an MLP with these layer sizes, uniform in [-1, 1)."""
    layers = list(zip(sizes, sizes[1:]))
    weights = [rng.uniform(-1, 1, size=shape).astype(dtype) for shape in layers]
    biases = [rng.uniform(-1, 1, size=(1, n)).astype(dtype) for _, n in layers]
    return weights, biases


def random_sizes(rng: np.random.Generator, layers: int) -> list[int]:
    """Layer sizes in 2..6, each unlike the one before: a square layer would hide swapped or repeated sizes."""
    sizes = [int(rng.integers(2, 7))]
    for _ in range(layers):
        sizes.append(int(rng.choice([n for n in range(2, 7) if n != sizes[-1]])))
    return sizes


def expect_model(task: str, call: str, got) -> Handle:
    """A model (or other object) the student's code returned, left in the worker; else a type failure."""
    if not isinstance(got, Handle):
        fail(task, call, "a model object", got, f"returned a {getattr(got, 'type_name', type(got).__name__)}", "type")
    return got


def expect_tensor(task: str, call: str, got, dtype) -> None:
    """A tensor of a dtype from the student's code (it arrives as an array; a Python number stays one)."""
    if not isinstance(got, np.ndarray):
        fail(task, call, f"a tensor of {np.dtype(dtype)}", got, f"returned a {type(got).__name__}, not a tensor", "type")
    expect_dtype(task, call, got, dtype)


def expect_parts(task: str, call: str, got, parts: int, what: str):
    """A tuple or list of `parts` items; else a type failure."""
    if not isinstance(got, (tuple, list)) or len(got) != parts:
        fail(task, call, what, got, "wrong type", "type")
    return got


def expect_float_lists(task: str, call: str, got, lists: int, steps: int, what: str) -> list:
    """`lists` lists of `steps` Python floats each (what the docstring promises), else a type failure."""
    expect_parts(task, call, got, lists, what)
    for part in got:
        if not isinstance(part, list) or len(part) != steps or not all(type(v) is float for v in part):
            kinds = sorted({type(v).__name__ for v in part}) if isinstance(part, (list, tuple)) else type(part).__name__
            fail(task, call, f"{what}: lists of {steps} Python floats", f"{type(part).__name__} of {kinds}",
                 "wrong type", "type")
    return got


def parameters_of(model, task: str = "the model", call: str = "the model's parameters") -> list[np.ndarray]:
    """Every parameter of a model handle, weights then biases, as arrays."""
    model = expect_model(task, call, model)
    arrays = []
    for kind in ("weights", "biases"):
        values = model.get(kind)
        if not isinstance(values, (list, tuple)) or not all(isinstance(v, np.ndarray) for v in values):
            fail(task, f"{call} → {kind}", f"a list of {kind} arrays", values, "wrong type", "type")
        arrays += values
    return arrays


def parameters_shaped(model, like: list[np.ndarray], task: str, call: str) -> list[np.ndarray]:
    """`parameters_of` a model handle, which must have the shapes of `like`, as float32 arrays."""
    arrays = parameters_of(model, task, call)
    if [a.shape for a in arrays] != [a.shape for a in like]:
        fail(task, call + " → the model's parameters", [a.shape for a in like], [a.shape for a in arrays],
             shapes_problem([a.shape for a in arrays], [a.shape for a in like]), "shape")
    return [a.astype(np.float32) for a in arrays]


def check_parameters(task: str, call: str, model, expected_model) -> None:
    """The parameters of a model handle equal those of a trusted model, within float32 tolerance."""
    want = [v.numpy() for v in expected_model.weights + expected_model.biases]
    for i, (got, expected) in enumerate(zip(parameters_of(model), want)):
        expect_close(task, f"{call} → parameter {i} of the model afterwards", got, expected, rtol=1e-4, atol=1e-5)

"""The MNIST check of exercise 4: its configuration and its trusted judge.

A [784, 32, 10] sigmoid MLP (the grader's own model) starts from parameters drawn uniformly from
[-INIT, INIT) by the grading seed and is trained by the student's `training_loop` and `train`:
mean squared error, learning rate 32, batches of 32 shuffled by the grading seed, one epoch,
eager. The worker returns the trained parameters. They are judged here, on the trusted side:

1. they must be what one epoch of the reference training gives from the same start and the same
   batches (computed here, compiled), up to float rounding: a loop that skips batches, never
   updates the biases, climbs the gradient or returns parameters trained elsewhere fails;
2. they must label at least PASS % of the 10,000 test images right, through the grader's own
   forward pass (test images and labels never reach student code); from a start where the
   reference itself stays below PASS (none in 1,000 seeds, see the benchmark), within 0.5 points of
   the reference.

The student's `train` is first run inside tf.function (its step passed to `training_loop`), which
takes ~1.5 s instead of ~4.5 s eager; correct code gives the reference's parameters either way. If
that run fails in any way (code that only works eagerly, a loop that ignores `step`, a wrong
result), the check runs again eagerly from the same start and judges that run alone: a student
never loses a point to the fast path, and a wrong `train` pays for both runs.

INIT is a quarter of the thesis' [-1, 1): with the full range, about one start in 170 saturates an
output unit so far that it never learns its digit (83–84 % instead of 92–93 %), which would fail
correct code; with ±0.5 still 6 starts in 1,000 do; with ±0.25 none of 1,000 (minimum 91.84 %). `python -m tests.benchmarks.mnist_check` measures the reference over many seeds.
"""

import sys
from functools import lru_cache

import numpy as np

from grader.scoring.student import Fn

SIZES, INIT, RATE, BATCH, EPOCHS, PASS = [784, 32, 10], 0.25, 32.0, 32, 1, 90.0
SECONDS = 120
COMPILED_SECONDS = 30  # the fast path's limit: ~1.5 s for the reference, retracing every batch takes longer
COMPILED = Fn("compiled:student:training.train")
NODE_ID = "tests/hidden/test_training.py::test_mnist_accuracy"
# One epoch of eager vs compiled reference training differs by < 1e-5 of a parameter's scale.
RELATIVE_TOLERANCE = 1e-3


def start(rng: np.random.Generator):
    """(weights, biases, shuffle seed) of the check, drawn from the test's generator."""
    layers = list(zip(SIZES, SIZES[1:]))
    weights = [rng.uniform(-INIT, INIT, size=shape).astype(np.float32) for shape in layers]
    biases = [rng.uniform(-INIT, INIT, size=(1, n)).astype(np.float32) for _, n in layers]
    return weights, biases, int(rng.integers(2**31))


def reference_training(weights, biases, x, y, seed: int) -> tuple[list[np.ndarray], list[float]]:
    """(every parameter, weights then biases, after the reference's training from this start;
    the mean loss of each epoch)."""
    import tensorflow as tf

    from grader.isolation.worker.harness import batched, harness_mlp
    from solutions.training import train, training_loop

    model = harness_mlp(weights, biases)

    @tf.function
    def step(x_batch, y_batch):
        return train(model, x_batch, y_batch, RATE)

    losses = training_loop(model, batched(x, y, BATCH, seed), EPOCHS, RATE, step=lambda m, xb, yb, r: step(xb, yb))
    return [v.numpy() for v in model.weights + model.biases], losses


@lru_cache(maxsize=8)
def expected_for(check, grading_seed: int) -> tuple:
    """`check.reference_training` of `check.start` for a grading seed, once per check (this module
    or softmax_check), seed and process."""
    from grader.scoring.plugin import check_rng
    from tests.hidden.conftest import trusted_mnist

    (x, y), _ = trusted_mnist()
    weights, biases, seed = check.start(check_rng(grading_seed, check.NODE_ID))
    return check.reference_training(weights, biases, x, y, seed)


def expected_training(grading_seed: int) -> tuple:
    """`reference_training` of the check's start for a grading seed."""
    return expected_for(sys.modules[__name__], grading_seed)


def accuracy(parameters, x_test: np.ndarray, labels: np.ndarray, logits: bool = False) -> float:
    """Percent of test images right, through the grader's own forward pass (`logits`: the
    workshop's network of exercise 9)."""
    from grader.isolation.worker.harness import harness_mlp

    layers = len(parameters) // 2
    outputs = harness_mlp(parameters[:layers], parameters[layers:], logits=logits)(x_test).numpy()
    return 100.0 * float(np.mean(np.argmax(outputs, axis=1) == labels))


def pass_mark(expected, x_test, labels, passing: float = PASS, logits: bool = False) -> float:
    """`passing`, or, for a rare start from which the reference itself stays below it, the
    reference's own accuracy less 0.5 points: correct code passes from every start."""
    return min(passing, accuracy(expected, x_test, labels, logits) - 0.5)


def training_problem(trained, initial, expected, tolerance: float = RELATIVE_TOLERANCE,
                     training: str = "one epoch of gradient descent") -> str:
    """'' when the trained parameters are the reference's up to `tolerance` of each one's scale,
    else what differs (`training`: what the reference did, for the message)."""
    names = [f"weights[{i}]" for i in range(len(initial) // 2)] + [f"biases[{i}]" for i in range(len(initial) // 2)]
    unchanged, wrong = [], []
    for name, got, start_value, want in zip(names, trained, initial, expected):
        if not np.all(np.isfinite(got)):
            return f"{name} holds NaN or infinity after training"
        if np.array_equal(got, start_value):
            unchanged.append(name)
        elif not np.max(np.abs(got - want)) <= tolerance * float(np.max(np.abs(want))):
            moved = float(np.sum((got - start_value) * (want - start_value)))
            wrong.append(f"{name} ({'moved against the descent direction' if moved < 0 else 'other values'})")
    if unchanged and not wrong:
        return f"{', '.join(unchanged)} never changed during training"
    if unchanged or wrong:
        return f"after {training}, " + "; ".join(
            ([f"unchanged: {', '.join(unchanged)}"] if unchanged else []) +
            ([f"different from {training} with the reference train: {', '.join(wrong)}"] if wrong else []))
    return ""

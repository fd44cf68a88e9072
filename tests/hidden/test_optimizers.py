"""Hidden suite of exercise 8: momentum, Adagrad, RMSprop and Adam by hand, XOR trained with them (25 points).

The judges are the reference optimizers, which give what `keras.optimizers` give on the same draws
(tests/kit/scoring/test_optimizer_oracle.py checks that every run): the same random gradient sequence
(elements from 1e-6 to 10 in size, some zero) goes to the reference and to two objects of the
student's class at once, and every step's change must match. `train_xor` is judged against the
reference from the same seed, with a harness optimizer whose changes show whether each parameter
has its own optimizer object.
"""

import numpy as np
import pytest
import tensorflow as tf

from grader.scoring.judges import expect_close, fail
from grader.scoring.student import Fn
from grader.isolation.worker.harness import EscalatingOptimizer
from solutions import optimizers as reference
from tests.hidden.conftest import expect_model, expect_parts, expect_tensor

pytestmark = pytest.mark.optimizers

STEPS = 12


def exact32(value: float) -> float:
    """A hyperparameter float32 holds exactly (Keras keeps its learning rate as a float32 variable)."""
    return float(np.float32(value))


def gradient_sequence(rng: np.random.Generator, shape: tuple) -> list[np.ndarray]:
    """STEPS float64 gradients whose elements range from 1e-6 to 10 in size, a tenth of them zero,
    the first element tiny (below 1e-5) at every step: its running sums stay small, so where ε sits
    (inside the root or added to it) shows on every draw."""
    sequence = []
    for _ in range(STEPS):
        g = rng.normal(size=shape) * 10.0 ** rng.integers(-6, 2, size=shape)
        g[rng.random(shape) < 0.1] = 0.0
        g.flat[0] = rng.uniform(1e-7, 1e-5) * rng.choice([-1.0, 1.0])
        sequence.append(g)
    return sequence


HYPERPARAMETERS = {  # name → a draw of random hyperparameters from a generator
    "Momentum": lambda rng: {"learning_rate": exact32(rng.uniform(0.01, 0.5)),
                             "momentum": exact32(rng.uniform(0.5, 0.95))},
    # a sum that starts at 0.1 hides ε (√(0.25 + ε) and √0.25 + ε agree to first order): a small start shows it
    "Adagrad": lambda rng: {"learning_rate": exact32(rng.uniform(0.01, 0.5)),
                            "initial_accumulator_value": exact32(10.0 ** rng.uniform(-4, -3)),
                            "epsilon": 10.0 ** -rng.integers(5, 9)},
    "RMSprop": lambda rng: {"learning_rate": exact32(rng.uniform(0.001, 0.1)), "rho": exact32(rng.uniform(0.8, 0.99)),
                            "epsilon": 10.0 ** -rng.integers(5, 9)},
    "Adam": lambda rng: {"learning_rate": exact32(rng.uniform(0.001, 0.1)), "beta_1": exact32(rng.uniform(0.8, 0.95)),
                         "beta_2": exact32(rng.uniform(0.99, 0.9999)), "epsilon": 10.0 ** -rng.integers(5, 9)},
}


def draw(rng: np.random.Generator, name: str) -> tuple[dict, tuple, list[list[np.ndarray]]]:
    """(hyperparameters, shape, two gradient sequences) of one check of an optimizer."""
    hyper = HYPERPARAMETERS[name](rng)
    shape = tuple(int(n) for n in rng.integers(1, 5, size=rng.integers(1, 4)))
    shape += (2,) * int(np.prod(shape) < 2)  # a second element beside the tiny first one (gradient_sequence)
    return hyper, shape, [gradient_sequence(rng, shape), gradient_sequence(rng, shape)]


def reference_changes(name: str, hyper: dict, sequences: list[list[np.ndarray]]) -> list[list[np.ndarray]]:
    """What the reference optimizer subtracts at every step, one object per sequence."""
    optimizers = [getattr(reference, name)(**hyper) for _ in sequences]
    return [[optimizer.change(tf.constant(g)).numpy() for g in sequence]
            for optimizer, sequence in zip(optimizers, sequences)]


def check_optimizer(student, rng, name: str) -> None:
    """Two objects of the student's class, fed two gradient sequences in turn, give the reference's changes."""
    task = f"optimizers.{name}.change"
    hyper, shape, sequences = draw(rng, name)
    expected = reference_changes(name, hyper, sequences)
    shown = ", ".join(f"{k}={v:.6g}" for k, v in hyper.items())
    made = f"{name}({shown})"
    optimizers = [expect_model(task, made, getattr(student.optimizers, name)(**hyper)) for _ in sequences]
    for step in range(STEPS):
        for which, (optimizer, sequence, want) in enumerate(zip(optimizers, sequences, expected)):
            call = (f"a = {made}; b = {made}; a.change(g) and b.change(g) in turn with two sequences of float64 "
                    f"gradients of shape {shape} (elements 1e-6 to 10 in size, some 0) → {'ab'[which]}.change at "
                    f"step {step + 1} of {STEPS}")
            got = optimizer.method("change", tf.constant(sequence[step]))
            expect_tensor(task, call, got, np.float64)
            expect_close(task, call, got, want[step], rtol=1e-6, atol=1e-15)
    single = getattr(student.optimizers, name)(**hyper)
    g = gradient_sequence(rng, shape)[0].astype(np.float32)
    expect_tensor(task, f"{made}.change(a float32 gradient of shape {shape})",
                  expect_model(task, made, single).method("change", tf.constant(g)), np.float32)


@pytest.mark.points(5)
@pytest.mark.task("optimizers.Momentum.change")
def test_momentum(student, rng):
    check_optimizer(student, rng, "Momentum")


@pytest.mark.points(5)
@pytest.mark.task("optimizers.Adagrad.change")
def test_adagrad(student, rng):
    check_optimizer(student, rng, "Adagrad")


@pytest.mark.points(5)
@pytest.mark.task("optimizers.RMSprop.change")
def test_rmsprop(student, rng):
    check_optimizer(student, rng, "RMSprop")


@pytest.mark.points(6)
@pytest.mark.task("optimizers.Adam.change")
def test_adam(student, rng):
    check_optimizer(student, rng, "Adam")


@pytest.mark.points(4)
@pytest.mark.task("optimizers.train_xor")
def test_train_xor(student, rng):
    """Against the reference from the same seed, with a harness optimizer whose t-th change is
    learning_rate · t · gradient: one optimizer shared by the parameters, or a new one every epoch,
    or an optimizer other than the one given, changes the result."""
    task = "optimizers.train_xor"
    rate, epochs = float(rng.uniform(0.01, 0.04)), int(rng.integers(6, 13))
    seed, hidden = int(rng.integers(0, 2**31)), int(rng.integers(2, 6))
    call = (f"train_xor(an optimizer whose t-th change is learning_rate·t·gradient, learning_rate={rate:.4f}, "
            f"epochs={epochs}, seed={seed}, hidden={hidden})")
    got = student.optimizers.train_xor(Fn("escalating_optimizer"), learning_rate=rate, epochs=epochs, seed=seed,
                                       hidden=hidden)
    weights, biases, losses = reference.train_xor(EscalatingOptimizer, rate, epochs, seed, hidden)
    got_weights, got_biases, got_losses = expect_parts(task, call, got, 3, "(weights, biases, losses)")
    if not isinstance(got_losses, list) or len(got_losses) != epochs or \
            not all(type(v) is float for v in got_losses):
        fail(task, call + " → losses", f"a list of {epochs} Python floats", got_losses, "wrong type", "type")
    expect_close(task, call + " → losses", got_losses, losses, rtol=1e-7, atol=1e-12)
    for kind, got_list, want_list in (("weights", got_weights, weights), ("biases", got_biases, biases)):
        expect_parts(task, call + f" → {kind}", got_list, 2, f"two {kind} arrays")
        for i, (array, want) in enumerate(zip(got_list, want_list)):
            expect_tensor(task, f"{call} → {kind}[{i}]", array, np.float64)
            expect_close(task, f"{call} → {kind}[{i}]", array, want, rtol=1e-7, atol=1e-12)

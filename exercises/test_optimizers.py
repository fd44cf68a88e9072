"""Self-checks of exercise 8: optimizers by hand (run `pytest exercises/ -m optimizers`).

Each optimizer's changes are compared, step by step, with what the matching `keras.optimizers`
optimizer subtracts for the same gradients. `train_xor` is run with optimizers that record how
they are used, and then with your Adam on the lecture notes' example.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from exercises.selfcheck import SelfCheckFailure, expect_array, expect_close, expect_floats, expect_tensor, fail

pytestmark = pytest.mark.optimizers

# Gradients of shape (2, 3), elements from 1e-4 to 10, and a zero: ε and the square roots show.
GRADIENTS = [np.array([[1.0, -2.0, 1e-4], [0.5, 0.0, -10.0]]) * (1.0 + 0.1 * t) * (-1) ** t for t in range(8)]
SHOWN = "8 gradients of shape (2, 3) with elements from 1e-4 to 10 and a zero"
KERAS = {"Momentum": keras.optimizers.SGD, "Adagrad": keras.optimizers.Adagrad,
         "RMSprop": keras.optimizers.RMSprop, "Adam": keras.optimizers.Adam}
HYPER = {  # a large ε on purpose: where it sits changes the result
    "Momentum": {"learning_rate": 0.125, "momentum": 0.75},
    "Adagrad": {"learning_rate": 0.5, "initial_accumulator_value": 0.25, "epsilon": 0.05},
    "RMSprop": {"learning_rate": 0.125, "rho": 0.75, "epsilon": 0.05},
    "Adam": {"learning_rate": 0.125, "beta_1": 0.75, "beta_2": 0.875, "epsilon": 0.05},
}


def keras_changes(name: str, gradients) -> list[np.ndarray]:
    """What the Keras optimizer subtracts at each step (the variable is reset to 0 before each)."""
    optimizer, variable = KERAS[name](**HYPER[name]), tf.Variable(np.zeros(gradients[0].shape))
    changes = []
    for g in gradients:
        variable.assign(tf.zeros_like(variable))
        optimizer.apply_gradients([(tf.constant(g), variable)])
        changes.append(-variable.numpy())
    return changes


def run(rule, gradients) -> list[np.ndarray]:
    """The changes of a wrong rule `rule(state, t, g)` (a known mistake), step by step."""
    state = {}
    return [rule(state, t, g) for t, g in enumerate(gradients, 1)]


def mistakes(name: str) -> dict:
    """Known wrong optimizers, by the problem they show: problem → rule(state, t, g) → change."""
    h = HYPER[name]
    lr, eps = h["learning_rate"], h.get("epsilon", 0.0)

    def average(key, decay, value, state):
        state[key] = decay * state.get(key, 0.0) + value
        return state[key]

    def remembered(key, value, state):  # what the step before kept under `key` (0 at the first); `value` kept now
        before, state[key] = state.get(key, 0.0), value
        return before

    if name == "Momentum":
        mu = h["momentum"]
        return {"a plain gradient step, without momentum": lambda s, t, g: lr * g,
                "the velocity −change returned (Keras' slot), not the change": lambda s, t, g: -average("c", mu, lr * g, s),
                "an average with (1 − momentum) on the gradient": lambda s, t, g: average("c", mu, (1 - mu) * lr * g, s),
                "the gradient remembered, not the change": lambda s, t, g: mu * remembered("g", g, s) + lr * g,
                "Nesterov's look-ahead, momentum · change + learning_rate · gradient":
                    lambda s, t, g: mu * average("c", mu, lr * g, s) + lr * g}
    if name == "Adagrad":
        a0 = h["initial_accumulator_value"]
        return {"the sum started at 0, not at initial_accumulator_value":
                    lambda s, t, g: lr * g / np.sqrt(average("a", 1.0, g * g, s) + eps),
                "ε added to the root, not inside it":
                    lambda s, t, g: lr * g / (np.sqrt(a0 + average("a", 1.0, g * g, s)) + eps),
                "only this step's square, not the sum of all": lambda s, t, g: lr * g / np.sqrt(a0 + g * g + eps),
                "without the square root": lambda s, t, g: lr * g / (a0 + average("a", 1.0, g * g, s) + eps),
                "divided before this step's square is added":
                    lambda s, t, g: lr * g / np.sqrt(a0 + average("a", 1.0, g * g, s) - g * g + eps)}
    if name == "RMSprop":
        rho = h["rho"]
        return {"ε added to the root, not inside it":
                    lambda s, t, g: lr * g / (np.sqrt(average("v", rho, (1 - rho) * g * g, s)) + eps),
                "without (1 − rho) on the new square": lambda s, t, g: lr * g / np.sqrt(average("v", rho, g * g, s) + eps),
                "rho and 1 − rho swapped": lambda s, t, g: lr * g / np.sqrt(average("v", 1 - rho, rho * g * g, s) + eps),
                "without the square root": lambda s, t, g: lr * g / (average("v", rho, (1 - rho) * g * g, s) + eps)}
    b1, b2 = h["beta_1"], h["beta_2"]

    def wrong_adam(s, t, g, mistake: str):  # each branch one known mistake; none is the right rule
        m, v = average("m", b1, (1 - b1) * g, s), average("v", b2, (1 - b2) * g * g, s)
        if mistake == "no corrections":
            return lr * m / (np.sqrt(v) + eps)
        if mistake == "eps on v hat":
            return lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
        if mistake == "m only":
            return lr / (1 - b1 ** t) * m / (np.sqrt(v) + eps)
        if mistake == "eps inside":
            return lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t) * m / np.sqrt(v + eps)
        if mistake == "betas swapped":
            return lr * np.sqrt(1 - b1 ** t) / (1 - b2 ** t) * m / (np.sqrt(v) + eps)
        if mistake == "t stuck":
            return lr * np.sqrt(1 - b2) / (1 - b1) * m / (np.sqrt(v) + eps)
        if mistake == "beta_2 in m":
            m = average("m with beta_2", b2, (1 - b2) * g, s)
            return lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t) * m / (np.sqrt(v) + eps)
        if mistake == "gradient for m":
            return lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t) * g / (np.sqrt(v) + eps)
        return lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t) * m / (v + eps)  # no root

    return {"without the bias corrections": lambda s, t, g: wrong_adam(s, t, g, "no corrections"),
            "ε added to the corrected √v̂ (the lecture notes' code), not to √v": lambda s, t, g: wrong_adam(s, t, g, "eps on v hat"),
            "without the square root of v": lambda s, t, g: wrong_adam(s, t, g, "no root"),
            "m's bias correction without v's": lambda s, t, g: wrong_adam(s, t, g, "m only"),
            "the step counter stuck at 1": lambda s, t, g: wrong_adam(s, t, g, "t stuck"),
            "beta_1 and beta_2 swapped in the corrections": lambda s, t, g: wrong_adam(s, t, g, "betas swapped"),
            "ε inside the root, √(v + ε), not √v + ε": lambda s, t, g: wrong_adam(s, t, g, "eps inside"),
            "the gradient in the step, not its average m": lambda s, t, g: wrong_adam(s, t, g, "gradient for m"),
            "m averaged with beta_2, not beta_1": lambda s, t, g: wrong_adam(s, t, g, "beta_2 in m")}


def check_optimizer(kit, name: str) -> None:
    """One object against Keras step by step (known mistakes named), then two objects in turn."""
    task, hyper = f"optimizers.{name}.change", HYPER[name]
    made = f"{name}({', '.join(f'{k}={v}' for k, v in hyper.items())})"
    expected = keras_changes(name, GRADIENTS)
    wrong = {problem: run(rule, GRADIENTS) for problem, rule in mistakes(name).items()}
    optimizer, got = getattr(kit.optimizers, name)(**hyper), []
    for step, g in enumerate(GRADIENTS):
        got.append(optimizer.change(tf.constant(g)))
        expect_tensor(task, f"{made}.change(g) for {SHOWN}, at step {step + 1}", got[-1], tf.float64)
    # a known mistake is named only when it fits every step: two can agree on the first (e.g. betas swapped)
    fits = {problem for problem, changes in wrong.items()
            if all(np.shape(mine) == np.shape(theirs) and np.allclose(np.asarray(mine), theirs, rtol=1e-6, atol=1e-12)
                   for mine, theirs in zip(got, changes))}  # (a wrong shape is expect_close's to name)
    for step, mine in enumerate(got):
        call = f"{made}.change(g) for {SHOWN}, at step {step + 1}"
        try:
            expect_close(task, call, mine, expected[step], rtol=1e-6, atol=1e-12,
                         alternatives={problem: changes[step] for problem, changes in wrong.items()})
        except SelfCheckFailure as failure:
            said = str(failure).splitlines()[0]
            if len(fits) == 1:
                fail(task, call, expected[step], np.asarray(mine), next(iter(fits)))
            if any(f"({problem})" in said for problem in wrong):
                fail(task, call, expected[step], np.asarray(mine), "wrong value")  # fits a known mistake at this step only
            raise
    a, b = (getattr(kit.optimizers, name)(**hyper) for _ in range(2))
    other = [-2.0 * g for g in GRADIENTS]
    expected_b = keras_changes(name, other)
    for step, (g, h) in enumerate(zip(GRADIENTS, other)):
        a.change(tf.constant(g))
        got = b.change(tf.constant(h))
        call = f"a = {made}; b = {made}; a.change(g) then b.change(−2·g) for {SHOWN}: b's change at step {step + 1}"
        if not np.allclose(np.asarray(got), expected_b[step], rtol=1e-6, atol=1e-12):
            fail(task, call, expected_b[step], got, "state shared between optimizer objects")
    got = getattr(kit.optimizers, name)(**hyper).change(tf.constant(GRADIENTS[0], tf.float32))
    expect_tensor(task, f"{made}.change(a float32 gradient)", got, tf.float32)


@pytest.mark.task("optimizers.Momentum.change")
def test_momentum(kit):
    check_optimizer(kit, "Momentum")


@pytest.mark.task("optimizers.Adagrad.change")
def test_adagrad(kit):
    check_optimizer(kit, "Adagrad")


@pytest.mark.task("optimizers.RMSprop.change")
def test_rmsprop(kit):
    check_optimizer(kit, "RMSprop")


@pytest.mark.task("optimizers.Adam.change")
def test_adam(kit):
    check_optimizer(kit, "Adam")


class Recording:
    """An optimizer whose every change is CHANGE (whatever the gradient); it records how it is made
    and used."""

    made: list = []
    CHANGE = 1e-3

    def __init__(self, learning_rate):
        self.learning_rate, self.gradients = learning_rate, []
        Recording.made.append(self)

    def change(self, gradient):
        self.gradients.append(np.asarray(gradient))
        return tf.fill(tf.shape(gradient), tf.constant(Recording.CHANGE, gradient.dtype))


def xor_loss(kit, parameters) -> float:
    """The mean squared error on XOR of the network with these parameters (weights, then biases)."""
    hidden_weights, output_weights, hidden_bias, output_bias = parameters
    out = tf.sigmoid(tf.sigmoid(kit.optimizers.XOR_INPUTS @ hidden_weights + hidden_bias) @ output_weights + output_bias)
    return float(tf.reduce_mean(tf.square(out - kit.optimizers.XOR_TARGETS)))


def start_loss_and_gradients(kit, seed: int, hidden: int):
    """The mean squared error of the starting network on XOR, and its gradients (weights, then biases)."""
    weights, biases = kit.optimizers.xor_start(seed, hidden)
    variables = [tf.Variable(p) for p in weights + biases]
    with tf.GradientTape() as tape:
        out = tf.sigmoid(tf.sigmoid(kit.optimizers.XOR_INPUTS @ variables[0] + variables[2]) @ variables[1] + variables[3])
        loss = tf.reduce_mean(tf.square(out - kit.optimizers.XOR_TARGETS))
    return float(loss), [g.numpy() for g in tape.gradient(loss, variables)], weights + biases


@pytest.mark.task("optimizers.train_xor")
def test_train_xor_uses_one_optimizer_per_parameter(kit):
    task, epochs, seed, hidden, rate = "optimizers.train_xor", 5, 3, 3, 0.5
    call = (f"train_xor(an optimizer whose every change is {Recording.CHANGE:g}, learning_rate={rate}, epochs={epochs}, "
            f"seed={seed}, hidden={hidden})")
    Recording.made = []
    got = kit.optimizers.train_xor(Recording, learning_rate=rate, epochs=epochs, seed=seed, hidden=hidden)
    if not isinstance(got, tuple) or len(got) != 3:
        fail(task, call, "(weights, biases, losses)", got, "wrong type", "type")
    weights, biases, losses = got
    loss, gradients, start = start_loss_and_gradients(kit, seed, hidden)
    counts = [len(o.gradients) for o in Recording.made]
    if len(counts) != 4:
        fail(task, call, f"4 optimizers (one per parameter), each asked for {epochs} changes",
             f"{len(counts)} optimizer{'s' * (len(counts) != 1)}, asked for {counts} changes", "not one optimizer per parameter, made once")
    if counts != [epochs] * 4:
        fail(task, call, f"each of the 4 optimizers asked for {epochs} changes (one per epoch)",
             f"{counts} changes", "not one change per parameter and epoch")
    if any(o.learning_rate != rate for o in Recording.made):
        fail(task, call, f"optimizers made with learning_rate={rate}", [o.learning_rate for o in Recording.made],
             "learning rate not passed on")
    if not isinstance(losses, list) or len(losses) != epochs:
        fail(task, call + " → losses", f"a list of {epochs} Python floats", losses, "wrong type", "type")
    expect_floats(task, call + " → losses", losses)
    expect_close(task, call + " → losses[0] (the loss at the start, before any step)", losses[0], loss, rtol=1e-9,
                 alternatives={"the sum over the four examples, not the mean": 4 * loss,
                               "the loss after the step, not before it": xor_loss(kit, [p - Recording.CHANGE for p in start])})
    firsts = sorted((o.gradients[0] for o in Recording.made), key=lambda a: (a.shape, a.ravel().tolist()))
    for got_gradient, want in zip(firsts, sorted(gradients, key=lambda a: (a.shape, a.ravel().tolist()))):
        expect_close(task, call + " → a gradient given to an optimizer at the first step", got_gradient, want, rtol=1e-9)
    for i, (array, want) in enumerate(zip(list(weights) + list(biases), start)):
        part = f"{call} → parameter {i} (the start less {epochs} changes of {Recording.CHANGE:g})"
        expect_array(task, part, array, np.float64)
        expect_close(task, part, array, want - epochs * Recording.CHANGE, rtol=1e-12, atol=1e-12,
                     alternatives={"the change multiplied by the learning rate again":
                                   want - epochs * Recording.CHANGE * rate, "the change added, not subtracted":
                                   want + epochs * Recording.CHANGE})


@pytest.mark.task("optimizers.train_xor")
@pytest.mark.uses("optimizers.Adam.change")
def test_train_xor_with_adam(kit):
    """The lecture notes' example: Adam with η = 0.1 learns XOR in 1,000 epochs."""
    task = "optimizers.train_xor"
    call = "train_xor(Adam, learning_rate=0.1, epochs=1000, seed=0)"
    weights, biases, losses = kit.optimizers.train_xor(kit.optimizers.Adam, learning_rate=0.1, epochs=1000, seed=0)
    expect_close(task, call + " → losses[0] (the loss at the start, before any step)", losses[0],
                 start_loss_and_gradients(kit, 0, 4)[0], rtol=1e-9)
    hidden = 1 / (1 + np.exp(-(kit.optimizers.XOR_INPUTS @ weights[0] + biases[0])))
    outputs = 1 / (1 + np.exp(-(hidden @ weights[1] + biases[1])))
    if not np.array_equal(np.round(outputs), kit.optimizers.XOR_TARGETS) or not losses[-1] < 0.01:
        fail(task, call, "outputs that round to XOR's [0, 1, 1, 0], final loss below 0.01",
             f"outputs {outputs.ravel().round(3).tolist()}, final loss {losses[-1]:.4g}", "XOR not learned")

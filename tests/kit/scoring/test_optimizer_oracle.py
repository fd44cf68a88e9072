"""The hidden suite of exercise 8 judges the student's optimizers against the reference ones; here
the reference must give what `keras.optimizers` give, on the hidden checks' own kind of draws
(random hyperparameters, gradients from 1e-6 to 10 in size, zeros), seeds fresh every run."""

import secrets

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.hidden.test_optimizers import HYPERPARAMETERS, STEPS, draw, reference_changes

KERAS = {"Momentum": keras.optimizers.SGD, "Adagrad": keras.optimizers.Adagrad,
         "RMSprop": keras.optimizers.RMSprop, "Adam": keras.optimizers.Adam}
DRAWS = 25


def keras_changes(optimizer, sequences: list[list[np.ndarray]]) -> list[list[np.ndarray]]:
    """What a Keras optimizer subtracts at every step from each of its variables (one sequence each),
    applied to all of them at once as Keras does; each variable is reset to 0 before a step, so the
    change is read without rounding (Keras' updates do not depend on the variable's value)."""
    variables = [tf.Variable(np.zeros(s[0].shape)) for s in sequences]
    changes = [[] for _ in sequences]
    for step in range(STEPS):
        for v in variables:
            v.assign(tf.zeros_like(v))
        optimizer.apply_gradients([(tf.constant(s[step]), v) for s, v in zip(sequences, variables)])
        for out, v in zip(changes, variables):
            out.append(-v.numpy())
    return changes


@pytest.mark.parametrize("name", sorted(HYPERPARAMETERS))
def test_the_reference_optimizers_give_what_keras_gives(name):
    first = secrets.randbelow(2**31)
    for seed in range(first, first + DRAWS):
        hyper, _, sequences = draw(np.random.default_rng(seed), name)
        got, want = reference_changes(name, hyper, sequences), keras_changes(KERAS[name](**hyper), sequences)
        np.testing.assert_allclose(np.array(got), np.array(want), rtol=1e-9, atol=1e-15,  # the hidden checks: 1e-6, 1e-15
                                   err_msg=f"{name}({hyper}), draw seed {seed}")

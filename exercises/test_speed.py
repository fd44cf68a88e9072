"""Self-checks of exercise 6: tf.function (run `pytest exercises/ -m speed`)."""

import numpy as np
import pytest
import tensorflow as tf

from exercises.selfcheck import expect_close, fail

pytestmark = pytest.mark.speed


@pytest.mark.task("speed.compile_step")
def test_compile_step_compiles_the_step_it_is_given(kit):
    model = kit.mlp.MLP([np.zeros((2, 1), np.float32)], [np.zeros((1, 1), np.float32)])

    def step(model, x_batch, y_batch, learning_rate):  # not a training step: a number that shows it ran
        return tf.reduce_sum(x_batch) * learning_rate

    call = "compile_step(model, 0.5, step=a step returning 0.5 × the sum of x_batch)(ones of shape (3, 2), zeros (3, 1))"
    got = kit.speed.compile_step(model, 0.5, step=step)(tf.ones((3, 2)), tf.zeros((3, 1)))
    expect_close("speed.compile_step", call, got, 3.0, alternatives={"step ignored": 0.25})  # 0.25: what train returns


@pytest.mark.task("speed.compile_step")
@pytest.mark.uses("mlp.MLP.from_sizes", "mlp.MLP.__call__", "training.train")
def test_compile_step_traces_once_and_trains(kit):
    model = kit.mlp.MLP.from_sizes([6, 5, 3], seed=3)
    rng = np.random.default_rng(6)
    batches = [(rng.uniform(size=(n, 6)).astype(np.float32), np.eye(3, dtype=np.float32)[rng.integers(0, 3, n)])
               for n in (10, 10, 10, 7)]
    compiled = kit.speed.compile_step(model, 0.5)
    call = "compile_step(MLP.from_sizes([6, 5, 3], seed=3), 0.5), then called on batches of 10, 10, 10, 7"
    if not hasattr(compiled, "experimental_get_tracing_count"):
        fail("speed.compile_step", call, "a tf.function", compiled, "not compiled with tf.function")
    for x, y in batches:
        before = np.mean((model(x).numpy() - y) ** 2)
        got = compiled(tf.constant(x), tf.constant(y))
        expect_close("speed.compile_step", call + " → the loss of a batch", got, before)
        if not np.mean((model(x).numpy() - y) ** 2) < before:
            fail("speed.compile_step", call, "a lower loss on the batch after the step", "no lower loss",
                 "the step does not train")
    if compiled.experimental_get_tracing_count() != 1:
        fail("speed.compile_step", call + " → number of traces", 1, compiled.experimental_get_tracing_count(),
             "traced again for a new batch size")

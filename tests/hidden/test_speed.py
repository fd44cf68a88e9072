"""Hidden suite of exercise 6: tf.function (10 points)."""

import numpy as np
import pytest
import tensorflow as tf

from exercises.selfcheck import expect_close, fail
from grader.student import Handle, Model
from grader.worker import harness_mlp
from solutions import training as reference
from tests.hidden.conftest import check_parameters, random_parameters

pytestmark = pytest.mark.speed


def case(rng):
    sizes = [int(rng.integers(4, 9)), int(rng.integers(3, 7)), int(rng.integers(2, 5))]
    weights, biases = random_parameters(rng, sizes)
    batches = []
    for n in list(rng.integers(4, 12, size=4)) + [int(rng.integers(1, 4))]:
        x = rng.uniform(size=(int(n), sizes[0])).astype(np.float32)
        batches.append((x, np.eye(sizes[-1], dtype=np.float32)[rng.integers(0, sizes[-1], int(n))]))
    return sizes, weights, biases, batches, float(rng.uniform(0.5, 2))


def compiled_step(student, weights, biases, rate):
    model = student.build(Model(weights, biases))
    compiled = student.speed.compile_step(model, rate)
    if not isinstance(compiled, Handle) or compiled.type_name != "Function":
        fail("speed.compile_step", "compile_step(model, learning_rate)", "a tf.function", compiled, "wrong type", "type")
    return model, compiled


@pytest.mark.points(2)
def test_compile_step_returns_a_tf_function(student, rng):
    _, weights, biases, _, rate = case(rng)
    compiled_step(student, weights, biases, rate)


@pytest.mark.points(4)
def test_compile_step_traces_once_for_every_batch_size(student, rng):
    sizes, weights, biases, batches, rate = case(rng)
    _, compiled = compiled_step(student, weights, biases, rate)
    expected_model = harness_mlp(weights, biases)
    call = f"compile_step(a {sizes} MLP, {rate:.3f}), then batches of {[len(x) for x, _ in batches]}"
    for i, (x, y) in enumerate(batches):
        expected = reference.train(expected_model, tf.constant(x), tf.constant(y), rate)
        expect_close("speed.compile_step", f"{call} → loss of batch {i}", compiled(tf.constant(x), tf.constant(y)),
                     float(expected), rtol=1e-4)
    traces = compiled.method("experimental_get_tracing_count")
    if traces != 1:
        fail("speed.compile_step", call + " → number of traces", 1, traces, "traced once per batch size?")


@pytest.mark.points(4)
def test_compiled_step_trains_like_the_eager_step(student, rng):
    sizes, weights, biases, batches, rate = case(rng)
    model, compiled = compiled_step(student, weights, biases, rate)
    expected_model = harness_mlp(weights, biases)
    call = f"compile_step(a {sizes} MLP, {rate:.3f}) on {len(batches)} batches"
    for i, (x, y) in enumerate(batches):
        got = compiled(tf.constant(x), tf.constant(y))
        expected = reference.train(expected_model, tf.constant(x), tf.constant(y), rate)
        expect_close("speed.compile_step", f"{call} → loss of batch {i}", got, float(expected), rtol=1e-4)
    check_parameters("speed.compile_step", call, model, expected_model)

"""Hidden suite of exercise 6: tf.function (10 points)."""

import numpy as np
import pytest
import tensorflow as tf

from grader.scoring.judges import expect_close, fail
from grader.scoring.student import Fn, Handle, Model
from grader.isolation.worker.harness import harness_mlp
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


def compiled_step(student, weights, biases, rate, step=None):
    model = student.build(Model(weights, biases))
    compiled = student.speed.compile_step(model, rate, **({"step": step} if step else {}))
    if not isinstance(compiled, Handle):
        fail("speed.compile_step", "compile_step(model, learning_rate)", "a tf.function", compiled, "wrong type", "type")
    return model, compiled


def traced_runs(student, rng, batches_wanted: int):
    """compile_step given the harness's traced_step (isolation/worker/harness.py), called on batches of several
    sizes: (call, batches, (traces, eager traces, runs)). What tells a compiled step from an eager
    one is what the step observed of how it was run, read from the harness, never from a value
    that passed through the student's code."""
    sizes, weights, biases, batches, rate = case(rng)
    batches = batches[:batches_wanted]
    student.observed("speed.compile_step", "ReachesInternals", "how the compiled step runs")
    _, compiled = compiled_step(student, weights, biases, rate, Fn("traced_step"))
    model = harness_mlp(weights, biases)
    call = f"compile_step(a {sizes} MLP, {rate:.3f}, step), then batches of {[len(x) for x, _ in batches]}"
    losses = [compiled(tf.constant(x), tf.constant(y)) for x, y in batches]
    expected = [float(tf.reduce_mean(tf.square(model(x) - y))) for x, y in batches]
    expect_close("speed.compile_step", call + " → the step's result for each batch", losses, expected, rtol=1e-5)
    return call, len(batches), student.trace_record()


def expect_compiled(call: str, batches: int, record) -> None:
    traces, eager, runs = record
    if eager or not traces:
        fail("speed.compile_step", call, "the step run inside a compiled graph", "the step run eagerly"
             if eager else "the step never run", "wrap the step in tf.function", "value")
    if runs != batches:
        fail("speed.compile_step", call + " → times the compiled step ran", batches, runs,
             "return the compiled function itself: each call must run it", "value")


@pytest.mark.points(2)
@pytest.mark.task("speed.compile_step")
def test_compile_step_returns_a_tf_function(student, rng):
    expect_compiled(*traced_runs(student, rng, 1))


@pytest.mark.points(4)
@pytest.mark.task("speed.compile_step")
def test_compile_step_traces_once_for_every_batch_size(student, rng):
    call, batches, record = traced_runs(student, rng, 5)
    expect_compiled(call, batches, record)
    if record[0] != 1:
        fail("speed.compile_step", call + " → number of traces", 1, record[0], "traced once per batch size?")


@pytest.mark.points(4)
@pytest.mark.task("speed.compile_step")
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

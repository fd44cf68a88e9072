"""Hidden suite of exercise 6: tf.function (10 points)."""

import numpy as np
import pytest
import tensorflow as tf

from grader.isolation.worker.harness import harness_mlp
from grader.scoring import graphs
from grader.scoring.judges import expect_close, fail
from grader.scoring.student import Fn, Handle, Model, StudentError
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


def compiled_graph(student, rng, specified: bool):
    """compile_step given the grader's own step, whose graph holds a constant of a value drawn here:
    (call, sizes, the inputs of the compiled function's graph for a batch if `specified`, else for
    its input signature). What tells a compiled step from an eager one is the graph the compiled
    function holds, read on the trusted side (never run); that the step trains is the last check's."""
    sizes, weights, biases, batches, rate = case(rng)
    mark = float(np.float32(rng.uniform(1, 2)))
    _, compiled = compiled_step(student, weights, biases, rate, Fn(f"marked_step:{mark!r}"))
    x, y = batches[0]
    call = f"compile_step(a {sizes} MLP, {rate:.3f}, step)"
    loss = compiled(tf.constant(x), tf.constant(y))
    expected = float(tf.reduce_mean(tf.square(harness_mlp(weights, biases)(x) - y)))
    expect_close("speed.compile_step", call + f" → the step's result for a batch of {len(x)}", loss, expected, rtol=1e-5)
    which = f" for a batch of {len(x)}" if specified else " for any batch size (its input signature)"
    try:
        graph, inputs = student.graph_of(compiled, *((x, y) if specified else ()))
    except StudentError as error:
        fail("speed.compile_step", call + " → its concrete function" + which, "the step traced into a graph" + which,
             f"{error.type}: {error.message[:200]}", "not compiled with tf.function" if specified else
             "traced once per batch size?")
    if not graphs.holds_constant(graph, mark) or graphs.count(graph, "MatMul") < len(sizes) - 1:
        fail("speed.compile_step", call + " → what its graph computes", "the step it was given", "another computation",
             "compile the step it is given")
    return call, sizes, inputs


@pytest.mark.points(2)
@pytest.mark.task("speed.compile_step")
def test_compile_step_returns_a_tf_function(student, rng):
    compiled_graph(student, rng, specified=True)


@pytest.mark.points(4)
@pytest.mark.task("speed.compile_step")
def test_compile_step_traces_once_for_every_batch_size(student, rng):
    call, sizes, inputs = compiled_graph(student, rng, specified=False)
    wanted = [("float32", [-1, sizes[0]]), ("float32", [-1, sizes[-1]])]
    if inputs[:2] != wanted:
        fail("speed.compile_step", call + " → the inputs of its one graph", wanted, inputs[:2],
             "traced once per batch size?")


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

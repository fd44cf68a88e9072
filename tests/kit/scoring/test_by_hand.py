"""Derivations by hand are judged from their graphs: every way to TensorFlow's automatic
differentiation (or to a complex step) shows in the graph or puts in it what the grader will not run,
and honest derivations pass; the values are what the graph computes, run by a judge that never ran
student code."""

import types

import numpy as np
import pytest
import tensorflow as tf

from grader.scoring import graphs
from grader.scoring.judges import SelfCheckFailure, autodiff_ops, derived, traced
from grader.scoring.student import Student, StudentError

HEADER = "import tensorflow as tf\nimport numpy as np\n"
A, W, D = tf.constant(1.5, tf.float64), tf.constant(-0.5, tf.float64), 0.25
EXPECTED = 2.0 * (1.5 * -0.5 - 0.25) * 1.5


def cost_partial(body: str):
    """A module with cost_partial(a, w, desired) written as `body`, and that function."""
    module = types.ModuleType("student_backprop")
    exec(compile(HEADER + body, "backprop.py", "exec"), module.__dict__)  # noqa: S102  (the test's own code)
    return module.cost_partial


def judged(body: str) -> list[str]:
    """What the grader finds in the graph of cost_partial (autodiff, or operations it will not run)."""
    graph_def = traced(cost_partial(body), (A, W, D), {}).graph.as_graph_def()
    return autodiff_ops(graph_def) + graphs.not_runnable(graph_def)


TAPE = """
def cost_partial(a, w, desired):
    with tf.GradientTape() as tape:
        tape.watch(w)
        cost = (a * w - desired) ** 2
    return tape.gradient(cost, w)
"""


@pytest.mark.parametrize("name, body", [
    ("a tape", TAPE),
    ("a tape made and entered at import", "TAPE = tf.GradientTape(persistent=True)\nTAPE.__enter__()\n" + TAPE.replace(
        "with tf.GradientTape() as tape:\n        tape.watch(w)\n        cost", "if True:\n        TAPE.watch(w)\n        cost")
     .replace("tape.gradient", "TAPE.gradient")),
    ("a star import of tensorflow.autodiff", "from tensorflow.autodiff import *\n" + TAPE.replace("tf.GradientTape", "GradientTape")),
    ("tf.gradients", "def cost_partial(a, w, desired):\n    return tf.gradients((a * w - desired) ** 2, w)[0]\n"),
    ("a jacobian", TAPE.replace("tape.gradient(cost, w)", "tape.jacobian(cost, w)")),
    ("a forward accumulator", """
def cost_partial(a, w, desired):
    with tf.autodiff.ForwardAccumulator(w, tf.ones_like(w)) as accumulator:
        cost = (a * w - desired) ** 2
    return accumulator.jvp(cost)
"""),
    ("a gradient kernel by name", "def cost_partial(a, w, desired):\n"
                                  "    return tf.raw_ops.SigmoidGrad(y=a * w, dy=2.0 * (a * w - desired)) * 0 + a\n"),
    ("Python inside the graph", "def cost_partial(a, w, desired):\n"
                                "    return tf.py_function(lambda a, w: 2.0 * (a * w - desired) * a, [a, w], a.dtype)\n"),
    ("a complex step", """
def cost_partial(a, w, desired):
    shifted = tf.complex(w, tf.constant(1e-30, w.dtype))
    return tf.math.imag((tf.cast(a, shifted.dtype) * shifted - desired) ** 2) / 1e-30
"""),
    ("a variable", "V = tf.Variable(2.0, dtype=tf.float64)\ndef cost_partial(a, w, desired):\n"
                   "    return V * (a * w - desired) * a\n"),
])
def test_each_way_past_a_derivation_by_hand_shows_in_its_graph(name, body):
    found = judged(body) if name != "a variable" else ["a tf.Variable"] * bool(
        traced(cost_partial(body), (A, W, D), {}).captured_inputs)
    assert found, name


@pytest.mark.parametrize("body", [
    "def cost_partial(a, w, desired):\n    return 2.0 * (a * w - desired) * a\n",
    "TWO = tf.constant(2.0, tf.float64)\ndef cost_partial(a, w, desired):\n    return TWO * (a * w - desired) * a\n",
    "def cost_partial(a, w, desired):\n    tf.print('w is', w, output_stream='file:///dev/null')\n"
    "    return 2.0 * (a * w - desired) * a\n",
    "def slope(error, a):\n    return 2.0 * error * a\n\ndef cost_partial(a, w, desired):\n    return slope(a * w - desired, a)\n",
    "def cost_partial(a, w, desired):\n    error = a * w - desired\n"
    "    return tf.where(error != 0, 2.0 * error * a, tf.zeros_like(error))\n",
    "@tf.function\ndef inner(a, w):\n    return a * w\n\ndef cost_partial(a, w, desired):\n    return 2.0 * (inner(a, w) - desired) * a\n",
    "def cost_partial(a: tf.Tensor, w: tf.Tensor, desired: float) -> tf.Tensor:\n"
    "    if desired == 0:\n        return 2.0 * a * w * a\n    return 2.0 * (a * w - desired) * a\n",
])
def test_honest_derivations_pass_and_compute_what_they_compute(body):
    assert judged(body) == []
    assert float(derived("backprop.cost_partial", cost_partial(body))(A, W, D)) == pytest.approx(EXPECTED)


def test_the_visible_checks_judge_a_derivation_as_the_grader_does():
    for body in (TAPE, "def cost_partial(a, w, desired):\n    return tf.raw_ops.SigmoidGrad(y=a, dy=w)\n"):
        with pytest.raises(SelfCheckFailure, match=r"\(not by hand\)\n  its graph holds"):
            derived("backprop.cost_partial", cost_partial(body))(A, W, D)


def test_a_derivation_is_run_by_the_judge_on_the_graph_not_by_the_students_code():
    """In-process (trusted code) the judge is this process; the values come from running the graph."""
    student = Student.in_process("solutions")
    got = student.backprop.sigmoid_partials.by_hand(*(tf.constant(v, tf.float64) for v in ([0.5, -1.0],) * 3),
                                                     tf.constant([1.0, 0.0], tf.float64))
    assert isinstance(got, tuple) and len(got) == 2 and got[0].dtype == np.float64 and got[0].shape == (2,)
    with pytest.raises(StudentError) as refused:
        student.activations.sigmoid_prime.by_hand(tf.constant([0.5], tf.float64), extra=1)
    assert refused.value.category == "crash"


def test_graphs_past_the_limits_are_refused():
    with pytest.raises(graphs.GraphError, match="not a graph"):
        graphs.parse(np.frombuffer(b"\xff" * 100, np.uint8))
    with pytest.raises(graphs.GraphError, match="bytes"):
        graphs.parse(np.zeros(graphs.MAX_GRAPH_BYTES + 1, np.uint8))

# Generated from grader/scoring/judges.py by `python -m grader.course.generate`: edit that file, not this one.
"""The judges of both suites: compare what a task returned with what is expected (never with ==
on floats), name a known mistake, and say it in the kit's format (task, call, expected, returned,
mistake, hint). The hidden suites judge with this module on the trusted side; students get a
generated copy as exercises/selfcheck.py, which their visible self-checks use.
"""

import contextlib
import math
import re
import tomllib
from pathlib import Path

import numpy as np
import tensorflow as tf

MAX_RELATIVE_ERROR = 1e-9
AUDIT: list | None = None  # set to a list by the kit's audit of named alternatives (see `_audit`)
HINTS = tomllib.loads((Path(__file__).with_name("hints.toml")).read_text(encoding="utf-8"))


class SelfCheckFailure(AssertionError):
    """A check that failed; its message is all the student needs to read. `category` says what
    kind of mistake it is: value, shape, dtype or type."""

    def __init__(self, message: str, category: str = "value"):
        super().__init__(message)
        self.category = category


def hint(task: str) -> str:
    module, _, name = task.partition(".")
    return HINTS.get(module, {}).get(name, "re-read the docstring of the function")


def _show(value) -> str:
    """A value as the student should see it: small arrays in full, large ones summarized."""
    if isinstance(value, np.generic) or isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, np.ndarray) and value.size > 20 and value.dtype.kind in "biuf":
        return (f"an array of shape {value.shape}, {value.dtype}: min {value.min():.6g}, max {value.max():.6g}, "
                f"mean {value.mean():.6g}")
    text = np.array2string(value, precision=7, separator=", ", threshold=20) if isinstance(value, np.ndarray) else repr(value)
    return text if len(text) <= 400 else text[:400] + " …"


def mistake(task: str, problem: str) -> str:
    """The misconception hints.toml names for a problem of a task ([mistakes.<module>]), else for
    that problem in any task ([mistakes.any]), or ''."""
    module, _, name = task.partition(".")
    mistakes, kind = HINTS.get("mistakes", {}), problem.partition(": shape ")[0]  # a shape problem's kind
    return (mistakes.get(module, {}).get(f"{name}: {problem}", "") or mistakes.get("any", {}).get(problem, "")
            or mistakes.get("any", {}).get(kind, ""))


def crash_mistake(task: str, error: str) -> str:
    """The misconception hints.toml names for a crash: a key "<task>: crashes with <text>" of
    [mistakes.<module>], else "crashes with <text>" of [mistakes.any], whose text is in the error."""
    module, _, name = task.partition(".")
    mistakes = HINTS.get("mistakes", {})
    for prefix, table in ((f"{name}: crashes with ", mistakes.get(module, {})), ("crashes with ", mistakes.get("any", {}))):
        for key, text in table.items():
            if key.startswith(prefix) and key[len(prefix):] in error:
                return text
    return ""


def signature(got: np.ndarray, expected: np.ndarray, close, alternatives: dict | None = None) -> str:
    """The name of the common wrong answer `got` is, or '' when none or several fit: first what the
    check names in `alternatives` (e.g. "the sum, not the mean": the right result times the batch
    size), then the right answer negated, doubled or halved."""
    for candidates in (alternatives or {}), {"negated": -expected, "doubled": 2 * expected, "halved": expected / 2}:
        fitting = [name for name, value in candidates.items() if np.shape(value) == got.shape
                   and (np.shape(value) != expected.shape or not np.allclose(value, expected))
                   and close(got, np.asarray(value, dtype=np.float64))]
        if fitting:
            return fitting[0] if len(fitting) == 1 else ""  # two fit on these inputs: which one is unknown
    return ""


def _audit(task: str, call: str, expected: np.ndarray, close, alternatives: dict) -> None:
    """For the kit's audit (AUDIT a list): (task, call, name, told apart) of each named alternative
    on this call's inputs. One the check's own tolerance cannot tell from the right answer passes
    as right, so its name is never said: a defect of the check's inputs."""
    if AUDIT is not None:
        for name, value in alternatives.items():
            value = np.asarray(value, dtype=np.float64)
            AUDIT.append((task, call, name, value.shape != expected.shape or not bool(close(value, expected))))


def fail(task: str, call: str, expected, got, problem: str = "", category: str = "value") -> None:
    """Raise a SelfCheckFailure in the kit's format: task, call, expected, returned, the mistake
    when the problem is a known one, and the task's hint."""
    named = mistake(task, problem)
    raise SelfCheckFailure(
        f"{task}{f' ({problem})' if problem else ''}\n"
        f"  called   {call}\n"
        f"  expected {_show(expected)}\n"
        f"  returned {_show(got)}\n"
        + (f"  mistake: {named}\n" if named else "") +
        f"  hint: {hint(task)}",
        category,
    )


def first_batch_size(dataset) -> int | None:
    """The number of examples in a dataset's first batch (None: not a dataset of (x, y) batches)."""
    try:
        return int(next(iter(dataset))[0].shape[0])
    except (TypeError, IndexError, KeyError, ValueError, AttributeError, StopIteration, tf.errors.OpError):
        return None


def as_array(task: str, call: str, got, expected: np.ndarray) -> np.ndarray:
    """`got` as a numpy array, or a failure that says what type came back. An array far larger than
    expected fails before it is converted (a judge holds at most a few times the expected size)."""
    if got is None:
        fail(task, call, _show(expected), None, "returned None", "type")
    shape = getattr(got, "shape", None)
    if shape is not None and int(np.prod(shape, dtype=np.int64)) > 4 * expected.size + 1024:
        fail(task, call, _show(expected), f"an array of shape {tuple(shape)}", f"wrong shape: {tuple(shape)}, expected "
             f"{expected.shape}", "shape")
    try:
        array = np.asarray(got.numpy() if hasattr(got, "numpy") else got, dtype=np.float64)
    except (TypeError, ValueError):
        kind = getattr(got, "type_name", type(got).__name__)
        fail(task, call, expected, got, f"returned a {kind}, not numbers", "type")
    return array


def _as_returned(value, fallback):
    """A value for display as it was given, dtype kept (a tensor as its array; ints stay ints)."""
    try:
        shown = np.asarray(value.numpy() if hasattr(value, "numpy") else value)
    except (TypeError, ValueError):
        return fallback
    return shown if shown.dtype.kind in "biuf" else fallback


def _shape_slip(got: tuple, expected: tuple) -> str:
    """The common cause of a shape that is not the expected one, or ''."""
    shapes = f"shape {got}, expected {expected}"
    if len(got) != len(expected) and [d for d in got if d != 1] == [d for d in expected if d != 1]:
        return f"a dimension of length 1 {'dropped' if len(got) < len(expected) else 'added'}: {shapes}"
    if len(got) == len(expected) == 1 and abs(got[0] - expected[0]) == 1:
        return f"one entry {'too few' if got[0] < expected[0] else 'too many'}: {shapes}"
    return ""


def shape_problem(array: np.ndarray, expected: np.ndarray) -> str:
    """What is wrong with a result's shape, named where the difference has a common cause."""
    if array.ndim == 2 and array.T.shape == expected.shape and np.allclose(array.T, expected):
        return "transposed"
    return _shape_slip(array.shape, expected.shape) or f"wrong shape: {array.shape}, expected {expected.shape}"


def shapes_problem(got: list, expected: list) -> str:
    """What is wrong with a list of parameters' shapes: the first one's common slip, else 'wrong shapes'."""
    slips = [_shape_slip(tuple(g), tuple(e)) for g, e in zip(got, expected)] if len(got) == len(expected) else []
    return next((slip for slip in slips if slip.startswith("a dimension")), "wrong shapes")


def layers_problem(got: list, expected: list) -> str:
    """What is wrong with a Keras model's layers, each a (class name, {units, activation, rate}) pair:
    a common slip named, else 'wrong layers'."""
    names, wanted = [name for name, _ in got], [name for name, _ in expected]
    if names != wanted and sorted(names) == sorted(wanted):
        return "the layers in the wrong order"
    if names == wanted:
        for (_, mine), (_, want) in zip(got, expected):
            if want.get("activation", "linear") != "linear" and mine.get("activation") == "linear":
                return ("the output layer without its softmax" if want["activation"] == "softmax"
                        else "a hidden layer without its activation")
            if mine.get("activation", want.get("activation")) != want.get("activation"):
                return f"{mine['activation']} where {want['activation']} belongs"
            rate = mine.get("rate")
            if isinstance(rate, float) and "rate" in want and want["rate"] != 0.5 and abs(rate + want["rate"] - 1) < 1e-9:
                return "the keep probability as the dropout rate"
    return "wrong layers"


def expect_numbers(task: str, call: str, got, expected) -> np.ndarray:
    """`got` as a float64 array of the expected shape holding only finite numbers, or a failure.

    Every judge starts here, so that NaN and infinity, which compare False with everything, can
    never slip through a check written as "fail if the error is too large"."""
    shown = _as_returned(expected, expected)
    expected = np.asarray(expected, dtype=np.float64)
    array = as_array(task, call, got, expected)
    if array.shape != expected.shape:
        fail(task, call, shown, _as_returned(got, array), shape_problem(array, expected), "shape")
    if not np.all(np.isfinite(array)):
        fail(task, call, shown, _as_returned(got, array), "NaN or infinity in the result")
    return array


def expect_close(task: str, call: str, got, expected, rtol: float = 1e-5, atol: float = 1e-6,
                 alternatives: dict | None = None) -> None:
    """Check shape, then values within a tolerance (never ==), of a returned number or tensor. A
    wrong value that is a known wrong answer (see `signature`) is named, also one of another shape."""
    shown = _as_returned(expected, expected)
    expected = np.asarray(expected, dtype=np.float64)

    def close(a, b):
        return np.all(np.abs(a - b) <= atol + rtol * np.abs(b))

    if alternatives:
        _audit(task, call, expected, close, alternatives)
        array = as_array(task, call, got, expected)
        named = signature(array, expected, close, alternatives) if array.shape != expected.shape else ""
        if named:
            fail(task, call, shown, _as_returned(got, array), named, "shape")
    array = expect_numbers(task, call, got, shown)

    if not close(array, expected):
        named = signature(array, expected, close, alternatives)
        returned = _as_returned(got, array)
        if array.size > 20:
            where = tuple(int(i) for i in np.argwhere(~(np.abs(array - expected) <= atol + rtol * np.abs(expected)))[0])
            first = f"first difference at index {list(where)}: expected {expected[where]:.6g}, returned {array[where]:.6g}"
            fail(task, call, shown, returned, named or f"wrong value; {first}")
        fail(task, call, shown, returned, named or "wrong value")


def expect_dtype(task: str, call: str, got, dtype) -> None:
    """Check that a returned tensor or array has the given dtype (e.g. tf.float32)."""
    actual = getattr(got, "dtype", type(got))
    if np.dtype(getattr(actual, "as_numpy_dtype", actual)) != np.dtype(getattr(dtype, "as_numpy_dtype", dtype)):
        name = getattr(actual, "name", None) or getattr(actual, "__name__", str(actual))  # float32, not <dtype: 'float32'>
        fail(task, call, f"dtype {np.dtype(getattr(dtype, 'as_numpy_dtype', dtype))}", got, f"wrong dtype: {name}", "dtype")


def expect_tensor(task: str, call: str, got, dtype) -> None:
    """Check that a result is a TensorFlow tensor (not a Python number or a numpy array) of a dtype."""
    if not tf.is_tensor(got):
        fail(task, call, f"a tensor of {np.dtype(dtype.as_numpy_dtype)}", got,
             f"returned a {type(got).__name__}, not a tensor", "type")
    expect_dtype(task, call, got, dtype)


def expect_array(task: str, call: str, got, dtype) -> None:
    """Check that a result is a numpy array (not a list or a tensor) of the given dtype."""
    if not isinstance(got, np.ndarray):
        kind = getattr(got, "type_name", type(got).__name__)
        fail(task, call, f"a numpy array of {np.dtype(dtype)}", got, f"returned a {kind}, not a numpy array", "type")
    expect_dtype(task, call, got, dtype)


def expect_floats(task: str, call: str, got) -> None:
    """Check that a result is a list of Python floats (not tensors or numpy numbers)."""
    kinds = sorted({type(v).__name__ for v in got}) if isinstance(got, list) else []
    if not isinstance(got, list) or kinds not in ([], ["float"]):
        what = f"a list of {', '.join(kinds)}" if isinstance(got, list) else f"a {type(got).__name__}"
        fail(task, call, "a list of Python floats", got, f"returned {what}: convert each value with float()", "type")


def relative_error(got, expected) -> float:
    """max |got − expected| / max(|got| + |expected|, tiny): the CS231n gradient-check measure."""
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    return float(np.max(np.abs(got - expected) / np.maximum(np.abs(got) + np.abs(expected), 1e-12)))


class AutodiffUsed(Exception):
    """A task to be derived by hand used TensorFlow's automatic differentiation."""


@contextlib.contextmanager
def no_autodiff(task: str):
    """While a task that is to be derived by hand runs, TensorFlow's automatic differentiation
    refuses to start: a GradientTape (new, or one made earlier and entered again) or
    ForwardAccumulator, however the code reached it, and tf.gradients raise AutodiffUsed. Putting
    them back during the task counts as using them."""
    from tensorflow.python.eager import forwardprop, tape
    from tensorflow.python.ops import gradients_util

    def refuse(*args, **kwargs):
        raise AutodiffUsed(f"{task} must compute its derivatives by hand (the chain rule), not with TensorFlow's "
                           f"automatic differentiation (GradientTape, tf.gradients)")

    places = [(tape, "push_new_tape"), (tape, "push_tape"), (gradients_util, "_GradientsHelper"),
              (forwardprop.ForwardAccumulator, "_push_accumulator")]
    saved = [getattr(owner, name) for owner, name in places]
    for owner, name in places:
        setattr(owner, name, refuse)
    try:
        yield
        if any(getattr(owner, name) is not refuse for owner, name in places):
            refuse()
    finally:
        for (owner, name), original in zip(places, saved):
            setattr(owner, name, original)


# what TensorFlow's automatic differentiation leaves in a graph: its gradient kernels (…Grad,
# …Backprop…), its broadcasting bookkeeping, symbolic gradients, ops whose second output is a
# gradient, and the scopes it names its nodes in
AUTODIFF_OPS = {"BroadcastGradientArgs", "SymbolicGradient", "SoftmaxCrossEntropyWithLogits",
                "SparseSoftmaxCrossEntropyWithLogits"}
COMPLEX_OPS = {"Complex", "Real", "Imag", "ComplexAbs", "Angle"}  # with complex dtypes: a complex step
AUTODIFF_OP = re.compile(r"(Grad|GradV\d|GradGrad)$|Backprop")
AUTODIFF_SCOPES = {"gradient_tape", "gradients"}
COMPLEX = {tf.complex64.as_datatype_enum, tf.complex128.as_datatype_enum}


def spec_of(argument):
    """How an argument of a derivation by hand is traced: a scalar tensor as a tensor of unknown rank
    (so that a gradient tape must leave its broadcasting bookkeeping in the graph), any other tensor
    as its shape and dtype, lists and tuples item by item, anything else (a number) as it is."""
    if tf.is_tensor(argument):
        return tf.TensorSpec(None if argument.shape.rank == 0 else argument.shape, argument.dtype)
    if isinstance(argument, (list, tuple)):
        return type(argument)(spec_of(v) for v in argument)
    return argument


def traced(function, args, kwargs):
    """`function`'s concrete function for these arguments (see `spec_of`), as tf.function traces it."""
    return tf.function(function).get_concrete_function(*map(spec_of, args), **{k: spec_of(v) for k, v in kwargs.items()})


def graph_nodes(graph_def):
    """Every node of a GraphDef: its own and those of the functions in its library."""
    yield from graph_def.node
    for function in graph_def.library.function:
        yield from function.node_def


def autodiff_ops(graph_def) -> list[str]:
    """What in a graph comes from TensorFlow's automatic differentiation, or from numerical
    differentiation by a complex step (empty for a derivation by hand: real arithmetic only)."""
    found = set()
    for node in graph_nodes(graph_def):
        if node.op in COMPLEX_OPS or any(value.type in COMPLEX for value in node.attr.values()):
            found.add("complex numbers (a complex step)")
        elif node.op in AUTODIFF_OPS or AUTODIFF_OP.search(node.op):
            found.add(node.op)
        found |= {f"the scope {scope}/" for scope in AUTODIFF_SCOPES & set(node.name.split("/")[:-1])}
    return sorted(found)


def derived(task: str, function):
    """`function` run as the grader judges a derivation by hand: traced into a TensorFlow graph (as
    tf.function does), which must hold nothing of TensorFlow's automatic differentiation, then run."""
    def call(*args, **kwargs):
        try:
            with no_autodiff(task):
                concrete = traced(function, args, kwargs)
            found = autodiff_ops(concrete.graph.as_graph_def())
        except AutodiffUsed:  # (raised while tracing: TensorFlow wraps it in the trace's whole story)
            found = ["a GradientTape"]
        if found:
            raise SelfCheckFailure(f"{task} (not by hand)\n  its graph holds {', '.join(found)}, which automatic or "
                                   f"numerical differentiation makes: derive it with the chain rule\n"
                                   f"  hint: {hint(task)}", "not by hand")
        return concrete(*args, **kwargs)
    return call


WARPED_AT = {"cost_partial": 1, "chain_partials": 1}  # warped by the weight w (w1); a derivative f′(z) by z


def warped(function, factor: float, at: int = 0):
    """`function` with each result multiplied by factor·(1 + sin(5·s)/2), s its argument number `at`
    (element by element): handed to a task as the derivative it must use. A task that follows it
    calls it wherever it needs a derivative; one that differentiates by itself cannot, even after
    measuring it somewhere (it is no constant multiple of the true derivative)."""
    def call(*args, **kwargs):
        s = args[at]  # a tensor, an array or a number: the weight is of the same kind (and dtype)
        sine = tf.sin(5 * s) if tf.is_tensor(s) else math.sin(5 * s) if isinstance(s, (int, float)) else np.sin(5 * s)
        weight = factor * (1 + sine / 2)
        result = function(*args, **kwargs)
        return tuple(weight * r for r in result) if isinstance(result, tuple) else weight * result
    return call


def tape_gradients(cost_of, *variables):
    """The gradients of cost_of(*variables) that tf.GradientTape finds (float64 variables)."""
    variables = [tf.Variable(np.asarray(v, dtype=np.float64)) for v in variables]
    with tf.GradientTape() as tape:
        cost = cost_of(*variables)
    return [g.numpy() for g in tape.gradient(cost, variables)]


def deep_cost(function, weights, x, y):
    """The cost of exercise 7's deep network: `function` after every layer (no biases), then the
    mean of (a − y)² over every element."""
    a = tf.constant(x)
    for weight in weights:
        a = function(a @ weight)
    return tf.reduce_mean(tf.square(a - y))


def check_workshop_weights(task: str, call: str, weights) -> None:
    """Statistics of normal(0, 0.1) truncated at ±0.2 (sd 0.088), and every layer its own numbers."""
    flat = np.concatenate([np.ravel(w) for w in weights])
    stats = {"largest |w|": round(float(np.abs(flat).max()), 4), "sd": round(float(flat.std()), 4),
             "mean": round(float(flat.mean()), 4)}
    want = "largest |w| ≤ 0.2, sd ≈ 0.088 (0.08 to 0.096), mean ≈ 0"
    if abs(stats["mean"]) > 0.01:
        fail(task, call + " → the weights' statistics", want, stats, "the mean is not 0")
    if flat.size >= 1000 and np.mean((flat - flat.mean()) ** 4) / flat.var() ** 2 < 2.0:  # uniform 1.8, this 2.36
        fail(task, call + " → the weights' statistics", want, stats, "uniform, not normal")
    if stats["largest |w|"] > 0.2 + 1e-6 and 2.1 < stats["largest |w|"] / stats["sd"] < 2.45:  # 2σ cut: sd 0.88σ
        fail(task, call + " → the weights' statistics", want, stats, "truncated, but not with stddev 0.1")
    if stats["largest |w|"] > 0.2 + 1e-6:
        fail(task, call + " → the weights' statistics", want, stats, "not truncated at two standard deviations")
    if not 0.08 <= stats["sd"] <= 0.096:
        fail(task, call + " → the weights' statistics", want, stats, "not normal(0, 0.1) truncated")
    if any(np.array_equal(np.ravel(a)[:20], np.ravel(b)[:20]) for a, b in zip(weights, weights[1:])):
        fail(task, call + " → the first 20 weights of consecutive layers", "different numbers in every layer",
             "the same numbers", "every layer from a new generator")


def check_workshop_generator(task: str, call: str, first_weights, seed: int) -> None:
    """The first weight matrix is the first draw of tf.random.Generator.from_seed(seed), as the
    docstring asks (a global tf.random.set_seed gives other numbers, and changes everyone's)."""
    first = np.asarray(first_weights)
    drawn = tf.random.Generator.from_seed(seed).truncated_normal(first.shape, stddev=0.1).numpy()
    if not np.allclose(first, drawn, rtol=0, atol=1e-6):
        fail(task, call + " → the first 3 weights of the first layer", drawn.ravel()[:3], first.ravel()[:3],
             "not drawn from tf.random.Generator.from_seed(seed)")


def expect_gradient(task: str, call: str, got, expected, max_error: float = MAX_RELATIVE_ERROR,
                    alternatives: dict | None = None) -> None:
    """Check a hand-derived gradient against tf.GradientTape's: shape, then the relative error. A
    known wrong gradient (see `signature`) is named."""
    def close(a, b):
        return relative_error(a, b) <= max_error

    if alternatives:
        _audit(task, call, np.asarray(expected, dtype=np.float64), close, alternatives)
    array = expect_numbers(task, call, got, expected)
    error = relative_error(array, expected)
    if not error <= max_error:
        named = signature(array, np.asarray(expected, dtype=np.float64), close, alternatives)
        fail(task, call, expected, array, named or f"relative error {error:.2e} against tf.GradientTape")

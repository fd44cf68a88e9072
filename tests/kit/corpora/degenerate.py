"""Degenerate answers earn nothing: every check, hidden and visible, must fail when the task it
calls answers NaN, ±infinity, something empty, zeros, a constant, huge values or its own input,
unless that value happens to be the right answer on every call of the check.

    python -m tests.kit.corpora.degenerate hidden|visible [--variant nan …] [--task perceptron.step_fn …]

The package `degenerate` is a copy of solutions/ whose every task is wrapped: the wrapper calls
the reference and, for the one task under test, returns a degenerate value of the same kind
(shape, dtype, container, model) instead. A first run of the suite records which tasks each check
calls (and audits the named alternatives they meet: corpora/alternatives.py); then each (task,
variant) runs the checks that call the task. Prints every check that passed with a wrong answer,
every alternative not told apart, and the summary lines.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from grader.catalogue import KIT, SOLUTIONS, all_regions, regions
from grader.lab.in_process import run_suite
from tests.kit.corpora.alternatives import Audit

VARIANTS = ("nan", "inf", "empty", "zeros", "constant", "huge", "echo")
PACKAGE = "degenerate"
MODE: tuple | None = None  # (task, variant) being tried
CALLED: set = set()  # tasks the running check calls itself (not those called by other tasks)
DIFFERED = [False]  # did a wrapper return something other than the right answer?
DEPTH = [0]  # how deep in task calls the running code is
# Training tasks whose only effect besides their result is on the tf.Module arguments they train:
# the right answer of a call is kept with the variables of the modules in its arguments and result
# (a variant's stand-in may overwrite them), and a later run making the same call (same check,
# same place, same arguments, no function but the reference's own, which keeps no state) gets it
# back without training again; the first run that keeps them is the baseline's.
REPLAYED = {"training.training_loop", "softmax_network.train", "optimizers.train_xor", "keras_mlp.compare"}
REPLAYS: dict = {}  # (task, check, call number, fingerprint of the arguments) → (right answer, module variables)
CHECK = [""]  # the running check's node id
CALLS: dict = {}  # task → its direct calls so far in the running check


def _fill(array: np.ndarray, variant: str) -> np.ndarray:
    kind = array.dtype if array.dtype.kind == "f" else np.dtype(np.float64)
    if variant == "nan":
        return np.full(array.shape, np.nan, kind)
    if variant == "inf":
        return np.where(np.arange(array.size).reshape(array.shape) % 2 == 0, np.inf, -np.inf).astype(kind)
    if variant == "empty":
        return np.zeros((0,), array.dtype)
    if variant == "zeros":
        return np.zeros_like(array)
    if variant == "constant":
        return np.full_like(array, 0.5 if array.dtype.kind == "f" else 3)
    return np.full_like(array, 1e30 if array.dtype.kind == "f" else 2**40)  # huge


def degenerate(value, variant: str, echo):
    """A degenerate stand-in of the same kind as `value`."""
    import tensorflow as tf

    if variant == "echo":
        return echo
    if isinstance(value, tf.Module):
        for variable in value.trainable_variables:
            variable.assign(_fill(variable.numpy(), variant if variant != "empty" else "zeros"))
        return value
    if isinstance(value, (list, tuple)):
        items = [] if variant == "empty" else [degenerate(v, variant, echo) for v in value]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        return {} if variant == "empty" else {k: degenerate(v, variant, echo) for k, v in value.items()}
    if isinstance(value, bool) or value is None:
        return not value if variant != "empty" else None
    if isinstance(value, (int, float)):
        filled = _fill(np.asarray(value), variant)
        return [] if variant == "empty" else filled.item()
    if isinstance(value, (np.ndarray, np.generic)):
        return _fill(np.asarray(value), variant)
    if tf.is_tensor(value):
        filled = _fill(value.numpy(), variant)
        return tf.constant(filled, dtype=value.dtype if filled.dtype.kind == value.dtype.as_numpy_dtype().dtype.kind
                           else None)
    if callable(value):
        return lambda *args, **kwargs: degenerate(value(*args, **kwargs), variant, echo)
    return None


def _same(a, b) -> bool:
    """Is the degenerate value the right answer (same kind, shape and values)?"""
    import tensorflow as tf

    if a is b:  # e.g. compile_model's echo: the model it compiled in place
        return True
    if isinstance(a, tf.Module) or isinstance(b, tf.Module) or callable(a) or callable(b):
        return False
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    try:
        x, y = (np.asarray(v.numpy() if tf.is_tensor(v) else v) for v in (a, b))
    except (TypeError, ValueError):
        return False
    return x.dtype == y.dtype and x.shape == y.shape and bool(np.array_equal(x, y))


def _fingerprint(value) -> str:
    """A digest of an argument's content: arrays and tensors by their bytes, modules by their
    variables, datasets by their spec and size (reading one would advance its shuffling; at the
    same place of the same check they hold the same data), functions by name."""
    import hashlib

    import tensorflow as tf

    digest = hashlib.sha256()

    def add(v):
        if isinstance(v, tf.Module):
            digest.update(type(v).__name__.encode())
            for variable in v.trainable_variables:
                add(variable.numpy())
        elif isinstance(v, tf.data.Dataset):
            digest.update(f"{v.element_spec}{int(v.cardinality())}".encode())
        elif isinstance(v, (list, tuple)):
            digest.update(f"{type(v).__name__}{len(v)}".encode())
            for item in v:
                add(item)
        elif isinstance(v, dict):
            for key in sorted(v):
                digest.update(repr(key).encode())
                add(v[key])
        elif tf.is_tensor(v) or isinstance(v, (np.ndarray, np.generic)):
            array = np.asarray(v)
            digest.update(f"{array.dtype}{array.shape}".encode() + array.tobytes())
        elif callable(v):
            inner = getattr(v, "python_function", v)
            if not (getattr(inner, "task", None) or isinstance(v, type) and v.__module__.startswith(f"{PACKAGE}.")):
                raise _NotReplayed  # a function of the check's own, which may count its calls
            digest.update(f"{type(v).__name__}:{getattr(inner, 'task', None) or inner.__qualname__}".encode())
        else:
            digest.update(repr(v).encode())

    add(value)
    return digest.hexdigest()


class _NotReplayed(Exception):
    pass


def _modules(value) -> list:
    import tensorflow as tf

    if isinstance(value, tf.Module):
        return [value]
    if isinstance(value, (list, tuple)):
        return [m for v in value for m in _modules(v)]
    if isinstance(value, dict):
        return [m for v in value.values() for m in _modules(v)]
    return []


def _right_answer(function, task: str, args, kwargs):
    """The reference's answer; for a REPLAYED task (the one under test, or any in the baseline run),
    computed once per identical call."""
    if MODE is not None and MODE[0] != task or task not in REPLAYED or DEPTH[0] != 1:
        return function(*args, **kwargs)
    CALLS[task] = CALLS.get(task, 0) + 1
    try:
        key = (task, CHECK[0], CALLS[task], _fingerprint((args, kwargs)))
    except _NotReplayed:
        return function(*args, **kwargs)
    if key in REPLAYS:
        right, states = REPLAYS[key]
        for module, state in zip(_modules((args, kwargs, right)), states):
            for variable, value in zip(module.trainable_variables, state):
                variable.assign(value)
        return right
    right = function(*args, **kwargs)
    REPLAYS[key] = (right, [[v.numpy() for v in m.trainable_variables] for m in _modules((args, kwargs, right))])
    return right


def wrap(function, task: str, method: bool):
    def wrapper(*args, **kwargs):
        direct = DEPTH[0] == 0
        DEPTH[0] += 1
        try:
            right = _right_answer(function, task, args, kwargs)
        finally:
            DEPTH[0] -= 1
        if not direct:
            return right
        CALLED.add(task)
        if MODE is None or MODE[0] != task:
            return right
        inputs = args[1:] if method else args
        fake = degenerate(right, MODE[1], inputs[0] if inputs else None)
        if not _same(fake, right):
            DIFFERED[0] = True
        return fake

    wrapper.__name__, wrapper.__doc__, wrapper.task = function.__name__, function.__doc__, task
    return wrapper


def patch(namespace: dict, module: str) -> None:
    """Wrap every task of a solutions/ module in its namespace (called at the end of the copy)."""
    for region in regions((SOLUTIONS / f"{module}.py").read_text(encoding="utf-8"), module):
        *owner, name = region.task.split(".")[1:]
        if owner:
            cls = namespace[owner[0]]
            raw = cls.__dict__[name]
            if isinstance(raw, classmethod):
                setattr(cls, name, classmethod(wrap(raw.__func__, region.task, method=False)))
            else:
                setattr(cls, name, wrap(raw, region.task, method=True))
        else:
            namespace[name] = wrap(namespace[name], region.task, method=False)


def build_package(folder: Path) -> None:
    package = folder / PACKAGE
    shutil.copytree(SOLUTIONS, package, ignore=shutil.ignore_patterns("__pycache__"))
    for path in package.glob("*.py"):
        if path.name != "__init__.py":
            path.write_text(path.read_text(encoding="utf-8") +
                            f"\n\nfrom tests.kit.corpora.degenerate import patch as _patch\n_patch(globals(), {path.stem!r})\n",
                            encoding="utf-8")
    sys.path.insert(0, str(folder))


class _Recorder:
    """Per check: the tasks it covers (a visible check: its task marker; a hidden one: the tasks it
    calls itself), and whether it passed although a wrong answer came back."""

    def __init__(self):
        self.calls, self.passed, self.markers = {}, {}, {}

    def pytest_runtest_setup(self, item):
        CALLED.clear()
        DIFFERED[0], DEPTH[0], CHECK[0] = False, 0, item.nodeid
        CALLS.clear()
        marker = item.get_closest_marker("task")
        if marker:
            self.markers[item.nodeid] = marker.args[0]

    def pytest_runtest_logreport(self, report):
        if report.when == "call":
            marker = self.markers.get(report.nodeid)
            self.calls[report.nodeid] = {marker} if marker else set(CALLED)
            self.passed[report.nodeid] = report.passed and DIFFERED[0]


def run(suite: str, nodeids, *plugins) -> None:
    hidden = ["--submission", PACKAGE, "--in-process", "--grading-seed", "2021"] if suite == "hidden" else []
    run_suite([*nodeids, *hidden], *plugins)


def main(argv=None) -> int:
    global MODE
    parser = argparse.ArgumentParser(prog="python -m tests.kit.corpora.degenerate", description=__doc__.splitlines()[0])
    parser.add_argument("suite", choices=("hidden", "visible"))
    parser.add_argument("--variant", nargs="*", default=list(VARIANTS), choices=VARIANTS)
    parser.add_argument("--task", nargs="*", default=None)
    args = parser.parse_args(argv)
    os.environ["KIT_TARGET"] = PACKAGE
    scratch = Path(tempfile.mkdtemp(prefix="nnkit-degenerate-"))
    start = time.perf_counter()
    try:
        build_package(scratch)
        baseline = _Recorder()
        with Audit() as audit:  # the first run gives the right answers: the named alternatives are audited in it
            run(args.suite, [str(KIT / ("tests/hidden" if args.suite == "hidden" else "exercises"))], baseline, audit)
        indistinguishable, audited = audit.report(args.suite)
        tasks = args.task or [r.task for r in all_regions()]
        uncovered = [t for t in tasks if not any(t in called for called in baseline.calls.values())]
        defects, tried = [], 0
        for task in tasks:
            nodeids = sorted(n for n, called in baseline.calls.items() if task in called)
            for variant in args.variant if nodeids else ():
                MODE, recorder = (task, variant), _Recorder()
                run(args.suite, [str(KIT / n) for n in nodeids], recorder)
                tried += len(nodeids)
                defects += [f"{n} passed with {variant} answers of {task}" for n, ok in recorder.passed.items() if ok]
        MODE = None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for line in defects:
        print(f"DEFECT {line}")
    for line in indistinguishable:
        print(line)
    print(audited)
    if uncovered:
        print(f"UNCOVERED {', '.join(uncovered)}: no {args.suite} check calls these tasks")
    print(f"degenerate answers ({args.suite}): {len(defects)} of {tried} check runs passed a wrong answer, "
          f"{len(baseline.calls)} checks, {len(tasks)} tasks, {len(args.variant)} variants, "
          f"{time.perf_counter() - start:.0f} s")
    return 1 if defects or uncovered or indistinguishable else 0


if __name__ == "__main__":  # run as the importable module, whose state the wrappers share
    from tests.kit.corpora import degenerate as module

    sys.exit(module.main())

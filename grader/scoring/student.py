"""How hidden tests reach student code: `student.perceptron.step_fn(0.5)` and the like.

One API, two backends. `Student.in_process("solutions")` calls the package directly (fast and
debuggable, for the kit's own runs and for self-checks); `Student.isolated(path)` sends every call
to a sandboxed worker process. Either way a call's arguments and result cross as plain data
(numbers, strings, numpy arrays, handles to objects left where the code runs), so the hidden
tests see the same values from both, and never a student's object.
"""

import ast
import re
import time
from pathlib import Path

import numpy as np

from grader.catalogue import NOT_DONE
from grader.isolation import wire
from grader.isolation.policy import Limits
from grader.isolation.sandbox import Sandbox, WorkerLost
from grader.isolation.wire import Op, Tag
from grader.isolation.worker.dispatch import Dispatcher
from grader.isolation.worker.tamper import watched
from grader.scoring import graphs
from grader.scoring.judges import autodiff_ops


# An import may start a new worker, and with it Python and TensorFlow: at least this long, in time
# the worker could run (what load costs it is added, see sandbox._DeadlineReader).
IMPORT_SECONDS = 15.0
IMPORT = "import "  # the path of a module's import, in errors
WORKER_PATH = re.compile(r"(?:/[\w.+-]+)*/submission/")  # the worker's scratch folder, in tracebacks


class StudentError(Exception):
    """Student code raised an exception (reported, never re-raised as the student's own type). Its
    category is the trusted side's to give: what a worker says of an exception is only quoted."""

    def __init__(self, path: str, error: dict, category: str = "crash"):
        self.path, self.type, self.where, self.category = path, error["type"], error["where"], category
        self.message = WORKER_PATH.sub("", error["message"])  # no machine paths in what the student reads
        self.module = path.removeprefix(IMPORT) if path.startswith(IMPORT) else ""  # whose import raised it
        super().__init__(f"{path} raised {self.type}: {self.message}")


SKELETON_ERROR = re.compile(rf"[a-z_]+\.[\w.]+ {NOT_DONE} — [\w .§-]+")  # what every skeleton task raises


def defines(source: str, names: list[str]) -> bool:
    """Does a module's source define names[0] at its top (and names[1] in that class, and so on)?"""
    try:
        body = ast.parse(source).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return True  # what cannot be read cannot be shown missing
    for name in names:
        found = [node for node in body if name in _bound(node)]
        if not found:
            return False
        body = getattr(found[-1], "body", [])
    return True


def _bound(node: ast.AST) -> set[str]:
    """The names a top-level statement binds."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    if isinstance(node, ast.Import | ast.ImportFrom):
        return {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
    return {n.id for t in targets if t is not None for n in ast.walk(t) if isinstance(n, ast.Name)} | \
        {name for child in ast.iter_child_nodes(node) if isinstance(node, ast.If | ast.Try | ast.With)
         for name in _bound(child)}


class Opaque:
    """Something a student returned that is neither numbers nor an object the grader can use."""

    def __init__(self, type_name: str, text: str):
        self.type_name, self.text = type_name, text

    def __repr__(self) -> str:
        return f"<a {self.type_name}>"


class Fn:
    """A function named to the worker: Fn("sigmoid") or Fn("student:perceptron.tf_step_fn")."""

    def __init__(self, name: str):
        self.name = name


class Dataset:
    """A batched tf.data.Dataset of (x, y), built where the student's code runs; shuffled every
    epoch when a seed is given."""

    def __init__(self, x: np.ndarray, y: np.ndarray, batch_size: int, seed: int | None = None):
        self.x, self.y, self.batch_size, self.seed = x, y, batch_size, seed


class Model:
    """The grader's own sigmoid MLP with these initial parameters, built where the student's code
    runs (`factory=True`: a function that builds a fresh one per call; `gain=True`: with one more
    trainable variable, neither a weight nor a bias; `logits=True`: ReLU hidden layers and an output
    layer without activation; see `harness_mlp`)."""

    def __init__(self, weights, biases, factory: bool = False, gain: bool = False, logits: bool = False):
        self.weights, self.biases, self.factory, self.gain, self.logits = weights, biases, factory, gain, logits


class KerasModel:
    """The grader's own Keras model of exercise 10 with these initial weights ([W1, b1, W2, b2]),
    built where the student's code runs: Flatten (28×28), Dense(relu), Dropout(`dropout`) if
    non-zero, Dense(10, softmax); compiled with Adam at `learning_rate`, sparse categorical
    cross-entropy and accuracy if a rate is given (see `harness_keras`)."""

    def __init__(self, weights, dropout: float = 0.0, learning_rate: float | None = None):
        self.weights, self.dropout, self.learning_rate = weights, dropout, learning_rate


class Handle:
    """An object that stays where the student's code runs (a model, a compiled step)."""

    def __init__(self, student: "Student", number: int, type_name: str):
        self.student, self.number, self.type_name = student, number, type_name
        self.path = f"{type_name}(…)"  # what a failed call names

    def __call__(self, *args, **kwargs):
        return self.student.send({"op": Op.HANDLE_CALL, "handle": self.number}, args, kwargs, self.path)

    def get(self, name: str):
        return self.student.send({"op": Op.HANDLE_GET, "handle": self.number, "name": name}, (), {}, name)

    def method(self, name: str, *args, **kwargs):
        return self.student.send({"op": Op.HANDLE_METHOD, "handle": self.number, "name": name}, args, kwargs, name)

    def __repr__(self) -> str:
        return f"<{self.type_name}>"


class Remote:
    """A name in the student's package: call it, or go deeper (`student.mlp.MLP.from_sizes`)."""

    def __init__(self, student: "Student", path: str):
        self._student, self._path = student, path

    def __getattr__(self, name: str) -> "Remote":
        if name.startswith("__"):
            raise AttributeError(name)
        return Remote(self._student, f"{self._path}.{name}")

    def __call__(self, *args, **kwargs):
        return self._student.send({"op": Op.CALL, "path": self._path}, args, kwargs, self._path)

    def by_hand(self, *args, **kwargs):
        """What a derivation by hand returns, judged from its graph (see `Student.derive`)."""
        return self._student.derive(self._path, args, kwargs)

    def using(self, patch: dict, *args, **kwargs):
        """Call with names of the function's module replaced for the call (e.g. the derivative it is
        to use, handed in scaled: its result then shows whether it used it)."""
        return self._student.send({"op": Op.CALL, "path": self._path, "patch": patch}, args, kwargs, self._path)

    def with_timeout(self, seconds: float, *args, **kwargs):
        """Call with a time limit other than the default one."""
        return self._student.send({"op": Op.CALL, "path": self._path}, args, kwargs, self._path, seconds)


class InProcess:
    """The backend that runs a package in this process (for trusted code and debugging only)."""

    isolation = "none: in-process"

    def __init__(self, package: str):
        self.dispatcher = Dispatcher(package)

    def request(self, header, blobs, timeout=None):
        return self.dispatcher.answer(header, blobs)

    def stop(self):
        pass


class Student:
    """Access to one submission's modules: `student.<module>.<name>(…)`."""

    def __init__(self, backend, folder: Path | None = None, judge=None, substitutes: tuple[dict, ...] = ()):
        self.backend, self.folder = backend, folder  # folder: the staged submission (None: trusted code)
        self.judge = judge  # where a derivation's graph runs: a worker that never runs student code
        self.substitutes = substitutes  # the grader's functions that stand in for the submission's (catalogue.task_source)
        self.tampered: set[str] = set()
        self.imported: set[str] = set()
        self.broken: dict[str, Exception] = {}  # module → why importing it failed
        self.starts = 0
        self.waited = 0.0  # seconds spent waiting on a worker (the student's or the judge's): a check's worker time

    @classmethod
    def in_process(cls, package: str) -> "Student":
        backend = InProcess(package)
        return cls(backend, judge=backend)

    @classmethod
    def isolated(cls, submission: Path, limits: Limits = Limits(), uid: int | None = None) -> "Student":
        sandbox = Sandbox(submission, limits, uid)
        return cls(sandbox, submission, Sandbox(None, limits, uid, shares=sandbox))

    def with_references(self, tasks) -> "Student":
        """The same submission in a worker of its own, in which the reference's functions of `tasks`
        stand in for the submission's (a task graded with the reference's dependencies). That worker
        holds reference code: end it (`backend.close()`) after the one check it is for."""
        from grader.catalogue import task_source

        sandbox = Sandbox(self.folder, self.backend.limits, self.backend.uid, shares=self.backend)
        sandbox.used = self.backend.used  # the submission's time is shared
        return Student(sandbox, self.folder, self.judge, tuple(task_source(task) for task in tasks))

    def derive(self, path: str, args, kwargs):
        """What a derivation by hand returns, judged from its graph: the worker traces the function
        for arguments of these shapes and dtypes (its tensors are sent as zeros: the student's process
        never learns the values the graph is judged on); the trusted side reads the graph (never runs
        it): TensorFlow's automatic differentiation shows in it (judges.autodiff_ops), and it may hold
        only operations the grader lets a judge worker run (graphs.not_runnable); the judge worker,
        which never runs student code, then runs it on these arguments, and what it computes, and
        nothing else, is the task's result."""
        traced = self.send({"op": Op.GRAPH, "path": path}, _zeros(args), _zeros(kwargs), path)
        try:
            graph_def = graphs.parse(traced["graph"])
        except graphs.GraphError as error:
            raise StudentError(path, {"type": "graph", "where": "", "message": f"its graph cannot be read: {error}"})
        found = autodiff_ops(graph_def)
        if found:
            raise self._not_by_hand(path, f"{path} must compute its derivatives by hand (the chain rule); its graph "
                                          f"holds {', '.join(found)}, which automatic or numerical differentiation makes")
        unrunnable = graphs.not_runnable(graph_def) + ["a tf.Variable"] * bool(traced["variables"])
        if unrunnable:
            raise self._not_by_hand(path, f"{path} is judged from its graph, which holds {', '.join(unrunnable[:5])}: "
                                          f"a derivation by hand needs only TensorFlow's math on its arguments")
        values = [v for v in tf_nest_flatten((list(args), [kwargs[k] for k in sorted(kwargs)])) if _is_tensor(v)]
        values += traced["captured"]
        if len(values) != len(traced["inputs"]):
            raise StudentError(path, {"type": "graph", "where": "", "message": "its graph takes other inputs than "
                                      "the function's arguments"})
        outputs = self._run(path, [traced["graph"], traced["inputs"], traced["outputs"], values])
        try:
            return _rebuild(traced["structure"], outputs)
        except ValueError as error:
            raise StudentError(path, {"type": "graph", "where": "", "message": str(error)}) from None

    def _run(self, path: str, args: list):
        """Run a checked graph in the judge worker; what goes wrong there is the graph's, so the student's."""
        blobs = []
        header = {"op": Op.RUN_GRAPH, "args": [self._encode(a, blobs) for a in args], "kwargs": {}}
        reply, reply_blobs = self._request(self.judge, header, blobs)
        if "error" in reply:
            self.judge.stop()
            error = {k: str(reply["error"].get(k, ""))[:2000] for k in ("type", "message")}
            raise StudentError(path, {**error, "where": "", "message": f"running its graph: {error['message']}"})
        return self._decode(reply.get("value"), reply_blobs)

    def _request(self, backend, header: dict, blobs: list, timeout: float | None = None):
        start = time.perf_counter()
        try:
            return backend.request(header, blobs, timeout)
        finally:
            self.waited += time.perf_counter() - start

    @staticmethod
    def _not_by_hand(path: str, message: str) -> StudentError:
        return StudentError(path, {"type": "AutodiffUsed", "where": "", "message": message}, "not by hand")

    def graph_of(self, handle: "Handle", *arrays) -> tuple:
        """(graph, its inputs' (dtype, shape)) of a compiled function the student's code returned:
        its concrete function for arrays of these shapes (none: for its input signature), read here."""
        traced = self.send({"op": Op.GRAPH, "handle": handle.number}, arrays, {}, handle.path)
        try:
            graph_def = graphs.parse(traced["graph"])
        except graphs.GraphError as error:
            raise StudentError(handle.path, {"type": "graph", "where": "", "message": f"its graph cannot be read: {error}"})
        return graph_def, graphs.placeholders(graph_def)

    @property
    def isolation(self) -> str:
        return self.backend.isolation

    def __getattr__(self, module: str) -> Remote:
        if module.startswith("_"):
            raise AttributeError(module)
        return Remote(self, module)

    def close(self) -> None:
        if self.judge is not self.backend:
            self.judge.close()
        getattr(self.backend, "close", self.backend.stop)()

    def build(self, spec: Model | KerasModel | Fn) -> Handle:
        """The grader's model, or a named function (e.g. a compiled one of the submission), made
        where the student's code runs, as a handle."""
        if isinstance(spec, (Model, KerasModel)):
            return self.send({"op": Op.BUILD}, (spec,), {}, "the grader's model")
        handle = self.send({"op": Op.BUILD}, (spec,), {}, spec.name)
        if isinstance(handle, Handle):  # a crash names the student's function
            handle.path = spec.name.rpartition("student:")[2] or spec.name
        return handle

    def _import(self, module: str) -> None:
        """Import a module of the submission once; a module whose import fails (or hangs, or kills
        the worker) fails every later call at once with the same error."""
        if getattr(self.backend, "starts", 0) != self.starts:  # a new worker has imported nothing
            self.starts, self.imported = self.backend.starts, set()
        if module in self.broken:
            raise self.broken[module]
        if module not in self.imported:
            try:
                seconds = max(IMPORT_SECONDS, getattr(getattr(self.backend, "limits", None), "call_seconds", 0))
                self.send({"op": Op.IMPORT, "path": module}, (), {}, f"{IMPORT}{module}", seconds, imports=False)
                if self.substitutes:
                    self.send({"op": Op.SUBSTITUTE, "entries": list(self.substitutes)}, (), {}, f"{IMPORT}{module}",
                              seconds, imports=False)
            except StudentError as error:
                self.broken[module] = error
                raise
            except WorkerLost as error:  # a hang or a crash while importing: said of the module
                self.broken[module] = WorkerLost(error.category, f"while importing {module}.py: {error}")
                raise self.broken[module] from None
            self.imported.add(module)

    def send(self, header: dict, args, kwargs, path: str, timeout: float | None = None, imports: bool = True):
        if imports and header["op"] == Op.CALL:
            self._import(header["path"].split(".")[0])
        blobs = []
        header = {**header, "args": [self._encode(a, blobs) for a in args],
                  "kwargs": {k: self._encode(v, blobs) for k, v in kwargs.items()},
                  **({"patch": {k: self._encode(v, blobs) for k, v in header["patch"].items()}} if "patch" in header else {})}
        reply, reply_blobs = self._request(self.backend, header, blobs, timeout)
        try:
            self.tampered.update(name for name in reply.get("tampered", [])[:50] if isinstance(name, str) and watched(name))
            if "error" in reply:
                error = self._error(path, {k: str(reply["error"].get(k, ""))[:2000] for k in ("type", "message", "where")})
                if error.category not in ("not implemented", "missing") and error.type != "ValueError":
                    # what crashed may have left forks, threads or half-done state behind; a ValueError
                    # is the contract's way of rejecting an input (k-fold's k), so that worker is kept
                    self.backend.stop()
                raise error
            return self._decode(reply.get("value"), reply_blobs)
        except (AttributeError, KeyError, IndexError, TypeError, ValueError, RecursionError, StopIteration,
                OverflowError, wire.ProtocolError) as error:  # whatever the reply holds: the student's crash
            self.backend.stop()
            raise WorkerLost("crash", f"the worker sent a malformed reply ({type(error).__name__})") from None

    def _error(self, path: str, error: dict) -> StudentError:
        """The StudentError of what the worker reported, with the trusted side's category: `not
        implemented` for a skeleton's own NotImplementedError, `missing` for a name the staged files
        do not define (in the trusted side's words), `crash` for anything else."""
        skeleton = SKELETON_ERROR.search(error["message"]) if error["type"] == "NotImplementedError" else None
        if skeleton:  # (also as TensorFlow's tracing quotes it, inside its own message)
            return StudentError(path, {**error, "message": skeleton.group()}, "not implemented")
        if error["type"] == "MissingName":
            if self.folder is None:  # trusted code, in this process
                return StudentError(path, error, "missing")
            module, *names = path.removeprefix(IMPORT).split(".")
            source = self.folder / f"{module}.py"
            if not source.is_file():
                return StudentError(path, {**error, "message": f"your submission has no {module}.py"}, "missing")
            if not defines(source.read_text(encoding="utf-8", errors="replace"), names):
                return StudentError(path, {**error, "message": f"{module}.py defines no {'.'.join(names)}"}, "missing")
        return StudentError(path, error)

    def _encode(self, value, blobs):
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, (list, tuple)):
            items = [self._encode(v, blobs) for v in value]
            return items if isinstance(value, list) else {Tag.TUPLE: items}
        if isinstance(value, dict):
            return {Tag.DICT: {k: self._encode(v, blobs) for k, v in value.items()}}
        if isinstance(value, Handle):
            return {Tag.HANDLE: value.number}
        if isinstance(value, Fn):
            return {Tag.FN: value.name}
        if isinstance(value, Dataset):
            spec = {"x": self._encode(value.x, blobs), "y": self._encode(value.y, blobs)}
            return {Tag.DATASET: {**spec, "batch_size": value.batch_size, "seed": value.seed}}
        if isinstance(value, Model):
            arrays = {k: [self._encode(np.asarray(a, np.float32), blobs) for a in getattr(value, k)]
                      for k in ("weights", "biases")}
            return {Tag.FACTORY if value.factory else Tag.MODEL: {**arrays, "gain": bool(value.gain),
                                                                "logits": bool(value.logits)}}
        if isinstance(value, KerasModel):
            weights = [self._encode(np.asarray(a, np.float32), blobs) for a in value.weights]
            rate = None if value.learning_rate is None else float(value.learning_rate)
            return {Tag.KERAS: {"weights": weights, "dropout": float(value.dropout), "learning_rate": rate}}
        if isinstance(value, (np.ndarray, np.generic)):
            blobs.append(wire.array_to_blob(np.asarray(value)))
            return {Tag.ARRAY: len(blobs) - 1}
        if hasattr(value, "numpy"):  # a TensorFlow tensor: sent as one
            blobs.append(wire.array_to_blob(value.numpy()))
            return {Tag.TENSOR: len(blobs) - 1}
        raise TypeError(f"cannot send a {type(value).__name__} to student code")

    def _decode(self, value, blobs):
        if isinstance(value, list):
            return [self._decode(v, blobs) for v in value]
        if not isinstance(value, dict):
            return value
        tag = next(iter(value))
        if tag == Tag.ARRAY:
            return wire.blob_to_array(blobs[value[tag]])
        if tag == Tag.TUPLE:
            return tuple(self._decode(v, blobs) for v in value[tag])
        if tag == Tag.DICT:
            return {k: self._decode(v, blobs) for k, v in value[tag].items()}
        if tag == Tag.HANDLE:
            return Handle(self, int(value[tag]), str(value.get("type", "object"))[:100])
        if tag == Tag.OPAQUE:
            return Opaque(str(value[tag])[:100], str(value.get("repr", ""))[:200])
        raise wire.ProtocolError(f"unexpected tag {tag!r} from the worker")


def _is_tensor(value) -> bool:
    return isinstance(value, np.ndarray) or hasattr(value, "numpy")


def tf_nest_flatten(value) -> list:
    """The leaves of nested lists, tuples and dicts, in order (as tf.nest flattens a function's arguments)."""
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in tf_nest_flatten(item)]
    if isinstance(value, dict):
        return [leaf for key in sorted(value) for leaf in tf_nest_flatten(value[key])]
    return [value]


def _rebuild(structure, outputs: list):
    """A traced function's result: its output structure (lists and tuples) with each {Tag.OUTPUT: i}
    replaced by output i. Anything else in it is a value the graph does not compute: refused."""
    if isinstance(structure, (list, tuple)):
        return type(structure)(_rebuild(item, outputs) for item in structure)
    if isinstance(structure, dict) and set(structure) == {Tag.OUTPUT} and type(structure[Tag.OUTPUT]) is int \
            and 0 <= structure[Tag.OUTPUT] < len(outputs):
        return outputs[structure[Tag.OUTPUT]]
    raise ValueError("its result holds a value its graph does not compute (a derivation by hand returns tensors "
                     "computed from its arguments)")


def _zeros(value):
    """`value` with each tensor in it replaced by zeros of its shape and dtype."""
    if isinstance(value, (list, tuple)):
        return type(value)(_zeros(item) for item in value)
    if isinstance(value, dict):
        return {key: _zeros(item) for key, item in value.items()}
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        import tensorflow as tf

        return tf.zeros_like(value)
    return value

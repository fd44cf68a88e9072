"""The worker's side of the wire: imports a submission's package and answers the trusted side's
requests against it, one at a time (the operations are wire.Op). Runs in the untrusted process,
forked from the zygote (zygote.py)."""

import importlib
import os
import sys
import traceback

from grader.isolation import wire
from grader.isolation.wire import Op, ProtocolError, Tag, read_frame, write_frame
from grader.isolation.worker import codec, harness, tamper
from grader.scoring import judges  # public (students have a copy): how a derivation by hand is traced


THIS = sys.modules[__name__]  # this module, held before any student code runs (sys.modules can be swapped)


class MissingName(Exception):
    """The submission lacks a module, function or attribute the grader asked for."""


class Dispatcher:
    """Answers requests against one submission package (e.g. "submission", "exercises")."""

    OWN = ("package", "values", "originals", "substituted")  # its instance attributes
    OWN_VALUES = ("package", "function", "handles", "next_handle")  # those of its codec

    def __init__(self, package: str):
        self.package = package
        self.values = codec.Values(package, self.function)
        self.originals = None
        self.substituted = set()  # the tasks whose function is the grader's here

    def module(self, name: str):
        if self.originals is None:
            importlib.import_module(self.package)  # the kit's own __init__: loads TensorFlow
            self.originals = self.snapshot()
        try:
            return importlib.import_module(f"{self.package}.{name}")
        except ModuleNotFoundError as error:
            if error.name == f"{self.package}.{name}":
                raise MissingName(f"your submission has no {name}.py") from None
            raise

    def resolve(self, path: str):
        module, *attributes = path.split(".")
        value = self.module(module)
        for depth, attribute in enumerate(attributes):
            try:
                value = getattr(value, attribute)
            except AttributeError:
                where = ".".join([module, *attributes[:depth]])
                raise MissingName(f"{where} has no {attribute}") from None
        return value

    def substitute(self, entries: list) -> None:
        """Put the grader's function of each task (its source, compiled in the submission's module, so
        that it uses the submission's helpers and tasks) in place of the submission's, wherever the
        submission's modules hold it. Only a worker that is ended after one check gets this."""
        import textwrap

        for entry in entries:
            if entry["task"] in self.substituted:
                continue
            module = self.module(entry["module"])
            *classes, name = entry["qualname"].split(".")
            owner = self.resolve(".".join([entry["module"], *classes])) if classes else module
            space = {}
            exec(compile(textwrap.dedent(entry["source"]), f"<the grader's {entry['task']}>", "exec"),  # noqa: S102
                 module.__dict__, space)
            original = vars(owner).get(name)
            setattr(owner, name, space[name])
            for loaded in [m for key, m in list(sys.modules.items()) if key.startswith(f"{self.package}.")]:
                for attribute, value in list(vars(loaded).items()):
                    if original is not None and value is original:  # `from .training import loss` elsewhere
                        setattr(loaded, attribute, space[name])
            self.substituted.add(entry["task"])

    @staticmethod
    def snapshot() -> dict:
        return tamper.snapshot({"wire": wire, "codec": codec, "dispatch": THIS, "harness": harness, "judges": judges})

    def tampered(self) -> list:
        """Watched names that student code has replaced since the submission's package loaded."""
        if self.originals is None:
            return []
        now = self.snapshot()
        added = sorted([f"worker.Dispatcher.{name}" for name in vars(self) if name not in self.OWN] +
                       [f"worker.Values.{name}" for name in vars(self.values) if name not in self.OWN_VALUES])
        return sorted(name for name, ident in self.originals.items() if now.get(name) != ident) + added

    def function(self, name: str):
        """A function named by the trusted side (Tag.FN): the submission's, compiled or not, or the
        harness's (`warped:<name>:<factor>`: a derivative handed to a task, see judges.warped)."""
        import tensorflow as tf

        if name.startswith("compiled:"):  # a function of the submission, run inside tf.function
            return tf.function(self.function(name[len("compiled:"):]))
        if name.startswith("student:"):
            return self.resolve(name[len("student:"):])
        kind, _, argument = name.partition(":")
        if kind == "warped":
            base, _, factor = argument.rpartition(":")
            return judges.warped(self.function(base), float(factor), judges.WARPED_AT.get(base, 0))
        if kind == "recording":  # recording:<function of the submission>:<argument>,<argument>…
            path, _, names = argument.partition(":")
            return harness.Recording(self.resolve(path), tuple(names.split(",")))
        if kind == "marked_step":
            return harness.marked_step(float(argument))
        if name in ("frozen_step", "order_step", "softmax_cross_entropy", "probability_squared_error", "softmax_step", "cost_partial", "chain_partials"):
            return getattr(harness, name)
        if name == "tracing_step":  # a fresh one for every call: it counts its traces
            return harness.tracing_step()
        if name == "tanh_activation":
            return harness.TanhActivation()
        if name == "escalating_optimizer":
            return harness.EscalatingOptimizer
        return {"sigmoid": tf.sigmoid, "relu": tf.nn.relu, "identity": tf.identity, "tanh": tf.tanh,
                "sigmoid_prime": lambda z: tf.sigmoid(z) * (1 - tf.sigmoid(z)),
                "relu_prime": lambda z: tf.cast(z > 0, z.dtype), "tanh_prime": lambda z: 1 - tf.tanh(z) ** 2}[name]

    def graph(self, request, args, kwargs) -> dict:
        """The graph a function of the submission traces to for these arguments (as a derivation by
        hand is traced: judges.spec_of), or a compiled handle's for arrays of these shapes (none: its
        input signature's); with what running it needs. Nothing of it is run here."""
        import numpy as np
        import tensorflow as tf

        if "handle" in request:
            specs = [tf.TensorSpec(np.shape(a), tf.as_dtype(np.asarray(a).dtype)) for a in args]
            concrete = self.values.handles[request["handle"]].get_concrete_function(*specs)
        else:
            concrete = judges.traced(self.resolve(request["path"]), args, kwargs)
        outputs = {t.name: i for i, t in enumerate(concrete.outputs)}

        def structure(value):  # the outputs' nesting, each tensor standing as {Tag.OUTPUT: its index}
            if isinstance(value, (list, tuple)):
                return type(value)(structure(v) for v in value)
            return {Tag.OUTPUT: outputs[value.name]} if tf.is_tensor(value) and value.name in outputs else value

        captured = [c for c in concrete.captured_inputs]
        data = np.frombuffer(concrete.graph.as_graph_def().SerializeToString(), np.uint8)
        return {"graph": data, "inputs": [t.name for t in concrete.inputs], "outputs": [t.name for t in concrete.outputs],
                "captured": [c for c in captured if c.dtype != tf.resource], "variables": sum(c.dtype == tf.resource for c in captured),
                "structure": structure(concrete.structured_outputs)}

    @staticmethod
    def run_graph(graph, inputs: list[str], outputs: list[str], values: list):
        """Run a serialized graph (checked by the trusted side first) on `values` for its `inputs`."""
        import tensorflow as tf

        import numpy as np

        graph_def = tf.compat.v1.GraphDef.FromString(bytes(graph))

        def body(*tensors):  # the graph with `values` in place of its inputs (half the time of a prune)
            return tf.compat.v1.import_graph_def(graph_def, input_map=dict(zip(inputs, tensors)),
                                                 return_elements=outputs, name="")

        values = [np.asarray(v) for v in values]
        run = tf.compat.v1.wrap_function(body, [tf.TensorSpec(v.shape, tf.as_dtype(v.dtype)) for v in values])
        return [t.numpy() for t in run(*[tf.constant(v) for v in values])]

    def handle(self, request, blobs):
        """The reply to one request: {"value": …} or {"error": …}, with the blobs it uses."""
        op, handles = request["op"], self.values.handles
        args = self.values.decode(request.get("args", []), blobs)
        kwargs = {k: self.values.decode(v, blobs) for k, v in request.get("kwargs", {}).items()}
        if op == Op.CALL:
            function = self.resolve(request["path"])
            module = self.resolve(request["path"].split(".")[0])
            patches = {name: self.values.decode(value, blobs) for name, value in request.get("patch", {}).items()}
            saved = {name: getattr(module, name, None) for name in patches}
            for name, value in patches.items():  # e.g. the derivative a task is to use, handed in scaled
                setattr(module, name, value)
            try:
                result = function(*args, **kwargs)
            finally:
                for name, value in saved.items():
                    setattr(module, name, value)
        elif op == Op.HANDLE_CALL:
            result = handles[request["handle"]](*args, **kwargs)
        elif op == Op.HANDLE_GET:
            result = getattr(handles[request["handle"]], request["name"])
        elif op == Op.HANDLE_METHOD:
            result = getattr(handles[request["handle"]], request["name"])(*args, **kwargs)
        elif op == Op.IMPORT:
            result = self.module(request["path"]) and None
        elif op == Op.BUILD:  # an object made by the harness from the arguments, e.g. a $model
            result = args[0]
        elif op == Op.GRAPH:
            result = self.graph(request, args, kwargs)
        elif op == Op.RUN_GRAPH:
            result = self.run_graph(*args)
        elif op == Op.PING:
            result = os.getpid()
        elif op == Op.SUBSTITUTE:
            result = self.substitute(request["entries"])
        else:
            raise ProtocolError(f"unknown op {op}")
        out = []
        return {"value": self.values.encode(result, out)}, out

    def answer(self, request, blobs):
        """Like `handle`, but a student's exception becomes an error reply; either says which
        watched names student code has replaced, if any."""
        try:
            reply, out = self.handle(request, blobs)
        except ProtocolError:
            raise
        except BaseException as error:  # noqa: BLE001  (the student's code may raise anything, SystemExit included)
            reply, out = {"error": describe(error, self.package)}, []
        tampered = self.tampered()
        if tampered:
            reply["tampered"] = tampered
        return reply, out


def describe(error: BaseException, package: str) -> dict:
    """type, message and the student's line an exception came from, as plain strings."""
    where = ""
    for frame in traceback.extract_tb(error.__traceback__):
        if f"{os.sep}{package}{os.sep}" in frame.filename or frame.filename.endswith(f"{package}.py"):
            where = f"{os.path.basename(frame.filename)}:{frame.lineno}: {(frame.line or '').strip()}"
    try:
        message = str(error)
    except Exception:  # noqa: BLE001  (a message that cannot be made)
        message = "?"
    return {"type": type(error).__name__, "message": message[:2000], "where": where[:300]}


def serve(package: str) -> None:
    """Answer requests on the original stdout until the channel closes.

    fds 1 and 2 are moved to log files first, so nothing a student prints reaches the channel."""
    channel_in = os.fdopen(os.dup(0), "rb")
    channel_out = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    for fd, name in ((1, "stdout.log"), (2, "stderr.log")):
        log = os.open(os.path.join(os.environ.get("TMPDIR", "."), name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(log, fd)
    dispatcher, owner = Dispatcher(package), os.getpid()
    while True:
        try:
            request, blobs = read_frame(channel_in)
        except EOFError:
            return
        reply, out = dispatcher.answer(request, blobs)
        if os.getpid() != owner:  # a process the student's code forked: it never speaks on the channel
            os._exit(0)
        write_frame(channel_out, {**reply, "id": request.get("id")}, out)

"""The worker's side of the wire: imports a submission's package and answers the trusted side's
requests against it, one at a time (the operations are wire.Op). Runs in the untrusted process,
forked from the zygote (zygote.py)."""

import contextlib
import importlib
import os
import sys
import traceback

from grader.isolation import wire
from grader.isolation.wire import Op, ProtocolError, read_frame, write_frame
from grader.isolation.worker import codec, harness, tamper
from grader.scoring import judges  # public (students have a copy): its no_autodiff guards the tasks derived by hand


THIS = sys.modules[__name__]  # this module, held before any student code runs (sys.modules can be swapped)


class MissingName(Exception):
    """The submission lacks a module, function or attribute the grader asked for."""


class Dispatcher:
    """Answers requests against one submission package (e.g. "submission", "exercises")."""

    OWN = ("package", "values", "originals", "trace_record")  # its instance attributes
    OWN_VALUES = ("package", "function", "handles", "next_handle")  # those of its codec

    def __init__(self, package: str):
        self.package = package
        self.values = codec.Values(package, self.function)
        self.originals = None
        self.trace_record = None

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
        """A function named by the trusted side (Tag.FN): the submission's, compiled or not, or the harness's."""
        import tensorflow as tf

        if name.startswith("compiled:"):  # a function of the submission, run inside tf.function
            return tf.function(self.function(name[len("compiled:"):]))
        if name.startswith("student:"):
            return self.resolve(name[len("student:"):])
        if name == "traced_step":
            self.trace_record = harness.TraceRecord()
            return harness.traced_step(self.trace_record)
        if name in ("frozen_step", "order_step", "softmax_cross_entropy", "softmax_step"):
            return getattr(harness, name)
        if name == "escalating_optimizer":
            return harness.EscalatingOptimizer
        return {"sigmoid": tf.sigmoid, "relu": tf.nn.relu, "identity": tf.identity, "tanh": tf.tanh,
                "sigmoid_prime": lambda z: tf.sigmoid(z) * (1 - tf.sigmoid(z)),
                "relu_prime": lambda z: tf.cast(z > 0, z.dtype), "tanh_prime": lambda z: 1 - tf.tanh(z) ** 2}[name]

    def handle(self, request, blobs):
        """The reply to one request: {"value": …} or {"error": …}, with the blobs it uses."""
        op, handles = request["op"], self.values.handles
        args = self.values.decode(request.get("args", []), blobs)
        kwargs = {k: self.values.decode(v, blobs) for k, v in request.get("kwargs", {}).items()}
        if op == Op.CALL:
            function = self.resolve(request["path"])
            # the judges' guard, loaded before any student code (a watched name)
            guard = judges.no_autodiff if request.get("by_hand") else None
            with guard(request["path"]) if guard else contextlib.nullcontext():
                result = function(*args, **kwargs)
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
        elif op == Op.TRACE_RECORD:
            record = self.trace_record or harness.TraceRecord()
            result = [int(record.traces), int(record.eager), int(record.runs)]
        elif op == Op.PING:
            result = os.getpid()
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

"""The worker: imports a student's submission and answers calls from the trusted grader.

This module runs in the untrusted process (forked from grader/zygote.py), so it imports nothing
else from the kit. Messages travel over the worker's stdin/stdout as frames of
JSON plus raw array blobs (never pickle), in both directions:

    u32 JSON length | JSON | u32 blob count | (u64 length | blob) per blob
    blob: u8 n | dtype (numpy's str, n bytes: plain numbers, native byte order) | u8 ndim | u64 per dimension | data

Every request carries an "id" and its one reply repeats it; the trusted side treats a reply with
another id, or a frame nobody asked for, as a protocol violation of the call in progress.

Values are plain JSON, or tagged objects: {"$array": i} (blob i, a numpy array), {"$tensor": i}
(the same, handed to student code as a tf.constant), {"$tuple": [...]}, {"$dict": {...}},
{"$handle": id} (an object kept in the worker: a model, a compiled function, an instance of a class
the submission defines), {"$fn": name} (a
named activation, "student:module.attr", or "compiled:student:module.attr" for that function inside
tf.function), {"$dataset": {...}} (a batched tf.data.Dataset built
here), and {"$opaque": type, "repr": text} for anything else a student returns.
"""

import contextlib
import functools
import importlib
import json
import os
import struct
import sys
import traceback

MAX_JSON = 16 * 2**20
MAX_BLOBS = 64
MAX_BLOB = 512 * 2**20
MAX_DEPTH = 20
MAX_ITEMS = 100_000
NUMERIC_KINDS = "biuf"


class ProtocolError(Exception):
    """A frame that breaks the protocol's format or limits."""


class MissingName(Exception):
    """The submission lacks a module, function or attribute the grader asked for."""


WATCHED = ("numpy.allclose", "numpy.array_equal", "numpy.isclose", "numpy.asarray", "numpy.array", "numpy.save",
           "numpy.testing.assert_allclose", "tensorflow.GradientTape", "tensorflow.debugging.assert_near",
           "tensorflow.function", "tensorflow.executing_eagerly",
           "builtins.isinstance", "builtins.abs", "builtins.float", "builtins.AssertionError", "math.isclose",
           "json.dumps", "exercises.selfcheck.no_autodiff", "worker.write_frame", "worker.array_to_blob", "worker.Dispatcher.encode", "worker.traced_step", "worker.frozen_step",
           "worker.TraceRecord", "worker.Dispatcher.handle")


def snapshot() -> dict:
    """id() of every watched name that is loaded, to tell later whether student code replaced it."""
    ids = {}
    for name in WATCHED:
        module, *attributes = name.split(".")
        if module == "worker":  # this module, through its own namespace (not sys.modules, which code can swap)
            value = globals().get(attributes.pop(0))
        else:
            value = sys.modules.get(module)
        for attribute in attributes:
            value = getattr(value, attribute, None)
        if value is not None:
            ids[name] = id(value)
    return ids


def _read_exact(stream, size: int) -> bytearray:
    """`size` bytes into a buffer of their own (an array read from a blob is then a view of it, not a
    copy); `stream.readinto` may return fewer bytes than asked, 0 (or None) at the end."""
    data = bytearray(size)
    view, got = memoryview(data), 0
    while got < size:
        count = stream.readinto(view[got:])
        if not count:
            raise EOFError("the other side closed the channel")
        got += count
    return data


def write_frame(stream, header, blobs) -> None:
    body = json.dumps(header).encode()
    stream.write(struct.pack("<I", len(body)) + body + struct.pack("<I", len(blobs)))
    for blob in blobs:  # written one by one: a frame of MNIST is never copied whole
        stream.write(struct.pack("<Q", memoryview(blob).nbytes))
        stream.write(blob)
    stream.flush()


def read_frame(stream, max_total: int = MAX_BLOBS * MAX_BLOB):
    """(header, blobs) of the next frame; sizes are checked before anything is allocated, and the
    whole frame may hold at most max_total bytes."""
    (size,) = struct.unpack("<I", _read_exact(stream, 4))
    if size > min(MAX_JSON, max_total):
        raise ProtocolError(f"header of {size} bytes")
    header = json.loads(_read_exact(stream, size))
    (count,) = struct.unpack("<I", _read_exact(stream, 4))
    if count > MAX_BLOBS:
        raise ProtocolError(f"{count} blobs")
    blobs, total = [], size
    for _ in range(count):
        (length,) = struct.unpack("<Q", _read_exact(stream, 8))
        total += length
        if length > MAX_BLOB or total > max_total:
            raise ProtocolError(f"a frame of more than {max_total} bytes")
        blobs.append(_read_exact(stream, length))
    return header, blobs


@functools.cache
def _plain_dtypes() -> dict:
    """numpy's dtype strings of plain numbers (bool, integers, floats) in native byte order."""
    import numpy as np

    return {np.dtype(code).str: np.dtype(code) for code in "?bhilqpBHILQPefdg"}


def array_to_blob(array) -> bytearray:
    """A numeric array as a blob (see the module's docstring), its data copied once; a header of a
    few bytes, not npy's Python-literal header, which costs a `compile` to read."""
    import numpy as np

    array = np.asarray(array)
    array = np.asarray(array, array.dtype.newbyteorder("="), order="C")
    kind = array.dtype.str.encode()
    header = struct.pack(f"<B{len(kind)}sB{array.ndim}Q", len(kind), kind, array.ndim, *array.shape)
    blob = bytearray(len(header) + array.nbytes)
    blob[:len(header)] = header
    memoryview(blob)[len(header):] = array.reshape(-1).view(np.uint8)
    return blob


def blob_to_array(blob):
    """A numpy array from a blob; only plain numeric dtypes, and the data must fill the shape exactly.
    From a bytearray (as blobs are read) the array is a view of it, else a copy."""
    import numpy as np

    try:
        size = blob[0]
        dtype = _plain_dtypes()[bytes(blob[1:1 + size]).decode("ascii")]
        ndim = blob[1 + size]
        shape = struct.unpack_from(f"<{ndim}Q", blob, 2 + size)
        offset, count = 2 + size + 8 * ndim, 1
        for n in shape:
            count *= n
        if count * dtype.itemsize != len(blob) - offset:
            raise ValueError(f"{len(blob) - offset} bytes of data for shape {shape}")
        array = np.frombuffer(blob, dtype, count, offset).reshape(shape)
        return array if array.flags.writeable else array.copy()
    except (IndexError, KeyError, UnicodeDecodeError, struct.error, ValueError) as error:
        raise ProtocolError(f"not a plain numeric array ({type(error).__name__}: {error})") from None


def batched(x, y, batch_size: int, seed=None):
    """(x, y) as a tf.data.Dataset of batches, reshuffled every epoch when a seed is given; the
    same batches on both sides of the channel for the same seed. A global seed changes what an
    op's seed draws, and correct student code sets one (keras.utils.set_random_seed): it is
    cleared first, so that the shuffle depends on `seed` alone."""
    import tensorflow as tf

    tf.random.set_seed(None)
    dataset = tf.data.Dataset.from_tensor_slices((x, y))
    if seed is not None:
        dataset = dataset.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size)


def harness_mlp(weights, biases, gain: bool = False, logits: bool = False):
    """The grader's own sigmoid MLP (float32 variables `weights`, `biases`), so that a test of
    `train` or of the training loop depends on nothing else the student wrote. `gain`: one more
    trainable variable, `gain` (1.0), scales the last layer's input to the sigmoid, so that a step
    that updates only `weights` and `biases` misses one of the model's trainable variables.
    `logits`: the workshop's network instead: ReLU hidden layers, an output layer without activation."""
    import tensorflow as tf

    class HarnessMLP(tf.Module):
        def __init__(self):
            super().__init__(name="HarnessMLP")
            self.weights = [tf.Variable(w, dtype=tf.float32) for w in weights]
            self.biases = [tf.Variable(b, dtype=tf.float32) for b in biases]
            if gain:
                self.gain = tf.Variable(1.0)

        def __call__(self, x):
            x = tf.convert_to_tensor(x, dtype=tf.float32)
            for w, b in zip(self.weights, self.biases):
                z = x @ w + b
                last = w is self.weights[-1]
                z = self.gain * z if gain and last else z
                x = (z if last else tf.nn.relu(z)) if logits else tf.sigmoid(z)
            return x

    return HarnessMLP()


def harness_keras(weights, dropout: float, learning_rate):
    """The grader's own Keras model of exercise 10 (see grader.student.KerasModel)."""
    import keras

    layers = [keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(len(weights[1]), activation="relu")]
    layers += [keras.layers.Dropout(dropout)] if dropout else []
    model = keras.Sequential([*layers, keras.layers.Dense(10, activation="softmax")])
    model.set_weights(weights)
    if learning_rate is not None:
        model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
    return model


class TraceRecord:
    """How the harness's traced step was run: `traces` times Python ran its body (under tf.function
    only to trace it), `eager` of those outside a graph, `runs` times the step ran at all (a
    py_function inside it runs on every call, compiled or not). Kept by the Dispatcher and read by
    the trusted side with the `trace_record` op: it never travels through the student's code, and
    nothing public leads from the step to it."""

    def __init__(self):
        self.traces = self.eager = self.runs = 0


def traced_step(record: TraceRecord):
    """A training step that records how it is run (see TraceRecord); it returns the model's mean
    squared error on the batch and updates nothing."""
    import tensorflow as tf

    def ran():
        record.runs += 1
        return 0.0

    def step(model, x_batch, y_batch, learning_rate):
        record.traces += 1
        record.eager += bool(tf.executing_eagerly())
        marker = tf.py_function(ran, [], tf.float32)
        return tf.reduce_mean(tf.square(model(x_batch) - y_batch)) + 0.0 * marker

    return step


def frozen_step(model, x_batch, y_batch, learning_rate):
    """A training step that trains nothing: the model's mean squared error on the batch."""
    import tensorflow as tf

    return tf.reduce_mean(tf.square(model(x_batch) - y_batch))


def order_step(model, x_batch, y_batch, learning_rate):
    """A step whose effect depends on the order of the batches, not on the student's code: it halves
    the last bias and adds ten times the batch's mean pixel (which differs from batch to batch) to
    it. Returns 0."""
    import tensorflow as tf

    bias = model.biases[-1]
    bias.assign(bias * 0.5 + 10.0 * tf.reduce_mean(x_batch))
    return tf.constant(0.0)


def softmax_cross_entropy(logits, y):
    """The mean softmax cross-entropy of a batch, TensorFlow's own (a loss that is not the student's)."""
    import tensorflow as tf

    return tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))


def softmax_step(model, x_batch, y_batch, learning_rate, loss):
    """One step of gradient descent on `loss` (a step that is not the student's); returns the loss."""
    import tensorflow as tf

    with tf.GradientTape() as tape:
        value = loss(model(x_batch), y_batch)
    for variable, gradient in zip(model.trainable_variables, tape.gradient(value, model.trainable_variables)):
        variable.assign_sub(learning_rate * gradient)
    return value


class EscalatingOptimizer:
    """An optimizer for one parameter whose t-th change is learning_rate · t · gradient: its result
    shows whether each parameter has its own optimizer, made once and used every step."""

    def __init__(self, learning_rate):
        self.learning_rate, self.t = learning_rate, 0

    def change(self, gradient):
        self.t += 1
        return self.learning_rate * self.t * gradient


class HarnessFactory:
    """Builds a fresh harness MLP with the same initial parameters at every call; counts them."""

    def __init__(self, weights, biases):
        self.weights, self.biases, self.builds = weights, biases, 0

    def __call__(self):
        self.builds += 1
        return harness_mlp(self.weights, self.biases)


# --- the worker side --------------------------------------------------------------------------


class Dispatcher:
    """Answers requests against one submission package (e.g. "submission", "exercises")."""

    OWN = ("package", "handles", "next_handle", "originals", "trace_record")  # its instance attributes

    def __init__(self, package: str):
        self.package = package
        self.handles = {}
        self.next_handle = 1
        self.originals = None
        self.trace_record = None

    def module(self, name: str):
        if self.originals is None:
            importlib.import_module(self.package)  # the kit's own __init__: loads TensorFlow
            self.originals = snapshot()
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

    def tampered(self) -> list:
        """Watched names that student code has replaced since the submission's package loaded."""
        if self.originals is None:
            return []
        now = snapshot()
        added = sorted(f"worker.Dispatcher.{name}" for name in vars(self) if name not in self.OWN)
        return sorted(name for name, ident in self.originals.items() if now.get(name) != ident) + added

    # values from the trusted side into student code
    def decode(self, value, blobs):
        if isinstance(value, list):
            return [self.decode(v, blobs) for v in value]
        if not isinstance(value, dict):
            return value
        (tag, content), = value.items()
        if tag == "$array":
            return blob_to_array(blobs[content])
        if tag == "$tensor":
            import tensorflow as tf

            return tf.constant(blob_to_array(blobs[content]))
        if tag == "$tuple":
            return tuple(self.decode(v, blobs) for v in content)
        if tag == "$dict":
            return {k: self.decode(v, blobs) for k, v in content.items()}
        if tag == "$handle":
            return self.handles[content]
        if tag == "$fn":
            return self.function(content)
        if tag == "$dataset":
            x, y = (blob_to_array(blobs[content[k]["$array"]]) for k in ("x", "y"))
            return batched(x, y, content["batch_size"], content["seed"])
        if tag == "$keras":
            rate = content["learning_rate"]
            return harness_keras([blob_to_array(blobs[a["$array"]]) for a in content["weights"]],
                                 float(content["dropout"]), None if rate is None else float(rate))
        if tag in ("$model", "$factory"):
            weights, biases = ([blob_to_array(blobs[a["$array"]]) for a in content[k]] for k in ("weights", "biases"))
            return harness_mlp(weights, biases, content.get("gain") is True, content.get("logits") is True) \
                if tag == "$model" else \
                HarnessFactory(weights, biases)
        raise ProtocolError(f"unknown tag {tag}")

    def function(self, name: str):
        import tensorflow as tf

        if name.startswith("compiled:"):  # a function of the submission, run inside tf.function
            return tf.function(self.function(name[len("compiled:"):]))
        if name.startswith("student:"):
            return self.resolve(name[len("student:"):])
        if name == "traced_step":
            self.trace_record = TraceRecord()
            return traced_step(self.trace_record)
        if name == "frozen_step":
            return frozen_step
        if name == "order_step":
            return order_step
        if name == "escalating_optimizer":
            return EscalatingOptimizer
        if name in ("softmax_cross_entropy", "softmax_step"):
            return {"softmax_cross_entropy": softmax_cross_entropy, "softmax_step": softmax_step}[name]
        return {"sigmoid": tf.sigmoid, "relu": tf.nn.relu, "identity": tf.identity, "tanh": tf.tanh,
                "sigmoid_prime": lambda z: tf.sigmoid(z) * (1 - tf.sigmoid(z)),
                "relu_prime": lambda z: tf.cast(z > 0, z.dtype), "tanh_prime": lambda z: 1 - tf.tanh(z) ** 2}[name]

    # values from student code back to the trusted side: plain data only
    def encode(self, value, blobs, depth=0):
        if depth > MAX_DEPTH:
            return {"$opaque": "nesting too deep", "repr": ""}
        if value is None or type(value) in (bool, int, float, str):
            return value
        if isinstance(value, int):
            return int.__int__(value)
        if isinstance(value, float):
            return float.__float__(value)
        if isinstance(value, (list, tuple)) and len(value) <= MAX_ITEMS:
            items = [self.encode(v, blobs, depth + 1) for v in value]
            return items if isinstance(value, list) else {"$tuple": items}
        if isinstance(value, dict) and len(value) <= MAX_ITEMS:
            return {"$dict": {str(k): self.encode(v, blobs, depth + 1) for k, v in value.items()}}
        array = self.as_numbers(value)
        if array is not None:
            blobs.append(array_to_blob(array))
            return {"$array": len(blobs) - 1}
        if callable(value) and not isinstance(value, type) or self.is_module(value) or self.is_own(value):
            self.handles[self.next_handle] = value
            self.next_handle += 1
            return {"$handle": self.next_handle - 1, "type": type(value).__name__}
        return {"$opaque": type(value).__name__, "repr": self.safe_repr(value)}

    def is_own(self, value) -> bool:
        """An instance of a class the submission defines (e.g. an optimizer): kept here."""
        return not isinstance(value, type) and str(type(value).__module__).startswith(f"{self.package}.")

    @staticmethod
    def is_module(value) -> bool:
        """A TensorFlow module, or a Keras layer, model or optimizer: kept here."""
        tf, keras = sys.modules.get("tensorflow"), sys.modules.get("keras")
        return tf is not None and isinstance(value, tf.Module) or \
            keras is not None and isinstance(value, (keras.Layer, keras.optimizers.Optimizer))

    @staticmethod
    def as_numbers(value):
        """A plain numeric ndarray for numpy and TensorFlow values, else None."""
        import numpy as np

        tf, keras = sys.modules.get("tensorflow"), sys.modules.get("keras")
        if tf is not None and isinstance(value, (tf.Tensor, tf.Variable)) or \
                keras is not None and isinstance(value, keras.Variable):
            value = value.numpy()
        if isinstance(value, (np.ndarray, np.generic)):
            array = np.array(value).view(np.ndarray) if isinstance(value, np.ndarray) else np.asarray(value)
            return array if array.dtype.kind in NUMERIC_KINDS else None
        return None

    @staticmethod
    def safe_repr(value) -> str:
        try:
            return str(object.__repr__(value))[:200]
        except Exception:
            return "?"

    def handle(self, request, blobs):
        """The reply to one request: {"value": …} or {"error": …}, with the blobs it uses."""
        op = request["op"]
        args = self.decode(request.get("args", []), blobs)
        kwargs = {k: self.decode(v, blobs) for k, v in request.get("kwargs", {}).items()}
        if op == "call":
            function = self.resolve(request["path"])
            # the guard of exercises/selfcheck.py (loaded before any student code; a watched name)
            guard = sys.modules["exercises"].selfcheck.no_autodiff if request.get("by_hand") else None
            with guard(request["path"]) if guard else contextlib.nullcontext():
                result = function(*args, **kwargs)
        elif op == "handle_call":
            result = self.handles[request["handle"]](*args, **kwargs)
        elif op == "handle_get":
            result = getattr(self.handles[request["handle"]], request["name"])
        elif op == "handle_method":
            result = getattr(self.handles[request["handle"]], request["name"])(*args, **kwargs)
        elif op == "import":
            result = self.module(request["path"]) and None
        elif op == "build":  # an object made by the harness from the arguments, e.g. a $model
            result = args[0]
        elif op == "trace_record":
            record = self.trace_record or TraceRecord()
            result = [int(record.traces), int(record.eager), int(record.runs)]
        elif op == "ping":
            result = os.getpid()
        else:
            raise ProtocolError(f"unknown op {op}")
        out = []
        return {"value": self.encode(result, out)}, out

    def answer(self, request, blobs):
        """Like `handle`, but a student's exception becomes an error reply; either says which
        watched names student code has replaced, if any."""
        try:
            reply, out = self.handle(request, blobs)
        except ProtocolError:
            raise
        except BaseException as error:  # the student's code may raise anything, SystemExit included
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
    except Exception:
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

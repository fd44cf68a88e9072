"""The wire between the trusted side and a worker, both directions, declared once: frames of JSON
plus raw array blobs (never pickle), the tags of values and the operations a request names.

    frame: u32 JSON length | JSON | u32 blob count | (u64 length | blob) per blob
    blob:  u8 n | dtype (numpy's str, n bytes: plain numbers, native byte order) | u8 ndim | u64 per dimension | data

Every request carries an "id" and its one reply repeats it; the trusted side treats a reply with
another id, or a frame nobody asked for, as a protocol violation of the call in progress. A value
is plain JSON or a tagged object {TAG: content} (see `Tag`). Imported by the worker: no other
module of the kit's.
"""

import functools
import json
import struct

MAX_JSON = 4 * 2**20  # the JSON of one frame (an honest one: a few KiB)
MAX_BLOBS = 64
MAX_BLOB = 512 * 2**20
MAX_DEPTH = 20
MAX_ITEMS = 100_000
NUMERIC_KINDS = "biuf"


class Tag:
    """How a value that is not plain JSON crosses the wire."""

    ARRAY = "$array"  # blob i: a numpy array
    TENSOR = "$tensor"  # the same, handed to student code as a tf.constant
    TUPLE = "$tuple"
    DICT = "$dict"
    HANDLE = "$handle"  # an object kept in the worker (a model, a compiled function, an instance of the submission's)
    FN = "$fn"  # a named function: a harness one, "student:module.attr", or "compiled:student:module.attr"
    DATASET = "$dataset"  # a batched tf.data.Dataset built in the worker from two arrays
    MODEL = "$model"  # the grader's sigmoid MLP (harness_mlp) from its parameters
    FACTORY = "$factory"  # a function building fresh harness MLPs from the same parameters
    KERAS = "$keras"  # the grader's Keras model of exercise 10 (harness_keras)
    OPAQUE = "$opaque"  # anything else a student returned: its type's name and a short repr
    OUTPUT = "$output"  # in a traced graph's output structure: its i-th output tensor


class Op:
    """What a request asks the worker to do."""

    CALL = "call"  # call a name of the submission ("patch": module attributes replaced during the call)
    HANDLE_CALL = "handle_call"
    HANDLE_GET = "handle_get"
    HANDLE_METHOD = "handle_method"
    IMPORT = "import"  # import a module of the submission
    BUILD = "build"  # make an object from the arguments (a $model, a $fn) and keep it as a handle
    GRAPH = "graph"  # trace a name of the submission (or a compiled handle) into a TensorFlow graph
    RUN_GRAPH = "run_graph"  # run a graph on arrays (in a judge worker, which never runs student code)
    PING = "ping"
    SUBSTITUTE = "substitute"  # put the grader's function of a task in place of the submission's (a rerun's worker)


class ProtocolError(Exception):
    """A frame that breaks the protocol's format or limits."""


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



"""The worker protocol: plain data crosses intact, nothing else crosses at all."""

import io
import json
import struct

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from grader.isolation import wire
from grader.isolation.sandbox import WorkerLost
from grader.isolation.worker.dispatch import Dispatcher
from grader.scoring.student import Opaque, Student

plain = st.recursive(
    st.none() | st.booleans() | st.integers(-2**53, 2**53) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20)
arrays = hnp.arrays(st.sampled_from([np.float32, np.float64, np.int64, np.uint8, np.bool_]),
                    hnp.array_shapes(min_dims=0, max_dims=3, max_side=4))


def roundtrip(value):
    """What the trusted side gets back when student code returns `value`."""
    dispatcher, blobs = Dispatcher("solutions"), []
    header = {"value": dispatcher.values.encode(value, blobs)}
    stream = io.BytesIO()
    wire.write_frame(stream, header, blobs)
    stream.seek(0)
    reply, reply_blobs = wire.read_frame(stream)
    return Student(None)._decode(reply["value"], reply_blobs)


@settings(max_examples=60, deadline=None)
@given(plain)
def test_plain_values_cross_unchanged(value):
    assert roundtrip(value) == value


@settings(max_examples=60, deadline=None)
@given(arrays)
def test_arrays_cross_with_shape_dtype_and_values(array):
    got = roundtrip(array)
    assert type(got) is np.ndarray and got.dtype == array.dtype and got.shape == array.shape
    assert got.flags.writeable  # code may change what it is given in place
    assert np.array_equal(got, array, equal_nan=array.dtype.kind == "f")


def test_lying_objects_arrive_as_plain_values_or_opaque():
    class LyingFloat(float):
        def __eq__(self, other):
            return True

    class LyingArray(np.ndarray):
        def __eq__(self, other):
            return True

    class Liar:
        def __eq__(self, other):
            return True

    assert type(roundtrip(LyingFloat(2.5))) is float and roundtrip(LyingFloat(2.5)) != 3.0
    got = roundtrip(np.zeros(3).view(LyingArray))
    assert type(got) is np.ndarray and not np.array_equal(got, np.ones(3))
    assert isinstance(roundtrip(Liar()), Opaque)


@pytest.mark.parametrize("blob", [
    b"\x03|O8\x01" + struct.pack("<Q", 1) + b"\0" * 8,  # an object array (pointers)
    b"\x05(2,)f\x00" + b"\0" * 8,  # a subarray dtype
    b"\x03<f4\x01" + struct.pack("<Q", 5) + b"\0" * 19,  # less data than the shape holds
    b"\x03<f4\x02" + struct.pack("<QQ", 2**62, 4),  # a shape far beyond the data
    b"\x03<f4\x40",  # a shape cut short
    b"",
])
def test_blobs_that_are_not_plain_numeric_arrays_are_refused(blob):
    with pytest.raises(wire.ProtocolError):
        wire.blob_to_array(blob)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64) | arrays.map(lambda a: bytes(wire.array_to_blob(a))).flatmap(
    lambda blob: st.integers(0, len(blob) - 1).flatmap(lambda i: st.integers(0, 255).map(
        lambda b: blob[:i] + bytes([b]) + blob[i + 1:]))))
def test_any_bytes_give_a_plain_numeric_array_or_a_protocol_error(blob):
    try:
        array = wire.blob_to_array(blob)
    except wire.ProtocolError:
        return
    assert type(array) is np.ndarray and array.dtype.kind in wire.NUMERIC_KINDS and array.flags.writeable


class Forger:
    """A worker backend whose reply to every call is forged."""

    def __init__(self, reply, blobs=()):
        self.reply, self.blobs, self.stopped = reply, list(blobs), False

    def request(self, header, blobs, timeout=None):
        return self.reply, self.blobs

    def stop(self):
        self.stopped = True


@pytest.mark.parametrize("reply, blobs", [
    ({"value": {}}, []),
    ({"value": {"$array": 0}}, [b"\x04<c16\x01" + struct.pack("<Q", 1) + b"\0" * 16]),  # complex numbers
    ({"value": {"$array": 0}}, [b"\x03<f4\x02" + struct.pack("<QQ", 0, 2**63)]),
    ({"value": {"$handle": float("inf")}}, []),
    ({"value": {"$what": 1}}, []),
    ({"value": {"$array": 5}}, []),
])
def test_a_forged_reply_is_the_workers_crash_never_the_graders(reply, blobs):
    forger = Forger(reply, blobs)
    with pytest.raises(WorkerLost, match="malformed reply"):
        Student(forger).send({"op": "call", "path": "perceptron.step_fn"}, [0.5], {}, "perceptron.step_fn", imports=False)
    assert forger.stopped


def test_oversized_frames_are_refused():
    body = json.dumps({}).encode()
    frame = struct.pack("<I", len(body)) + body + struct.pack("<I", 1) + struct.pack("<Q", wire.MAX_BLOB + 1)
    with pytest.raises(wire.ProtocolError):
        wire.read_frame(io.BytesIO(frame))

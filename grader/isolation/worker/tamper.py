"""The tamper watch: which names the grader's code in a worker relies on, and whether student code
has replaced any of them. Grading never runs in the worker, so a replacement changes nothing; it is
reported ("tampering detected") so that the attempt is seen."""

import re
import sys

# names in the libraries, looked up through sys.modules (what student code would patch)
WATCHED_LIBRARIES = (
    "numpy.allclose", "numpy.array_equal", "numpy.isclose", "numpy.asarray", "numpy.array", "numpy.save",
    "numpy.testing.assert_allclose", "tensorflow.GradientTape", "tensorflow.debugging.assert_near",
    "tensorflow.function", "tensorflow.executing_eagerly", "builtins.isinstance", "builtins.abs", "builtins.float",
    "builtins.AssertionError", "math.isclose", "json.dumps")
# names in the worker's own modules, looked up through the module objects the worker holds (not
# sys.modules, which code can swap)
WATCHED_OWN = ("wire.write_frame", "wire.array_to_blob", "codec.Values.encode", "dispatch.Dispatcher.handle",
               "dispatch.Dispatcher.graph", "dispatch.Dispatcher.function", "dispatch.Dispatcher.resolve",
               "harness.marked_step", "harness.frozen_step", "harness.Recording.__call__", "judges.traced", "judges.spec_of", "judges.warped")


def _lookup(value, attributes) -> object:
    for attribute in attributes:
        value = getattr(value, attribute, None)
    return value


def snapshot(own: dict) -> dict:
    """id() of every watched name that is loaded; `own`: the worker's modules by their short name."""
    ids = {}
    for name in WATCHED_LIBRARIES:
        module, *attributes = name.split(".")
        value = _lookup(sys.modules.get(module), attributes)
        if value is not None:
            ids[name] = id(value)
    for name in WATCHED_OWN:
        module, *attributes = name.split(".")
        value = _lookup(own.get(module), attributes)
        if value is not None:
            ids[f"worker.{name}"] = id(value)
    return ids


def watched(name: str) -> bool:
    """Is `name` one a worker may report replaced (anything else it says is not taken up)?"""
    own = name.removeprefix("worker.")
    return name in WATCHED_LIBRARIES or own in WATCHED_OWN and name != own or \
        re.fullmatch(r"worker\.(Dispatcher|Values)\.[A-Za-z_]\w{0,40}", name) is not None

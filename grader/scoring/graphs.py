"""Graphs a worker sends (a derivation by hand, a compiled step), read on the trusted side and never
run here: parsed within limits, and checked for what the grader will let a judge worker run.

A derivation by hand is judged from its graph: what it computes is what the judge worker (which
never runs student code) computes from it on the grader's inputs, and what it holds shows whether
TensorFlow's automatic differentiation made it (judges.autodiff_ops). A graph may hold only
operations without state or effects (TensorFlow's own registry says which), calls of the functions
in its library, and none that reads files or calls Python.
"""

from grader.scoring.judges import graph_nodes

MAX_GRAPH_BYTES = 16 * 2**20
MAX_NODES = 100_000
CALLS = {"PartitionedCall", "StatefulPartitionedCall", "If", "StatelessIf", "While", "StatelessWhile", "Case",
         "StatelessCase"}  # their bodies are functions of the library, read as the rest
NEVER = {"PyFunc", "PyFuncStateless", "EagerPyFunc", "ImmutableConst", "DecodeProtoV2", "EncodeProto"}
HARMLESS = {"PrintV2", "Print", "Assert"}  # stateful, but only print or stop: a tf.print left in a derivation is fine


class GraphError(ValueError):
    """A graph the grader will not read or run."""


def parse(data):
    """A GraphDef from the bytes a worker sent (a uint8 array), within MAX_GRAPH_BYTES and MAX_NODES."""
    from tensorflow.core.framework import graph_pb2

    data = bytes(memoryview(data))
    if len(data) > MAX_GRAPH_BYTES:
        raise GraphError(f"a graph of {len(data)} bytes (at most {MAX_GRAPH_BYTES})")
    try:
        graph_def = graph_pb2.GraphDef.FromString(data)
    except Exception as error:  # noqa: BLE001  (any bytes: a protobuf that does not parse)
        raise GraphError(f"not a graph ({type(error).__name__})") from None
    if sum(1 for _ in graph_nodes(graph_def)) > MAX_NODES:
        raise GraphError(f"a graph of more than {MAX_NODES} operations")
    return graph_def


def not_runnable(graph_def) -> list[str]:
    """The operations of a graph the grader will not run: with state or effects, reading files,
    calling Python, unknown to TensorFlow, or calling a function its library does not hold."""
    from tensorflow.python.framework import op_def_registry

    library = {function.signature.name for function in graph_def.library.function}
    found = set()
    for node in graph_nodes(graph_def):
        definition = op_def_registry.get(node.op)
        called = {value.func.name for value in node.attr.values() if value.HasField("func")}
        if node.op in CALLS:
            found |= {f"a call of {name}, which it does not hold" for name in called - library}
        elif definition is None or definition.is_stateful and node.op not in HARMLESS or node.op in NEVER or \
                "File" in node.op or called:
            found.add(node.op)
    return sorted(found)


def placeholders(graph_def) -> list[tuple[str, list[int]]]:
    """(dtype name, shape with -1 for an unknown dimension) of every input of a graph's own nodes."""
    from tensorflow.python.framework import dtypes

    return [(dtypes.as_dtype(node.attr["dtype"].type).name, [d.size for d in node.attr["shape"].shape.dim])
            for node in graph_def.node if node.op == "Placeholder"]


def holds_constant(graph_def, value: float) -> bool:
    """Does any Const of the graph (or of its functions) hold exactly `value` as a float32 scalar?
    Only a scalar's own bytes are read: a Const declaring a huge shape is never expanded here."""
    import numpy as np
    from tensorflow.core.framework import types_pb2

    for node in graph_nodes(graph_def):
        tensor = node.attr["value"].tensor if node.op == "Const" else None
        if tensor is None or tensor.dtype != types_pb2.DT_FLOAT or tensor.tensor_shape.dim or \
                tensor.tensor_shape.unknown_rank:
            continue
        if tensor.float_val:
            held = tensor.float_val[0]
        elif len(tensor.tensor_content) == 4:
            held = np.frombuffer(tensor.tensor_content, np.float32)[0]
        else:
            continue
        if np.float32(held) == np.float32(value):
            return True
    return False


def count(graph_def, op: str) -> int:
    return sum(node.op == op for node in graph_nodes(graph_def))

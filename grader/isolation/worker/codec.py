"""Values across the wire, on the worker's side: what the trusted side sends becomes arguments for
student code (arrays, tensors, the harness's objects), and what student code returns becomes
plain data (numbers, arrays, handles to objects kept here, or an opaque name and repr)."""

import sys

from grader.isolation.wire import MAX_DEPTH, MAX_ITEMS, NUMERIC_KINDS, ProtocolError, Tag, array_to_blob, blob_to_array
from grader.isolation.worker import harness


class Values:
    """The codec of one worker: its handles, and the named functions it resolves (`function`)."""

    def __init__(self, package: str, function):
        self.package, self.function = package, function
        self.handles = {}
        self.next_handle = 1

    # values from the trusted side into student code
    def decode(self, value, blobs):
        if isinstance(value, list):
            return [self.decode(v, blobs) for v in value]
        if not isinstance(value, dict):
            return value
        (tag, content), = value.items()
        if tag == Tag.ARRAY:
            return blob_to_array(blobs[content])
        if tag == Tag.TENSOR:
            import tensorflow as tf

            return tf.constant(blob_to_array(blobs[content]))
        if tag == Tag.TUPLE:
            return tuple(self.decode(v, blobs) for v in content)
        if tag == Tag.DICT:
            return {k: self.decode(v, blobs) for k, v in content.items()}
        if tag == Tag.HANDLE:
            return self.handles[content]
        if tag == Tag.FN:
            return self.function(content)
        if tag == Tag.DATASET:
            x, y = (blob_to_array(blobs[content[k][Tag.ARRAY]]) for k in ("x", "y"))
            return harness.batched(x, y, content["batch_size"], content["seed"])
        if tag == Tag.KERAS:
            rate = content["learning_rate"]
            return harness.harness_keras([blob_to_array(blobs[a[Tag.ARRAY]]) for a in content["weights"]],
                                         float(content["dropout"]), None if rate is None else float(rate))
        if tag in (Tag.MODEL, Tag.FACTORY):
            weights, biases = ([blob_to_array(blobs[a[Tag.ARRAY]]) for a in content[k]] for k in ("weights", "biases"))
            return harness.harness_mlp(weights, biases, content.get("gain") is True, content.get("logits") is True) \
                if tag == Tag.MODEL else harness.HarnessFactory(weights, biases)
        raise ProtocolError(f"unknown tag {tag}")

    # values from student code back to the trusted side: plain data only
    def encode(self, value, blobs, depth=0):
        if depth > MAX_DEPTH:
            return {Tag.OPAQUE: "nesting too deep", "repr": ""}
        if value is None or type(value) in (bool, int, float, str):
            return value
        if isinstance(value, int):
            return int.__int__(value)
        if isinstance(value, float):
            return float.__float__(value)
        if isinstance(value, (list, tuple)) and len(value) <= MAX_ITEMS:
            items = [self.encode(v, blobs, depth + 1) for v in value]
            return items if isinstance(value, list) else {Tag.TUPLE: items}
        if isinstance(value, dict) and len(value) <= MAX_ITEMS:
            return {Tag.DICT: {str(k): self.encode(v, blobs, depth + 1) for k, v in value.items()}}
        array = self.as_numbers(value)
        if array is not None:
            blobs.append(array_to_blob(array))
            return {Tag.ARRAY: len(blobs) - 1}
        if callable(value) and not isinstance(value, type) or self.is_module(value) or self.is_own(value):
            self.handles[self.next_handle] = value
            self.next_handle += 1
            return {Tag.HANDLE: self.next_handle - 1, "type": type(value).__name__}
        return {Tag.OPAQUE: type(value).__name__, "repr": self.safe_repr(value)}

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
        except Exception:  # noqa: BLE001  (a repr that raises)
            return "?"

"""Exercises of *Understanding Neural Networks with TensorFlow* (Pojunas, 2021).

Importing this package loads TensorFlow once with its start-up log noise silenced.
"""

import os
import sys

# The assignments, each graded out of 100, and their exercises (one module each) in the order a
# student takes them: the thesis' core course, then the advanced track built from the other sources.
ASSIGNMENTS = {
    "nn-tf": ("perceptron", "mlp", "backprop", "training", "evaluation", "speed"),
    "nn-tf-advanced": ("activations", "optimizers", "softmax_network", "keras_mlp"),
}
EXERCISES = tuple(name for names in ASSIGNMENTS.values() for name in names)

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _import_tensorflow_quietly() -> None:
    """Import TensorFlow with file descriptor 2 sent to /dev/null, so the C++ start-up lines
    ("oneDNN custom operations are on", "Could not find cuda drivers") do not reach the student."""
    if "tensorflow" in sys.modules:
        return
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import tensorflow  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


_import_tensorflow_quietly()

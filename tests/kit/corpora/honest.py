"""Honest idioms: the reference solutions written as students write them (main guards, logging,
printing, helper modules, type hints, plotting, other but equal formulations). Each must score full
marks on the exercise it touches: no guard of the grader may cost an honest point.
"""

from dataclasses import dataclass, field
from pathlib import Path

from grader.catalogue import KIT


@dataclass
class Honest:
    name: str
    exercise: str  # what it is graded on
    edits: tuple = ()  # (module, old, new) replacements in the solutions
    files: dict = field(default_factory=dict)  # more files of the submission: name → text

    def make(self, folder: Path) -> Path:
        folder.mkdir(parents=True)
        for path in sorted((KIT / "solutions").glob("*.py")):
            if path.name != "__init__.py":
                (folder / path.name).write_text(path.read_text())
        for module, old, new in self.edits:
            path = folder / f"{module}.py"
            assert old in path.read_text(), (self.name, old)
            path.write_text(path.read_text().replace(old, new, 1))
        for name, text in self.files.items():
            (folder / name).write_text(text)
        return folder


TOP = "import tensorflow as tf\n"
MAIN = '\n\nif __name__ == "__main__":\n    import sys\n    print({call}, file=sys.stderr)\n'

CORPUS = [
    # exercise 3: derivations by hand, and the loops that use them
    Honest("backprop-main-guard", "backprop", [("backprop", "    ### END SOLUTION\n    return w1s, w2s, outputs\n",
                                                 "    ### END SOLUTION\n    return w1s, w2s, outputs\n"
                                                 + MAIN.format(call="descend(2.0, 0.8, 1.0, 0.1, 3)"))]),
    Honest("backprop-logging", "backprop", [
        ("backprop", TOP, "import logging\n\nimport tensorflow as tf\n\nlog = logging.getLogger(__name__)\n"),
        ("backprop", "    return 2.0 * (a * w - desired) * a", "    log.debug('cost_partial at w=%s', w)\n"
                                                            "    return 2.0 * (a * w - desired) * a")]),
    Honest("backprop-quiet-tensorflow", "backprop", [
        ("backprop", TOP, 'import os\n\nos.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")\n\nimport tensorflow as tf\n')]),
    Honest("backprop-tf-print", "backprop", [("backprop", "    delta = 2.0 * (a - desired) * a * (1.0 - a)\n",
                                              "    delta = 2.0 * (a - desired) * a * (1.0 - a)\n"
                                              "    tf.print('delta', delta, output_stream='file:///dev/null')\n")]),
    Honest("backprop-print-while-tracing", "backprop", [("backprop", "    out = activations[-1]\n",
                                                         "    out = activations[-1]\n    print('layers:', len(weights))\n")]),
    Honest("backprop-helper-module", "backprop", [
        ("backprop", TOP, TOP + "\nfrom .helpers import sigmoid_slope\n"),
        ("backprop", "    delta = 2.0 * (a - desired) * a * (1.0 - a)", "    delta = 2.0 * (a - desired) * sigmoid_slope(a)")],
        {"helpers.py": '"""My helpers."""\n\n\ndef sigmoid_slope(a):\n    """σ′ from σ."""\n    return a * (1.0 - a)\n'}),
    Honest("backprop-future-annotations", "backprop", [("backprop", TOP, "from __future__ import annotations\n\n" + TOP)]),
    Honest("backprop-f-strings-and-id", "backprop", [("backprop", "    weight_grads, bias_grads = [], []\n",
                                                      "    weight_grads, bias_grads = [], []\n"
                                                      "    names = [f\"dense_{id}_kernel\" for id in range(len(weights))]\n"
                                                      "    assert len(names) == len(weights)\n")]),
    Honest("backprop-python-branch", "backprop", [("backprop", "    error = 2.0 * (a1 * w1 * w2 - desired)\n",
                                                   "    if desired == 0:\n        error = 2.0 * a1 * w1 * w2\n"
                                                   "    else:\n        error = 2.0 * (a1 * w1 * w2 - desired)\n")]),
    Honest("backprop-numpy-constant", "backprop", [
        ("backprop", TOP, "import numpy as np\n" + TOP + "\nTWO = float(np.float64(2.0))\n"),
        ("backprop", "    return 2.0 * (a * w - desired) * a", "    return TWO * (a * w - desired) * a")]),
    Honest("backprop-named-slope", "backprop", [
        ("backprop", "        delta = (delta @ tf.transpose(weights[layer])) * below * (1.0 - below)",
         "        slope = below * (1.0 - below)  # σ′ of the layer below, from its output\n"
         "        delta = (delta @ tf.transpose(weights[layer])) * slope")]),
    Honest("backprop-while-loop", "backprop", [("backprop", """    for _ in range(steps):
        w = update(w, cost_partial(a, w, desired), learning_rate)
        weights.append(float(w))
        outputs.append(float(a * w))""", """    step = 0
    while step < steps:
        gradient = cost_partial(a, w, desired)
        w = update(w, gradient, learning_rate)
        weights.append(float(w))
        outputs.append(float(a * w))
        step += 1""")]),
    Honest("backprop-tuple-updates", "backprop", [("backprop", "        w1, w2 = update(w1, g1, learning_rate), update(w2, g2, learning_rate)",
                                                   "        new_w1 = update(w1, g1, learning_rate)\n        new_w2 = update(w2, g2, learning_rate)\n"
                                                   "        w1, w2 = new_w1, new_w2")]),
    Honest("backprop-explicit-chain", "backprop", [("backprop", "    return error * a1 * w2, error * a1 * w1",
                                                    "    d_a3_d_w1 = a1 * w2\n    d_a3_d_w2 = a1 * w1\n"
                                                    "    return error * d_a3_d_w1, error * d_a3_d_w2")]),
    # exercise 6: tf.function
    Honest("speed-call-form", "speed", [("speed", """    @tf.function(input_signature=signature)
    def compiled(x_batch, y_batch):
        return step(model, x_batch, y_batch, learning_rate)

    return compiled""", """    def run(x_batch, y_batch):
        return step(model, x_batch, y_batch, learning_rate)

    return tf.function(run, input_signature=signature)""")]),
    Honest("speed-reduce-retracing", "speed", [("speed", "    @tf.function(input_signature=signature)",
                                                "    @tf.function(input_signature=signature, reduce_retracing=True)")]),
    Honest("speed-named-specs", "speed", [("speed", "    signature = [tf.TensorSpec((None, n_in), tf.float32), tf.TensorSpec((None, n_out), tf.float32)]",
                                           "    signature = [tf.TensorSpec(shape=[None, n_in], dtype=tf.float32, name=\"x_batch\"),\n"
                                           "                 tf.TensorSpec(shape=[None, n_out], dtype=tf.float32, name=\"y_batch\")]")]),
    Honest("speed-main-guard", "speed", [("speed", "    return compiled\n", "    return compiled\n"
                                          + MAIN.format(call="compile_step.__doc__"))]),
    Honest("speed-logging", "speed", [("speed", TOP, "import logging\n\n" + TOP + "\nlogging.basicConfig(level=logging.WARNING)\n")]),
    # exercise 7: derivatives of activations, by hand
    Honest("activations-sigmoid-prime-subtracted", "activations", [("activations", "    s = sigmoid(z)\n    return s * (1.0 - s)",
                                                                    "    s = sigmoid(z)\n    return s - s * s")]),
    Honest("activations-relu-prime-cast", "activations", [("activations", "    return tf.where(z > 0, tf.ones_like(z), tf.zeros_like(z))",
                                                           "    return tf.cast(z > 0, z.dtype)")]),
    Honest("activations-softmax-gradient-library-softmax", "activations", [
        ("activations", "    return (softmax(logits) - labels) / tf.cast(tf.shape(logits)[0], logits.dtype)",
         "    batch = tf.cast(tf.shape(logits)[0], logits.dtype)\n    return (tf.nn.softmax(logits) - labels) / batch")]),
    Honest("activations-norms-appended-then-reversed", "activations", [
        ("activations", "    return norms[::-1]", "    norms.reverse()\n    return norms")]),
    Honest("activations-plotting-import", "activations", [("activations", "import numpy as np\n",
                                                           "import matplotlib\nimport numpy as np\n")]),
    # the other exercises: idioms around the code
    Honest("perceptron-main-guard", "perceptron", [("perceptron", '    return Perceptron([[-1.0], [-1.0]], [[2.0]], name="NAND")\n'
                                                                  "    ### END SOLUTION\n",
                                                    '    return Perceptron([[-1.0], [-1.0]], [[2.0]], name="NAND")\n'
                                                    "    ### END SOLUTION\n" + MAIN.format(call="step_fn(0.5)"))]),
    Honest("perceptron-type-hints", "perceptron", [("perceptron", TOP, "from typing import Sequence\n\n" + TOP)]),
    Honest("mlp-logging", "mlp", [("mlp", TOP, "import logging\n\n" + TOP + "\nLOG = logging.getLogger('mlp')\n")]),
    Honest("training-timing-prints", "training", [("training", "import numpy as np\n", "import time\n\nimport numpy as np\n")]),
    Honest("evaluation-statistics", "evaluation", [("evaluation", "import numpy as np\n", "import statistics\n\nimport numpy as np\n")]),
    Honest("optimizers-dataclasses-import", "optimizers", [("optimizers", "import numpy as np\n",
                                                           "from dataclasses import dataclass\n\nimport numpy as np\n")]),
    Honest("softmax-network-notes-beside", "softmax_network", files={
        "notes.py": '"""Notes of mine, beside the exercises."""\n\nTODO = ["plot the losses"]\n'}),
    Honest("keras-mlp-summary-printed", "keras_mlp", [("keras_mlp", "import time\n", "import sys\nimport time\n")]),
]

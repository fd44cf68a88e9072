"""Exercise 6: faster training with `tf.function`.

Thesis: §Decreasing Computation Time (tf.function).
"""

import tensorflow as tf

from .training import train


def compile_step(model, learning_rate, step=train):
    """The training step for this model, compiled into a TensorFlow graph with `tf.function`.

    Thesis §Decreasing Computation Time: Python runs the step once to trace a graph, and later calls run the graph.
    A new trace costs time, so give `tf.function` an `input_signature` of two float32
    `tf.TensorSpec`s whose batch dimension is None: then batches of every size share one trace.

    model: an MLP (its first weight matrix has shape (n_in, ·), its last (·, n_out)).
    Returns a callable `compiled(x_batch, y_batch)` that runs `step(model, x_batch, y_batch,
    learning_rate)` and returns the loss; x_batch: (b, n_in) float32, y_batch: (b, n_out) float32.
    """
    n_in, n_out = model.weights[0].shape[0], model.weights[-1].shape[1]
    ### BEGIN SOLUTION
    signature = [tf.TensorSpec((None, n_in), tf.float32), tf.TensorSpec((None, n_out), tf.float32)]

    @tf.function(input_signature=signature)
    def compiled(x_batch, y_batch):
        return step(model, x_batch, y_batch, learning_rate)

    return compiled
    ### END SOLUTION

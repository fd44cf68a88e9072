"""Exercise 1: the Perceptron with a step activation, and the AND, OR and NAND gates.

Thesis: §Perceptron, its sections §Activation Function, §Creating the Perceptron and §Perceptron in
Action (the AND and OR computations); NAND is the hidden node of §XOR Computation.
"""

import tensorflow as tf


def step_fn(a: float) -> float:
    """The step activation for one number.

    Thesis §Activation Function: a perceptron "fires" (outputs 1.0) when its weighted input is
    strictly greater than zero, and outputs 0.0 otherwise (zero itself gives 0.0).

    a: a Python float (or int). Returns a Python float, 1.0 or 0.0.
    """
    # YOUR CODE HERE
    raise NotImplementedError('perceptron.step_fn is not implemented yet — thesis §Activation Function')


def tf_step_fn(a: tf.Tensor) -> tf.Tensor:
    """The step activation applied element-wise to a tensor (the thesis' `tf_step_fn`).

    Thesis §Activation Function: the same rule as `step_fn`, for every element at once, with
    TensorFlow operations (no Python loop), so it works inside a model.

    a: a float tensor of any shape, e.g. (n, 1). Returns a tensor of the same shape and dtype,
    holding 1.0 where a > 0 and 0.0 elsewhere.
    """
    a = tf.convert_to_tensor(a)
    # YOUR CODE HERE
    raise NotImplementedError('perceptron.tf_step_fn is not implemented yet — thesis §Activation Function')


def as_batch(x, inputs: int) -> tf.Tensor:
    """Check that x is a batch of samples, shape (n, inputs), and return it as a float32 tensor.

    Thesis §Perceptron: one sample such as [1, 0] must be written [[1, 0]], shape (1, 2),
    because the model computes x @ weights, a matrix product.
    """
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    if x.shape.rank != 2 or x.shape[1] != inputs:
        raise ValueError(
            f"expected a batch of shape (n, {inputs}) but got shape {tuple(x.shape)}; "
            f"one sample such as [1, 0] is written [[1, 0]], shape (1, {inputs}) (thesis §Perceptron)"
        )
    return x


class Perceptron(tf.Module):
    """One perceptron: step(x @ weights + biases).

    weights: shape (inputs, 1); biases: shape (1, 1). Both are stored as float32 tf.Variables.
    """

    def __init__(self, weights, biases, name=None):
        super().__init__(name=name)
        self.weights = tf.Variable(weights, dtype=tf.float32, name="weights")
        self.biases = tf.Variable(biases, dtype=tf.float32, name="biases")

    def __call__(self, x) -> tf.Tensor:
        """The perceptron's output for a batch.

        Thesis §Perceptron: multiply the inputs by the weights (a matrix product), add the bias,
        and pass the result through the step activation `tf_step_fn`.

        x: shape (n, inputs), float32. Returns shape (n, 1), float32, each element 0.0 or 1.0.
        """
        x = as_batch(x, self.weights.shape[0])
        # YOUR CODE HERE
        raise NotImplementedError('perceptron.Perceptron.__call__ is not implemented yet — thesis §Perceptron')


def and_gate() -> Perceptron:
    """A Perceptron with two inputs that computes AND: 1.0 only for the input [[1, 1]].

    Thesis §Perceptron in Action (AND Computation): choose weights of shape (2, 1) and a bias of
    shape (1, 1) so that the weighted sum is above zero only when both inputs are 1 (remember:
    step(0) is 0).
    """
    # YOUR CODE HERE
    raise NotImplementedError('perceptron.and_gate is not implemented yet — thesis §Perceptron in Action')


def or_gate() -> Perceptron:
    """A Perceptron with two inputs that computes OR: 0.0 only for the input [[0, 0]].

    Thesis §Perceptron in Action (OR Computation): weights of shape (2, 1), bias of shape (1, 1).
    """
    # YOUR CODE HERE
    raise NotImplementedError('perceptron.or_gate is not implemented yet — thesis §Perceptron in Action')


def nand_gate() -> Perceptron:
    """A Perceptron with two inputs that computes NAND (not AND): 0.0 only for [[1, 1]].

    Thesis §XOR Computation (its hidden node h2 acts as NAND): weights of shape (2, 1), bias of
    shape (1, 1); a negative weight turns
    "more input" into "less output".
    """
    # YOUR CODE HERE
    raise NotImplementedError('perceptron.nand_gate is not implemented yet — thesis §XOR Computation')

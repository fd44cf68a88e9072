"""Exercise 2: the multilayer perceptron (MLP), and the two-layer network that computes XOR.

Thesis: §Multi-Layer Perceptron (§XOR Computation, Fig. 9; §XOR with Sigmoid), §Building the Model.
"""

import tensorflow as tf

from .perceptron import as_batch, tf_step_fn

# The thesis' XOR network (Fig. 9): two inputs, two hidden neurons, one output.
XOR_WEIGHTS = ([[2.0, -2.0], [2.0, -2.0]], [[2.0], [2.0]])
XOR_BIASES = ([[-1.0, 3.0]], [[-3.0]])


class MLP(tf.Module):
    """A fully connected network: every layer computes activation(x @ W + b).

    weights[i]: shape (sizes[i], sizes[i + 1]); biases[i]: shape (1, sizes[i + 1]); all float32
    tf.Variables. `activation` is applied after every layer (tf.sigmoid by default, or the
    perceptron's `tf_step_fn` for logic gates).
    """

    def __init__(self, weights, biases, activation=tf.sigmoid, name=None):
        super().__init__(name=name)
        if len(weights) != len(biases) or not weights:
            raise ValueError("an MLP needs one bias per weight matrix, and at least one layer")
        self.weights = [tf.Variable(w, dtype=tf.float32, name=f"w{i + 1}") for i, w in enumerate(weights)]
        self.biases = [tf.Variable(b, dtype=tf.float32, name=f"b{i + 1}") for i, b in enumerate(biases)]
        self.activation = activation

    @classmethod
    def from_sizes(cls, sizes, activation=tf.sigmoid, seed=None, name=None):
        """A new MLP for the layer sizes, e.g. [784, 15, 10], with random parameters.

        Thesis §Building the Model: every weight and every bias starts uniformly at random in
        [-1, 1). Layer i has a weight matrix of shape (sizes[i], sizes[i + 1]) and a bias of shape
        (1, sizes[i + 1]). The same integer seed must give the same parameters; seed=None gives
        fresh ones each time. Use a `tf.random.Generator` made from the seed.

        sizes: a list of at least two positive ints. Returns an MLP.
        """
        if len(sizes) < 2 or any(int(s) < 1 for s in sizes):
            raise ValueError(f"sizes must list at least two positive layer sizes, got {list(sizes)}")
        rng = tf.random.Generator.from_non_deterministic_state() if seed is None else tf.random.Generator.from_seed(seed)
        ### BEGIN SOLUTION
        layers = list(zip(sizes[:-1], sizes[1:]))
        weights = [rng.uniform((n_in, n_out), -1.0, 1.0) for n_in, n_out in layers]
        biases = [rng.uniform((1, n_out), -1.0, 1.0) for _, n_out in layers]
        ### END SOLUTION
        return cls(weights, biases, activation=activation, name=name)

    def __call__(self, x) -> tf.Tensor:
        """The network's output for a batch: feed x through every layer in turn.

        Thesis §Multi-Layer Perceptron: each layer's output, activation(x @ W + b), is the next
        layer's input.

        x: shape (n, sizes[0]), float32. Returns shape (n, sizes[-1]), float32.
        """
        x = as_batch(x, self.weights[0].shape[0])
        ### BEGIN SOLUTION
        for w, b in zip(self.weights, self.biases):
            x = self.activation(x @ w + b)
        return x
        ### END SOLUTION


def xor_network(activation=tf_step_fn, scale: float = 1.0) -> MLP:
    """The thesis' XOR network (Fig. 9) with every weight and bias multiplied by `scale`.

    With the step activation it outputs [0, 1, 1, 0] for the inputs [[0,0],[0,1],[1,0],[1,1]];
    with tf.sigmoid it outputs about [0.36, 0.48, 0.48, 0.36], and with scale=100 those round to
    [0, 1, 1, 0] (thesis §XOR with Sigmoid).
    """
    ### BEGIN SOLUTION
    weights = [tf.constant(w) * scale for w in XOR_WEIGHTS]
    biases = [tf.constant(b) * scale for b in XOR_BIASES]
    return MLP(weights, biases, activation=activation, name="XOR")
    ### END SOLUTION


def parameter_count(model: MLP) -> int:
    """How many numbers the model learns: every weight and every bias (an int).

    Thesis §Backpropagation (its opening paragraph): a [784, 15, 10] network has 11,935 of them.
    """
    ### BEGIN SOLUTION
    return int(sum(tf.size(v) for v in model.weights + model.biases))
    ### END SOLUTION

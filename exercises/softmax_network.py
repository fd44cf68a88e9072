"""Exercise 9 (advanced track): the workshop's softmax network on MNIST.

Workshop (tensorflow-workshop-ucla.txt): §Building up the neural network. Hidden layers of ReLU
units, an output layer of 10 logits that softmax turns into probabilities, the mean softmax
cross-entropy as the loss, weights from a normal distribution truncated at two standard deviations
(0.1) and biases of 0.1, plain gradient descent on batches of 100 (learning rate 0.1). The workshop
reports 96.53 % of the test images right after 5,000 batches of 100 (8⅓ epochs); the kit's MNIST
check trains 3 epochs at learning rate 0.5 and one more at 0.05, which reaches about 97 % in 4
epochs from every start the kit has tried.
The inputs are MNIST's images flattened and scaled: x (n, 784) float32 in [0, 1], y (n, 10) one-hot labels.
"""

import tensorflow as tf


class SoftmaxNetwork(tf.Module):
    """Weights and biases as lists of float32 tf.Variables (layer l: W (n_l, n_(l+1)), b (1,
    n_(l+1))); `activation` for every hidden layer, none on the output layer: it returns logits."""

    def __init__(self, weights, biases, activation=tf.nn.relu, name=None):
        super().__init__(name=name)
        self.weights = [tf.Variable(w, dtype=tf.float32) for w in weights]
        self.biases = [tf.Variable(b, dtype=tf.float32) for b in biases]
        self.activation = activation

    @classmethod
    def from_sizes(cls, sizes=(784, 50, 30, 10), activation=tf.nn.relu, seed: int = 0) -> "SoftmaxNetwork":
        """A network with these layer sizes, started as the workshop starts it.

        Workshop §Building up the neural network (its weight_variable and bias_variable): every
        weight from a normal(0, 0.1) truncated at two standard deviations (|w| ≤ 0.2), every bias
        0.1, so that every ReLU starts active. Draw the weights from
        `tf.random.Generator.from_seed(seed)`: the same seed, the same network.
        """
        # YOUR CODE HERE
        raise NotImplementedError('softmax_network.SoftmaxNetwork.from_sizes is not implemented yet — workshop §Building up the neural network')

    def __call__(self, x) -> tf.Tensor:
        """The logits: each hidden layer a = activation(a·W + b), then the output layer a·W + b with
        no activation (softmax comes with the loss).

        Workshop §Building up the neural network. x: (n, 784). Returns (n, 10) float32.
        """
        x = tf.convert_to_tensor(x, dtype=tf.float32)
        # YOUR CODE HERE
        raise NotImplementedError('softmax_network.SoftmaxNetwork.__call__ is not implemented yet — workshop §Building up the neural network')


def cross_entropy(logits, y) -> tf.Tensor:
    """The mean over the batch of each row's softmax cross-entropy, from logits.

    Workshop §Building up the neural network: tf.nn.softmax_cross_entropy_with_logits does the
    stable work (exercise 7 wrote it by hand). logits, y: (n, 10). Returns a scalar float32 tensor.
    """
    # YOUR CODE HERE
    raise NotImplementedError('softmax_network.cross_entropy is not implemented yet — workshop §Building up the neural network')


def squared_error(logits, y) -> tf.Tensor:
    """The mean over every element of (softmax(logits) − y)²: the same probabilities, judged by
    squared error instead of cross-entropy.

    Workshop §Exercises (its MSE loss). logits, y: (n, 10). Returns a scalar float32 tensor.
    """
    # YOUR CODE HERE
    raise NotImplementedError('softmax_network.squared_error is not implemented yet — workshop §Exercises')


def train_step(model, x_batch, y_batch, learning_rate, loss=cross_entropy) -> tf.Tensor:
    """One step of gradient descent on `loss(model(x_batch), y_batch)`; returns the loss before it.

    Workshop §Building up the neural network (its GradientDescentOptimizer.minimize): the
    gradient of the loss with respect to every trainable variable, each moved against it.
    """
    # YOUR CODE HERE
    raise NotImplementedError('softmax_network.train_step is not implemented yet — workshop §Building up the neural network')


def accuracy(model, x, labels) -> float:
    """The percentage of images whose largest logit is at their label (0 to 100), a Python float.

    Workshop §Building up the neural network (its correct_predictions). x: (n, 784); labels: (n,) digits.
    """
    # YOUR CODE HERE
    raise NotImplementedError('softmax_network.accuracy is not implemented yet — workshop §Building up the neural network')


def train(model, dataset, epochs: int, learning_rate: float = 0.1, loss=cross_entropy, step=train_step) -> list[float]:
    """Train `model` for `epochs` passes over `dataset`, one `step(model, x_batch, y_batch,
    learning_rate, loss)` per batch, run inside tf.function; return each epoch's mean batch loss
    as Python floats.

    Workshop §Building up the neural network (5,000 batches of 100 there). Compile the step once,
    before the loop, so that every batch runs the same graph (several times faster than eager).
    dataset: a tf.data.Dataset of (x_batch, y_batch), reshuffled every epoch.
    """
    # YOUR CODE HERE
    raise NotImplementedError('softmax_network.train is not implemented yet — workshop §Building up the neural network')

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
        ### BEGIN SOLUTION
        generator = tf.random.Generator.from_seed(seed)
        pairs = list(zip(sizes[:-1], sizes[1:]))
        weights = [generator.truncated_normal((n_in, n_out), stddev=0.1) for n_in, n_out in pairs]
        biases = [tf.fill((1, n_out), 0.1) for _, n_out in pairs]
        return cls(weights, biases, activation)
        ### END SOLUTION

    def __call__(self, x) -> tf.Tensor:
        """The logits: each hidden layer a = activation(a·W + b), then the output layer a·W + b with
        no activation (softmax comes with the loss).

        Workshop §Building up the neural network. x: (n, 784). Returns (n, 10) float32.
        """
        x = tf.convert_to_tensor(x, dtype=tf.float32)
        ### BEGIN SOLUTION
        for w, b in zip(self.weights[:-1], self.biases[:-1]):
            x = self.activation(x @ w + b)
        return x @ self.weights[-1] + self.biases[-1]
        ### END SOLUTION


def cross_entropy(logits, y) -> tf.Tensor:
    """The mean over the batch of each row's softmax cross-entropy, from logits.

    Workshop §Building up the neural network: tf.nn.softmax_cross_entropy_with_logits does the
    stable work (exercise 7 wrote it by hand). logits, y: (n, 10). Returns a scalar float32 tensor.
    """
    ### BEGIN SOLUTION
    return tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))
    ### END SOLUTION


def squared_error(logits, y) -> tf.Tensor:
    """The mean over every element of (softmax(logits) − y)²: the same probabilities, judged by
    squared error instead of cross-entropy.

    Workshop §Exercises (its MSE loss). logits, y: (n, 10). Returns a scalar float32 tensor.
    """
    ### BEGIN SOLUTION
    return tf.reduce_mean(tf.square(tf.nn.softmax(logits) - y))
    ### END SOLUTION


def train_step(model, x_batch, y_batch, learning_rate, loss=cross_entropy) -> tf.Tensor:
    """One step of gradient descent on `loss(model(x_batch), y_batch)`; returns the loss before it.

    Workshop §Building up the neural network (its GradientDescentOptimizer.minimize): the
    gradient of the loss with respect to every trainable variable, each moved against it.
    """
    ### BEGIN SOLUTION
    with tf.GradientTape() as tape:
        value = loss(model(x_batch), y_batch)
    gradients = tape.gradient(value, model.trainable_variables)
    for variable, gradient in zip(model.trainable_variables, gradients):
        variable.assign_sub(learning_rate * gradient)
    return value
    ### END SOLUTION


def accuracy(model, x, labels) -> float:
    """The percentage of images whose largest logit is at their label (0 to 100), a Python float.

    Workshop §Building up the neural network (its correct_predictions). x: (n, 784); labels: (n,) digits.
    """
    ### BEGIN SOLUTION
    predicted = tf.argmax(model(x), axis=1, output_type=tf.int64)
    return float(100.0 * tf.reduce_mean(tf.cast(predicted == tf.cast(labels, tf.int64), tf.float64)))
    ### END SOLUTION


def train(model, dataset, epochs: int, learning_rate: float = 0.1, loss=cross_entropy, step=train_step) -> list[float]:
    """Train `model` for `epochs` passes over `dataset`, one `step(model, x_batch, y_batch,
    learning_rate, loss)` per batch, run inside tf.function; return each epoch's mean batch loss
    as Python floats.

    Workshop §Building up the neural network (5,000 batches of 100 there). Compile the step once,
    before the loop, so that every batch runs the same graph (several times faster than eager).
    dataset: a tf.data.Dataset of (x_batch, y_batch), reshuffled every epoch.
    """
    ### BEGIN SOLUTION
    compiled = tf.function(lambda x_batch, y_batch: step(model, x_batch, y_batch, learning_rate, loss))
    means = []
    for _ in range(epochs):
        total, batches = 0.0, 0
        for x_batch, y_batch in dataset:
            total += float(compiled(x_batch, y_batch))
            batches += 1
        means.append(total / batches)
    return means
    ### END SOLUTION

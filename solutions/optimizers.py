"""Exercise 8 (advanced track): gradient descent with momentum, Adagrad, RMSprop and Adam by hand.

Lecture notes (hjorth-jensen-week3-lecture.txt): §Learning rate methods (one scheduler object per
parameter, whose `update_change(gradient)` returns the change to subtract), §Testing the XOR gate
and other gates (XOR learned with Adam, η = 0.1).
Each optimizer here is such an object: it keeps the state of *one* parameter (a weight matrix or a
bias vector) and `change(gradient)` returns what to subtract from that parameter this step, a
tensor of the gradient's shape and dtype. The update rules are exactly those of
`keras.optimizers` (the checks compare with them step by step), which differ from the lecture
notes' code in two places, said in each docstring: where ε sits, and where Adagrad's sum starts.
"""

import numpy as np
import tensorflow as tf


class Momentum:
    """Gradient descent with momentum (keras.optimizers.SGD(learning_rate, momentum)).

    Lecture notes §Learning rate methods: the change remembers the previous one,
        change_t = momentum · change_(t−1) + learning_rate · gradient_t,   change_0 = 0,
    and the parameter moves by −change_t. (Keras keeps −change as its "momentum" slot; same steps.)
    """

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.9):
        self.learning_rate, self.momentum = learning_rate, momentum
        self.previous = 0.0  # the last change this parameter took (none yet)

    def change(self, gradient) -> tf.Tensor:
        """The change to subtract from this parameter, given its gradient; remembers it.

        Lecture notes §Learning rate methods (momentum): the class docstring's rule.
        """
        gradient = tf.convert_to_tensor(gradient)
        ### BEGIN SOLUTION
        self.previous = self.momentum * self.previous + self.learning_rate * gradient
        return self.previous
        ### END SOLUTION


class Adagrad:
    """Adagrad (keras.optimizers.Adagrad(learning_rate, initial_accumulator_value, epsilon)).

    Lecture notes §Learning rate methods: every element gets its own step, smaller the more it has
    moved: with the sum of squared gradients so far, element-wise,
        accumulator_t = accumulator_(t−1) + gradient_t²,   accumulator_0 = initial_accumulator_value,
        change_t = learning_rate · gradient_t / √(accumulator_t + epsilon).
    Keras' conventions, not the lecture notes' code: the sum starts at initial_accumulator_value
    (not 0), and ε is added *inside* the square root (not to it).
    """

    def __init__(self, learning_rate: float = 0.001, initial_accumulator_value: float = 0.1,
                 epsilon: float = 1e-7):
        self.learning_rate, self.epsilon = learning_rate, epsilon
        self.initial_accumulator_value = initial_accumulator_value
        self.accumulator = None  # the sum of squared gradients, shaped like the parameter (none yet)

    def change(self, gradient) -> tf.Tensor:
        """The change to subtract from this parameter, given its gradient; updates the sum.

        Lecture notes §Learning rate methods (Adagrad), with Keras' conventions: the class docstring.
        """
        gradient = tf.convert_to_tensor(gradient)
        ### BEGIN SOLUTION
        if self.accumulator is None:
            self.accumulator = tf.fill(tf.shape(gradient), tf.cast(self.initial_accumulator_value, gradient.dtype))
        self.accumulator = self.accumulator + tf.square(gradient)
        return self.learning_rate * gradient / tf.sqrt(self.accumulator + self.epsilon)
        ### END SOLUTION


class RMSprop:
    """RMSprop (keras.optimizers.RMSprop(learning_rate, rho, epsilon)).

    Lecture notes §Learning rate methods: like Adagrad, but the squared gradients are averaged with
    exponentially decaying weights, so old ones are forgotten:
        average_t = rho · average_(t−1) + (1 − rho) · gradient_t²,   average_0 = 0,
        change_t = learning_rate · gradient_t / √(average_t + epsilon).
    Keras' convention: ε is added *inside* the square root.
    """

    def __init__(self, learning_rate: float = 0.001, rho: float = 0.9, epsilon: float = 1e-7):
        self.learning_rate, self.rho, self.epsilon = learning_rate, rho, epsilon
        self.average = 0.0  # the running average of squared gradients (none yet)

    def change(self, gradient) -> tf.Tensor:
        """The change to subtract from this parameter, given its gradient; updates the average.

        Lecture notes §Learning rate methods (RMSprop), ε inside the root: the class docstring.
        """
        gradient = tf.convert_to_tensor(gradient)
        ### BEGIN SOLUTION
        self.average = self.rho * self.average + (1.0 - self.rho) * tf.square(gradient)
        return self.learning_rate * gradient / tf.sqrt(self.average + self.epsilon)
        ### END SOLUTION


class Adam:
    """Adam (keras.optimizers.Adam(learning_rate, beta_1, beta_2, epsilon)).

    Lecture notes §Learning rate methods: momentum and RMSprop together, each average corrected for
    starting at 0. At step t = 1, 2, …:
        m_t = beta_1 · m_(t−1) + (1 − beta_1) · gradient_t,      m_0 = 0,
        v_t = beta_2 · v_(t−1) + (1 − beta_2) · gradient_t²,     v_0 = 0,
        change_t = learning_rate · √(1 − beta_2^t) / (1 − beta_1^t) · m_t / (√v_t + epsilon).
    Keras' convention (Kingma and Ba's own, §2 of their paper): the bias corrections go into the
    step size, so ε is added to √v_t, not to √(v_t / (1 − beta_2^t)) as in the lecture notes' code.
    """

    def __init__(self, learning_rate: float = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7):
        self.learning_rate, self.beta_1, self.beta_2, self.epsilon = learning_rate, beta_1, beta_2, epsilon
        self.m, self.v, self.t = 0.0, 0.0, 0  # the two averages and the number of steps taken

    def change(self, gradient) -> tf.Tensor:
        """The change to subtract from this parameter, given its gradient; updates m, v and t.

        Lecture notes §Learning rate methods (Adam), Keras' ε: the class docstring.
        """
        gradient = tf.convert_to_tensor(gradient)
        ### BEGIN SOLUTION
        self.t += 1
        self.m = self.beta_1 * self.m + (1.0 - self.beta_1) * gradient
        self.v = self.beta_2 * self.v + (1.0 - self.beta_2) * tf.square(gradient)
        step = self.learning_rate * np.sqrt(1.0 - self.beta_2 ** self.t) / (1.0 - self.beta_1 ** self.t)
        return step * self.m / (tf.sqrt(self.v) + self.epsilon)
        ### END SOLUTION


XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
XOR_TARGETS = np.array([[0], [1], [1], [0]], dtype=np.float64)


def xor_start(seed: int = 0, hidden: int = 4) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The initial (weights, biases) of a 2-`hidden`-1 sigmoid network, float64, each parameter drawn
    from normal(0, 1) by numpy's default_rng(seed): the same seed, the same start."""
    rng = np.random.default_rng(seed)
    sizes = [(2, hidden), (hidden, 1)]
    weights = [rng.normal(size=shape) for shape in sizes]
    biases = [rng.normal(size=(1, shape[1])) for shape in sizes]
    return weights, biases


def train_xor(optimizer=Adam, learning_rate: float = 0.1, epochs: int = 1000, seed: int = 0,
              hidden: int = 4) -> tuple[list[np.ndarray], list[np.ndarray], list[float]]:
    """Train a 2-`hidden`-1 sigmoid network on XOR from `xor_start(seed, hidden)` and return its
    final (weights, biases) as float64 numpy arrays and the loss of every epoch as Python floats.

    Lecture notes §Testing the XOR gate and other gates (there with Adam and η = 0.1). One epoch
    is one step on all four examples: the loss is the mean squared error of the outputs
    σ(σ(x·W1 + b1)·W2 + b2) against XOR_TARGETS, its gradients come from tf.GradientTape, and
    every parameter moves by −change of *its own* optimizer, `optimizer(learning_rate)` (one
    per parameter). `losses[e]` is the loss at the start of epoch e (losses[0]: before any step).
    """
    weights, biases = xor_start(seed, hidden)
    ### BEGIN SOLUTION
    parameters = [tf.Variable(p) for p in weights + biases]
    optimizers = [optimizer(learning_rate) for _ in parameters]
    w1, w2, b1, b2 = parameters
    losses = []
    for _ in range(epochs):
        with tf.GradientTape() as tape:
            hidden_out = tf.sigmoid(XOR_INPUTS @ w1 + b1)
            output = tf.sigmoid(hidden_out @ w2 + b2)
            loss = tf.reduce_mean(tf.square(output - XOR_TARGETS))
        losses.append(float(loss))
        for parameter, opt, gradient in zip(parameters, optimizers, tape.gradient(loss, parameters)):
            parameter.assign_sub(opt.change(gradient))
    return [w1.numpy(), w2.numpy()], [b1.numpy(), b2.numpy()], losses
    ### END SOLUTION

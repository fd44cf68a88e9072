"""Exercise 4: training an MLP on MNIST with batched gradient descent, and testing it.

Thesis: §Pre-Processing MNIST, §Network Training (its training and testing loops), §Model Bias
(Figs. 23–24).
"""

import numpy as np
import tensorflow as tf


def preprocess(images, labels):
    """MNIST arrays as the network wants them.

    Thesis §Pre-Processing MNIST: flatten every 28×28 image to 784 numbers and scale the pixels from 0..255 to
    [0, 1]; turn every label d into a one-hot row of 10 numbers with a 1.0 at index d.

    images: (n, 28, 28) uint8; labels: (n,) ints 0..9.
    Returns (x, y): x (n, 784) float32 in [0, 1]; y (n, 10) float32 one-hot.
    """
    # YOUR CODE HERE
    raise NotImplementedError('training.preprocess is not implemented yet — thesis §Pre-Processing MNIST')


def loss(predicted, desired) -> tf.Tensor:
    """The mean squared error: the average of (predicted − desired)² over every element.

    Thesis §Network Training. predicted, desired: (n, 10) float32. Returns a scalar float32 tensor.
    """
    # YOUR CODE HERE
    raise NotImplementedError('training.loss is not implemented yet — thesis §Network Training')


def train(model, x_batch, y_batch, learning_rate) -> tf.Tensor:
    """One step of gradient descent on one batch; returns the batch's loss before the step.

    Thesis §Network Training: compute the loss under a `tf.GradientTape`, ask the tape for the gradient
    of the loss with respect to every trainable variable of the model, and move each variable
    against its gradient with `assign_sub`.

    model: a tf.Module (e.g. the MLP); x_batch: (b, 784) float32; y_batch: (b, 10) float32.
    """
    # YOUR CODE HERE
    raise NotImplementedError('training.train is not implemented yet — thesis §Network Training')


def make_dataset(x, y, batch_size: int, seed=None) -> tf.data.Dataset:
    """(x, y) as a tf.data.Dataset of batches of `batch_size`, reshuffled every epoch."""
    dataset = tf.data.Dataset.from_tensor_slices((x, y))
    dataset = dataset.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size)


def training_loop(model, dataset, epochs: int, learning_rate, step=train) -> list:
    """Train for `epochs` passes over a batched dataset; returns the mean loss of each epoch.

    Thesis §Network Training: for every epoch, call `step(model, x_batch, y_batch, learning_rate)` on
    every batch of the dataset, and average the losses it returns over the epoch.

    dataset: a tf.data.Dataset of (x_batch, y_batch). Returns a list of `epochs` Python floats.
    """
    # YOUR CODE HERE
    raise NotImplementedError('training.training_loop is not implemented yet — thesis §Network Training')


def predict(model, x) -> np.ndarray:
    """The digit the model picks for every image: the index of its largest output (thesis §Network Training,
    its testing loop).

    x: (n, 784) float32. Returns (n,) int64 digits 0..9.
    """
    # YOUR CODE HERE
    raise NotImplementedError('training.predict is not implemented yet — thesis §Network Training')


def testing_loop(model, x, y):
    """How well the model does on a test set: (accuracy in percent, number correct).

    Thesis §Network Training (its testing loop): an image counts as correct when the predicted digit equals its label.

    x: (n, 784) float32; y: (n, 10) one-hot float32. Returns (float percent, int correct).
    """
    # YOUR CODE HERE
    raise NotImplementedError('training.testing_loop is not implemented yet — thesis §Network Training')


def correct_per_digit(model, x, y):
    """How many test images of each digit the model gets right (thesis §Model Bias, Figs. 23–24).

    x: (n, 784) float32; y: (n, 10) one-hot float32.
    Returns (correct, total): two (10,) int64 arrays; index d counts the images labelled d.
    """
    # YOUR CODE HERE
    raise NotImplementedError('training.correct_per_digit is not implemented yet — thesis §Model Bias')

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
    ### BEGIN SOLUTION
    x = tf.reshape(tf.cast(images, tf.float32) / 255.0, (-1, 784))
    y = tf.one_hot(tf.cast(labels, tf.int32), 10, dtype=tf.float32)
    return x, y
    ### END SOLUTION


def loss(predicted, desired) -> tf.Tensor:
    """The mean squared error: the average of (predicted − desired)² over every element.

    Thesis §Network Training. predicted, desired: (n, 10) float32. Returns a scalar float32 tensor.
    """
    ### BEGIN SOLUTION
    return tf.reduce_mean(tf.square(predicted - desired))
    ### END SOLUTION


def train(model, x_batch, y_batch, learning_rate) -> tf.Tensor:
    """One step of gradient descent on one batch; returns the batch's loss before the step.

    Thesis §Network Training: compute the loss under a `tf.GradientTape`, ask the tape for the gradient
    of the loss with respect to every trainable variable of the model, and move each variable
    against its gradient with `assign_sub`.

    model: a tf.Module (e.g. the MLP); x_batch: (b, 784) float32; y_batch: (b, 10) float32.
    """
    ### BEGIN SOLUTION
    with tf.GradientTape() as tape:
        batch_loss = loss(model(x_batch), y_batch)
    gradients = tape.gradient(batch_loss, model.trainable_variables)
    for variable, gradient in zip(model.trainable_variables, gradients):
        variable.assign_sub(learning_rate * gradient)
    return batch_loss
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    epoch_losses = []
    for _ in range(epochs):
        batch_losses = [float(step(model, x_batch, y_batch, learning_rate)) for x_batch, y_batch in dataset]
        epoch_losses.append(float(np.mean(batch_losses)))
    return epoch_losses
    ### END SOLUTION


def predict(model, x) -> np.ndarray:
    """The digit the model picks for every image: the index of its largest output (thesis §Network Training,
    its testing loop).

    x: (n, 784) float32. Returns (n,) int64 digits 0..9.
    """
    ### BEGIN SOLUTION
    return np.argmax(model(x).numpy(), axis=1).astype(np.int64)
    ### END SOLUTION


def testing_loop(model, x, y):
    """How well the model does on a test set: (accuracy in percent, number correct).

    Thesis §Network Training (its testing loop): an image counts as correct when the predicted digit equals its label.

    x: (n, 784) float32; y: (n, 10) one-hot float32. Returns (float percent, int correct).
    """
    ### BEGIN SOLUTION
    correct = int(np.sum(predict(model, x) == np.argmax(np.asarray(y), axis=1)))
    return 100.0 * correct / len(x), correct
    ### END SOLUTION


def correct_per_digit(model, x, y):
    """How many test images of each digit the model gets right (thesis §Model Bias, Figs. 23–24).

    x: (n, 784) float32; y: (n, 10) one-hot float32.
    Returns (correct, total): two (10,) int64 arrays; index d counts the images labelled d.
    """
    ### BEGIN SOLUTION
    labels = np.argmax(np.asarray(y), axis=1)
    hits = predict(model, x) == labels
    correct = np.bincount(labels[hits], minlength=10).astype(np.int64)
    total = np.bincount(labels, minlength=10).astype(np.int64)
    return correct, total
    ### END SOLUTION

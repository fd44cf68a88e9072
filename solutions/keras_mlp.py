"""Exercise 10 (advanced track): the same MLP in Keras.

Write-up (mnist-fits-keras-writeup.txt), its fully connected example: a `keras.Sequential` of
Flatten (28×28 → 784), Dense(512, relu), Dropout(0.2) and Dense(10, softmax), compiled with Adam,
sparse categorical cross-entropy (labels as digits, not one-hot) and accuracy, then `model.fit`
with validation data. Keras does by itself what exercise 9 wrote by hand; `compare` puts the two
side by side on the same data.
The inputs are MNIST images as x (n, 28, 28) float32 in [0, 1] and labels (n,) digits 0–9.
"""

import time

import keras
import numpy as np
import tensorflow as tf

from .softmax_network import SoftmaxNetwork, accuracy, train


def parameter_count(sizes) -> int:
    """The number of parameters of a stack of Dense layers of these sizes (inputs first): a weight
    per connection and a bias per unit of every layer after the inputs.

    Write-up §Example fits (its model summary): [784, 512, 10] has 784·512 + 512 + 512·10 + 10 =
    407,050. Count by hand: no Keras here.
    """
    ### BEGIN SOLUTION
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))
    ### END SOLUTION


def build_model(seed: int = 0, hidden: int = 512, dropout: float = 0.2) -> keras.Sequential:
    """The write-up's network: keras.Input((28, 28)), Flatten, Dense(hidden, "relu"),
    Dropout(dropout), Dense(10, "softmax").

    Write-up §Example fits. Seed Keras first (keras.utils.set_random_seed), so that the same seed
    gives the same initial weights (Keras' defaults: Glorot-uniform weights, zero biases).
    """
    ### BEGIN SOLUTION
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(hidden, activation="relu"),
                             keras.layers.Dropout(dropout), keras.layers.Dense(10, activation="softmax")])
    ### END SOLUTION


def compile_model(model: keras.Model, learning_rate: float = 0.001) -> keras.Model:
    """Compile `model` for training as the write-up does and return it: the Adam optimizer (at this
    learning rate), the sparse categorical cross-entropy loss and the accuracy metric.

    Write-up §Example fits (its model.compile). "Sparse": the labels are digits, not one-hot rows.
    """
    ### BEGIN SOLUTION
    adam = keras.optimizers.Adam(learning_rate)
    model.compile(optimizer=adam, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
    ### END SOLUTION


def fit(model: keras.Model, x, labels, x_val, labels_val, epochs: int = 5, batch_size: int = 32) -> dict:
    """Train a compiled model with `model.fit` for `epochs` passes in batches of `batch_size`,
    validated on (x_val, labels_val) after every epoch; return its history as a dict of lists of
    Python floats, one per epoch: "loss", "accuracy", "val_loss", "val_accuracy".

    Write-up §Example fits (5 epochs). Pass the validation images as validation_data (not
    validation_split: every image of x is for training). The write-up validates on the test images;
    in a study, keep the test images for the end and validate on images held out of the training
    set (exercise 5's idea). Pass verbose=0: the grader has no terminal for a progress bar.
    """
    ### BEGIN SOLUTION
    history = model.fit(x, labels, epochs=epochs, batch_size=batch_size, validation_data=(x_val, labels_val),
                        verbose=0)
    return {key: [float(value) for value in values] for key, values in history.history.items()}
    ### END SOLUTION


def hidden_activations(model: keras.Model, x, training: bool) -> tf.Tensor:
    """What the Dropout layer of a `build_model` network passes on for inputs x: run the layers up
    to and including Dropout, with `training` passed to every layer.

    Write-up §Example fits (its Dropout(0.2)): with training=False that is the hidden layer's ReLU
    output unchanged; with training=True about a fifth of the units (the rate) are 0 and the others
    are scaled by 1/(1 − rate), so that the expected value stays the same. Returns (n, hidden) float32.
    """
    ### BEGIN SOLUTION
    a = tf.convert_to_tensor(x, tf.float32)
    for layer in model.layers[:3]:
        a = layer(a, training=training)
    return a
    ### END SOLUTION


def compare(x, labels, x_test, labels_test, epochs: int = 1, seed: int = 0) -> list[dict]:
    """Train exercise 9's network and this exercise's Keras one on the same data and fill in the
    table: one row each, {"model": the trained model, "parameters": `parameter_count` of its layer
    sizes, "accuracy": % of the test images right, "seconds": the wall time of its training, all
    epochs together (`table` divides by the epochs)}.

    Write-up §Example fits; Workshop §Building up the neural network. The first row is
    exercise 9's `SoftmaxNetwork.from_sizes(seed=seed)` trained with its `train` for `epochs`
    (flattened x, one-hot y, in batches of 100 of a dataset shuffled whole with `seed`, learning
    rate 0.5), its accuracy from its `accuracy`; the second is `build_model(seed)`, compiled with
    `compile_model`, trained with `fit` for `epochs` (batches of 32, validated on the test data:
    here the table is the end), its accuracy from the model's own output (`training=False`). Use
    your own functions for both.
    """
    ### BEGIN SOLUTION
    flat, flat_test = (tf.reshape(tf.convert_to_tensor(a, tf.float32), (-1, 784)) for a in (x, x_test))
    dataset = tf.data.Dataset.from_tensor_slices((flat, tf.one_hot(labels, 10))).shuffle(len(labels), seed=seed).batch(100)
    network = SoftmaxNetwork.from_sizes(seed=seed)
    start = time.perf_counter()
    train(network, dataset, epochs, learning_rate=0.5)
    network_time = time.perf_counter() - start
    model = compile_model(build_model(seed))
    start = time.perf_counter()
    fit(model, x, labels, x_test, labels_test, epochs=epochs)
    keras_time = time.perf_counter() - start
    sizes = [784, *(int(w.shape[1]) for w in network.weights)]
    return [{"model": network, "parameters": parameter_count(sizes), "accuracy": accuracy(network, flat_test, labels_test),
             "seconds": network_time},
            {"model": model, "parameters": parameter_count([784, 512, 10]),
             "accuracy": 100.0 * float(np.mean(np.argmax(model(x_test, training=False), axis=1) == labels_test)),
             "seconds": keras_time}]
    ### END SOLUTION


def table(rows: list[dict], epochs: int) -> str:
    """`compare`'s rows (trained for `epochs`) as a Markdown table (given)."""
    lines = ["| model | parameters | test accuracy (%) | seconds per epoch |", "|---|---:|---:|---:|"]
    names = ("softmax network (exercise 9)", "Keras (exercise 10)")
    lines += [f"| {name} | {row['parameters']:,} | {row['accuracy']:.2f} | {row['seconds'] / epochs:.2f} |"
              for name, row in zip(names, rows)]
    return "\n".join(lines)

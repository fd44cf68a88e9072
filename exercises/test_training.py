"""Self-checks of exercise 4: training and testing on MNIST (run `pytest exercises/ -m training`)."""

import numpy as np
import pytest
import tensorflow as tf

from exercises.selfcheck import as_array, expect_array, expect_close, expect_dtype, expect_floats, expect_tensor, fail

pytestmark = pytest.mark.training

SMALL_WEIGHTS = [[[0.5, -0.25, 1.0], [0.75, 0.5, -1.5]], [[1.0], [-2.0], [0.5]]]
SMALL_BIASES = [[[0.1, -0.2, 0.3]], [[0.25]]]


class FixedOutputs(tf.Module):
    """A stand-in model that returns the same outputs whatever it is given (no variables)."""

    def __init__(self, outputs):
        super().__init__()
        self.outputs = tf.constant(outputs, tf.float32)

    def __call__(self, x):
        return self.outputs


def one_hot(labels):
    return np.eye(10, dtype=np.float32)[labels]


@pytest.mark.task("training.preprocess")
def test_preprocess(kit, mnist_sample):
    (images, labels), _ = mnist_sample
    x, y = kit.training.preprocess(images[:50], labels[:50])
    task, call = "training.preprocess", "preprocess(the first 50 MNIST training images and labels)"
    expect_dtype(task, call + " → x", x, tf.float32)
    expect_dtype(task, call + " → y", y, tf.float32)
    expect_close(task, call + " → x", x, (images[:50].reshape(50, 784) / 255.0).astype(np.float32),
                 alternatives={"not scaled": images[:50].reshape(50, 784)})
    every_digit = np.tile(np.isin(np.arange(10), labels[:50]), (50, 1)).astype(np.float32)  # y[:, labels] = 1
    expect_close(task, call + " → y", y, one_hot(labels[:50]), atol=0,
                 alternatives={"labels not one-hot": labels[:50], "a 1 in every row for every digit of the batch": every_digit})
    dimmed = (images[:5] // 2).astype(np.uint8)  # brightest pixel 127: the scale is the pixel range, 0..255
    x, _ = kit.training.preprocess(dimmed, labels[:5])
    expect_close(task, "preprocess(5 MNIST images at half brightness, their labels) → x", x,
                 dimmed.reshape(5, 784) / 255.0, alternatives={"scaled by the batch's maximum": dimmed.reshape(5, 784) / 127})


@pytest.mark.task("training.loss")
@pytest.mark.parametrize("predicted, desired, expected", [
    ([[1.0, 0.0, 1.0], [0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0]], 0.5),  # first: every wrong answer differs
    ([[1.0, 0.0]], [[0.0, 0.5]], 0.625), ([[0.5, 0.5], [1.0, 0.0]], [[0.0, 1.0], [1.0, 0.0]], 0.125),
])
def test_loss(kit, predicted, desired, expected):
    got = kit.training.loss(tf.constant(predicted), tf.constant(desired))
    difference = np.subtract(predicted, desired)
    call = f"loss({predicted}, {desired})"
    expect_close("training.loss", call, got, expected,
                 alternatives={"the sum, not the mean": np.sum(difference ** 2), "no square": np.mean(difference),
                               "the mean of each row's sum": np.mean(np.sum(difference ** 2, axis=1))})
    expect_tensor("training.loss", call + " of float32 tensors", got, tf.float32)


@pytest.mark.task("training.train")
@pytest.mark.uses("mlp.MLP.__call__", "training.loss")
def test_train_one_step(kit):
    model = kit.mlp.MLP(SMALL_WEIGHTS, SMALL_BIASES)
    x, y = [[0.0, 0.0], [1.0, 2.0], [-1.0, 0.5]], [[1.0], [0.0], [1.0]]
    call = f"train(MLP({SMALL_WEIGHTS}, {SMALL_BIASES}), {x}, {y}, learning_rate=0.5)"
    got = kit.training.train(model, tf.constant(x), tf.constant(y), 0.5)
    expect_close("training.train", call + " → returned loss", got, 0.2605705,
                 alternatives={"the loss after the step": 0.24786478})
    expect_tensor("training.train", call + " → returned loss", got, tf.float32)
    expected = {
        "weights[0]": [[0.48432136, -0.2082133, 0.9937369], [0.7479748, 0.5262006, -1.5034962]],
        "weights[1]": [[1.0069846], [-1.9816506], [0.5245063]],
        "biases[0]": [[0.117276296, -0.22294854, 0.30561194]],
        "biases[1]": [[0.2943938]],
    }
    actual = dict(zip(expected, model.weights + model.biases))
    if all(np.allclose(actual[name].numpy(), start) for name, start in zip(expected, SMALL_WEIGHTS + SMALL_BIASES)):
        fail("training.train", f"{call} → the model's variables afterwards", "each moved by −learning_rate × its gradient",
             "every one as it started", "no variable moved")
    for (name, want), start in zip(expected.items(), SMALL_WEIGHTS + SMALL_BIASES):
        step = np.subtract(want, start)  # −learning_rate × gradient
        expect_close("training.train", f"{call} → model.{name} afterwards", actual[name].numpy(), want,
                     alternatives={"climbs the gradient": np.subtract(start, step), "no learning rate": np.add(start, step / 0.5),
                                   "left as it started": start, "assign, not assign_sub": np.negative(step)})


class Scale(tf.Module):
    """A model that is not an MLP: one trainable variable, named neither weights nor biases."""

    def __init__(self):
        super().__init__()
        self.scale = tf.Variable([[0.5, -1.0]])

    def __call__(self, x):
        return x * self.scale


@pytest.mark.task("training.train")
@pytest.mark.uses("training.loss")
def test_train_updates_every_trainable_variable(kit):
    model, x, y = Scale(), tf.constant([[1.0, 2.0]]), tf.constant([[0.0, 0.0]])
    call = "train(a tf.Module whose one variable, scale = [[0.5, -1.0]], scales its input, x=[[1, 2]], y=[[0, 0]], 0.5)"
    got = kit.training.train(model, x, y, 0.5)  # loss = mean((x·s)²) = 2.125: ∂/∂s = x²·s; s − 0.5·x²·s
    expect_close("training.train", call + " → returned loss", got, 2.125)
    expect_close("training.train", call + " → scale afterwards", model.scale.numpy(), [[0.25, 1.0]])


@pytest.mark.task("training.training_loop")
def test_training_loop_averages_the_step_losses(kit):
    dataset = tf.data.Dataset.from_tensor_slices((tf.zeros((10, 2)), tf.zeros((10, 1)))).batch(4)
    calls = []

    def step(model, x_batch, y_batch, learning_rate):
        calls.append((len(x_batch), learning_rate))
        return tf.constant(float(len(calls)))

    call = "training_loop(model, 10 samples in batches of 4, epochs=2, learning_rate=0.3, step=a counting step)"
    got = kit.training.training_loop(FixedOutputs(np.zeros((1, 1))), dataset, 2, 0.3, step=step)
    if not calls:
        fail("training.training_loop", call, "step called on every batch", "step never called", "step ignored")
    expect_close("training.training_loop", call + " → mean loss per epoch", got, [2.0, 5.0],
                 alternatives={"the sum, not the mean": [6.0, 15.0], "one epoch only": [2.0],
                               "the losses not started afresh each epoch": [2.0, 3.5],
                               "the last batch's loss, not the epoch's mean": [3.0, 6.0]})
    expect_floats("training.training_loop", call + " → mean loss per epoch", got)
    if calls != [(4, 0.3), (4, 0.3), (2, 0.3)] * 2:
        fail("training.training_loop", call, "step called with batches of 4, 4, 2 per epoch and the learning rate",
             calls, "wrong calls of step")


@pytest.mark.task("training.training_loop")
@pytest.mark.uses("mlp.MLP.from_sizes", "mlp.MLP.__call__", "training.train")
def test_training_loop_lowers_the_loss(kit, mnist_sample):
    (images, labels), _ = mnist_sample
    x, y = images[:500].reshape(-1, 784).astype(np.float32) / 255.0, one_hot(labels[:500])
    model = kit.mlp.MLP.from_sizes([784, 16, 10], seed=0)
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(25)
    call = "training_loop(MLP.from_sizes([784, 16, 10], seed=0), 500 MNIST images in batches of 25, epochs=3, 2.0)"
    losses = as_array("training.training_loop", call, kit.training.training_loop(model, dataset, 3, 2.0), "3 floats")
    if losses.shape != (3,) or not np.all(np.diff(losses) < 0):
        fail("training.training_loop", call, "3 mean losses, each lower than the one before", losses)


@pytest.mark.task("training.predict")
def test_predict(kit):
    outputs = np.eye(10)[[3, 0, 9, 3]] * 0.6 + 0.1
    got = kit.training.predict(FixedOutputs(outputs), tf.zeros((4, 784)))
    call = "predict(a model whose outputs for 4 images peak at positions 3, 0, 9, 3)"
    expect_close("training.predict", call, got, [3, 0, 9, 3], atol=0,
                 alternatives={"the wrong axis": np.argmax(outputs, axis=0)})
    expect_array("training.predict", call, got, np.int64)


@pytest.mark.task("training.testing_loop")
@pytest.mark.uses("training.predict")
def test_testing_loop(kit):
    outputs = np.eye(10)[[1, 2, 3, 4, 5, 6, 7, 8]]
    labels = [1, 2, 3, 0, 5, 0, 7, 0]
    got = kit.training.testing_loop(FixedOutputs(outputs), tf.zeros((8, 784)), one_hot(labels))
    call = f"testing_loop(a model predicting 1..8, 8 images labelled {labels})"
    expect_close("training.testing_loop", call + " → (accuracy %, correct)", got, [62.5, 5],
                 alternatives={"a fraction, not a percent": [0.625, 5],
                               "divided by MNIST's 10,000 test images, not by the images given": [0.05, 5],
                               "a whole number of percent": [62.0, 5]})
    if type(got[0]) is not float or type(got[1]) is not int:
        fail("training.testing_loop", call, "(a Python float, a Python int)", f"({type(got[0]).__name__}, "
             f"{type(got[1]).__name__})", "wrong types: convert with float() and int()", "type")


@pytest.mark.task("training.correct_per_digit")
@pytest.mark.uses("training.predict")
def test_correct_per_digit(kit):
    predicted, labels = [0, 1, 1, 2, 9, 9, 9], [0, 1, 2, 2, 9, 9, 3]
    got = kit.training.correct_per_digit(FixedOutputs(np.eye(10)[predicted]), tf.zeros((7, 784)), one_hot(labels))
    call = f"correct_per_digit(a model predicting {predicted}, labels {labels})"
    expect_close("training.correct_per_digit", call + " → correct", got[0], [1, 1, 1, 0, 0, 0, 0, 0, 0, 2], atol=0)
    expect_close("training.correct_per_digit", call + " → total", got[1], [1, 1, 2, 1, 0, 0, 0, 0, 0, 2], atol=0,
                 alternatives={"the totals of the predicted digits, not of the labels": np.bincount(predicted, minlength=10)})
    expect_array("training.correct_per_digit", call + " → correct", got[0], np.int64)
    expect_array("training.correct_per_digit", call + " → total", got[1], np.int64)
    predicted, labels = [0, 1, 4], [0, 1, 2]  # no 9 anywhere: still ten counts
    got = kit.training.correct_per_digit(FixedOutputs(np.eye(10)[predicted]), tf.zeros((3, 784)), one_hot(labels))
    call = f"correct_per_digit(a model predicting {predicted}, labels {labels})"
    expect_close("training.correct_per_digit", call + " → correct", got[0], [1, 1, 0, 0, 0, 0, 0, 0, 0, 0], atol=0,
                 alternatives={"fewer than ten counts": [1, 1]})
    expect_close("training.correct_per_digit", call + " → total", got[1], [1, 1, 1, 0, 0, 0, 0, 0, 0, 0], atol=0)

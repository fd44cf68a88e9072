"""Hidden suite of exercise 4: training and testing on MNIST (25 points).

`train`, the training loop and the testing functions are run on the grader's own model (a sigmoid
MLP built where the student's code runs), so each task is graded on its own.

The MNIST check (configuration and judge in mnist_check.py) trains the grader's model with the
student's `training_loop` and `train` for one epoch; the worker gets the training set only and
returns the trained parameters, which must equal the reference training's from the same start and
label at least 90 % of the test images right through the grader's own forward pass.
"""

import numpy as np
import pytest
import tensorflow as tf

from grader.scoring.judges import SelfCheckFailure, expect_array, expect_close, expect_dtype, fail
from grader.isolation.sandbox import WorkerLost
from grader.scoring.student import Dataset, Fn, Model, StudentError
from grader.isolation.worker.harness import harness_mlp
from solutions import training as reference
from tests.hidden import mnist_check
from tests.hidden.conftest import (check_parameters, expect_float_lists, expect_model, expect_tensor, parameters_of,
                                   parameters_shaped, random_parameters, raw_mnist)

pytestmark = pytest.mark.training


@pytest.mark.points(3)
@pytest.mark.task("training.preprocess")
def test_preprocess(student, rng):
    (images, labels), _ = raw_mnist()
    pick = rng.choice(len(images), 40, replace=False)
    # dimmed images (brightest pixel below 255): the scale is the pixel range, not the batch's maximum
    images = (images[pick] * rng.uniform(0.4, 0.9)).astype(np.uint8)
    x, y = student.training.preprocess(images, labels[pick])
    expected_x, expected_y = reference.preprocess(images, labels[pick])
    call = f"preprocess(40 random MNIST training images, dimmed to a brightest pixel of {images.max()}, and their labels)"
    expect_dtype("training.preprocess", call + " → x", x, np.float32)
    expect_dtype("training.preprocess", call + " → y", y, np.float32)
    expect_close("training.preprocess", call + " → x", x, expected_x.numpy(),
                 alternatives={"not scaled": images.reshape(-1, 784), "scaled by the batch's maximum":
                               images.reshape(-1, 784) / images.max()})
    expect_close("training.preprocess", call + " → y", y, expected_y.numpy(), atol=0)


@pytest.mark.points(2)
@pytest.mark.task("training.loss")
def test_loss(student, rng):
    predicted, desired = rng.uniform(size=(6, 10)).astype(np.float32), rng.uniform(size=(6, 10)).astype(np.float32)
    got = student.training.loss(tf.constant(predicted), tf.constant(desired))
    call = "loss(random (6, 10) outputs, random (6, 10) targets)"
    expected = np.mean((predicted - desired) ** 2)
    expect_close("training.loss", call, got, expected, alternatives={
        "the sum, not the mean": np.sum((predicted - desired) ** 2), "no square": np.mean(predicted - desired),
        "the mean of each row's sum": np.mean(np.sum((predicted - desired) ** 2, axis=1))})
    expect_tensor("training.loss", call, got, np.float32)
    compiled = expect_model("training.loss", "tf.function(loss)",  # train differentiates it inside tf.function
                            student.build(Fn("compiled:student:training.loss")))
    expect_close("training.loss", f"tf.function({call})", compiled(tf.constant(predicted), tf.constant(desired)), expected)


def small_problem(rng, n=12):
    sizes = [int(rng.integers(3, 7)), int(rng.integers(2, 6)), int(rng.integers(2, 5))]
    weights, biases = random_parameters(rng, sizes)
    x = rng.uniform(size=(n, sizes[0])).astype(np.float32)
    y = np.eye(sizes[-1], dtype=np.float32)[rng.integers(0, sizes[-1], n)]
    return sizes, weights, biases, x, y


@pytest.mark.points(4)
@pytest.mark.task("training.train")
def test_train_one_step(student, rng):
    sizes, weights, biases, x, y = small_problem(rng)
    rate = float(rng.uniform(0.5, 3))
    call = f"train(a {sizes} sigmoid MLP, a batch of {len(x)}, learning_rate={rate:.4f})"
    model = student.build(Model(weights, biases))
    got = student.training.train(model, tf.constant(x), tf.constant(y), rate)
    expected_model = harness_mlp(weights, biases)
    expected = reference.train(expected_model, tf.constant(x), tf.constant(y), rate)
    expect_close("training.train", call + " → returned loss", got, float(expected))
    check_parameters("training.train", call, model, expected_model)
    model, expected_model = student.build(Model(weights, biases, gain=True)), harness_mlp(weights, biases, gain=True)
    student.training.train(model, tf.constant(x), tf.constant(y), rate)
    reference.train(expected_model, tf.constant(x), tf.constant(y), rate)
    expect_close("training.train", call.replace("MLP", "MLP with a trainable gain variable") + " → its gain afterwards",
                 model.get("gain"), expected_model.gain.numpy(), rtol=1e-4)


@pytest.mark.points(4)
@pytest.mark.task("training.training_loop")
def test_training_loop_matches_the_reference(student, rng):
    sizes, weights, biases, x, y = small_problem(rng, n=int(rng.integers(20, 40)))
    rate, batch, epochs = float(rng.uniform(0.5, 3)), int(rng.integers(3, 8)), int(rng.integers(2, 4))
    call = f"training_loop(a {sizes} MLP, {len(x)} samples in batches of {batch}, epochs={epochs}, {rate:.4f})"
    model = student.build(Model(weights, biases))
    got = student.training.training_loop(model, Dataset(x, y, batch), epochs, rate)
    expected_model = harness_mlp(weights, biases)
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(batch)
    expected = reference.training_loop(expected_model, dataset, epochs, rate)
    expect_close("training.training_loop", call + " → mean loss per epoch", got, expected, rtol=1e-4)
    expect_float_lists("training.training_loop", call + " → mean loss per epoch", [got], 1, epochs, "the mean losses")
    check_parameters("training.training_loop", call, model, expected_model)
    # with a step that trains nothing, nothing may change: the loop must use the step it is given
    model = student.build(Model(weights, biases))
    student.training.training_loop(model, Dataset(x, y, batch), epochs, rate, Fn("frozen_step"))
    if any(not np.array_equal(now, start) for now, start in zip(parameters_of(model), weights + biases)):
        fail("training.training_loop", call.replace(")", ", step=a step that trains nothing)"),
             "the model's parameters unchanged", "parameters changed", "step ignored")


def fixed_model_case(rng, n=30):
    weights, biases = random_parameters(rng, [784, 10], np.float32)
    weights *= 8
    x = rng.uniform(size=(n, 784)).astype(np.float32)
    predicted = np.argmax(harness_mlp(weights, biases)(x).numpy(), axis=1)
    labels = np.where(rng.uniform(size=n) < 0.6, predicted, rng.integers(0, 10, n))
    return weights, biases, x, predicted, labels


@pytest.mark.points(2)
@pytest.mark.task("training.predict")
def test_predict(student, rng):
    weights, biases, x, predicted, _ = fixed_model_case(rng)
    got = student.training.predict(student.build(Model(weights, biases)), x)
    expect_close("training.predict", f"predict(a model, {len(x)} random images)", got, predicted, atol=0,
                 alternatives={"the wrong axis": np.argmax(harness_mlp(weights, biases)(x).numpy(), axis=0)})
    expect_array("training.predict", f"predict(a model, {len(x)} random images)", got, np.int64)


@pytest.mark.points(2)
@pytest.mark.task("training.testing_loop")
def test_testing_loop(student, rng):
    weights, biases, x, predicted, labels = fixed_model_case(rng, 31)  # a prime: no whole percentage but 0 and 100
    if np.all(predicted == labels):
        labels[0] = (predicted[0] + 1) % 10
    correct = int(np.sum(predicted == labels))
    got = student.training.testing_loop(student.build(Model(weights, biases)), x, np.eye(10, dtype=np.float32)[labels])
    call = f"testing_loop(a model, {len(x)} images, {correct} of them predicted right)"
    expect_close("training.testing_loop", call, got, [100.0 * correct / len(x), correct])
    if type(got[0]) is not float or type(got[1]) is not int:
        fail("training.testing_loop", call, "(a Python float, a Python int)", got, "wrong types: convert with float() and int()",
             "type")


@pytest.mark.points(2)
@pytest.mark.task("training.correct_per_digit")
def test_correct_per_digit(student, rng):
    weights, biases, x, predicted, labels = fixed_model_case(rng, 60)
    keep = labels != 9  # no image labelled 9: still ten counts
    x, predicted, labels = x[keep], predicted[keep], labels[keep]
    got = student.training.correct_per_digit(student.build(Model(weights, biases)), x, np.eye(10, dtype=np.float32)[labels])
    call = f"correct_per_digit(a model, {len(x)} images)"
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        fail("training.correct_per_digit", call, "a pair (correct, total)", got, "wrong type", "type")
    expect_close("training.correct_per_digit", call + " → correct", got[0],
                 np.bincount(labels[predicted == labels], minlength=10), atol=0,
                 alternatives={"fewer than ten counts": np.bincount(labels[predicted == labels])})
    expect_close("training.correct_per_digit", call + " → total", got[1], np.bincount(labels, minlength=10), atol=0)
    for part, name in zip(got, ("correct", "total")):
        expect_array("training.correct_per_digit", f"{call} → {name}", part, np.int64)


def trained_on_mnist(student, start, x, y, seconds: float, *step):
    """(the grader's model after the student's training_loop, the losses it returned)."""
    weights, biases, seed = start
    model = student.build(Model(weights, biases))
    losses = student.training.training_loop.with_timeout(
        seconds, model, Dataset(x, y, mnist_check.BATCH, seed), mnist_check.EPOCHS, mnist_check.RATE, *step)
    return model, losses


@pytest.mark.points(6)
@pytest.mark.task("training.training_loop")
def test_mnist_accuracy(student, rng, mnist, request):
    (x_train, y_train), (x_test, labels) = mnist
    start = mnist_check.start(rng)
    weights, biases, _ = start
    call = (f"training_loop(a {mnist_check.SIZES} sigmoid MLP, the 60,000 MNIST training images in batches of "
            f"{mnist_check.BATCH}, epochs={mnist_check.EPOCHS}, learning_rate={mnist_check.RATE}) with your train")
    expected, expected_losses = mnist_check.expected_training(request.config.getoption("--grading-seed"))

    def judge(model, losses):
        expect_close("training.training_loop", call + " → mean loss per epoch", losses, expected_losses, rtol=1e-3)
        trained = parameters_shaped(model, weights + biases, "training.training_loop", call)
        problem = mnist_check.training_problem(trained, weights + biases, expected)
        if problem:
            fail("training.training_loop", call, "the parameters one epoch of gradient descent gives", problem,
                 "the model was not trained as specified")
        accuracy, needed = mnist_check.accuracy(trained, x_test, labels), mnist_check.pass_mark(expected, x_test, labels)
        if not accuracy >= needed:
            fail("training.training_loop", call + ", then the 10,000 test images", f"at least {needed:.2f} % right",
                 f"{accuracy:.2f} %")

    try:  # fast path: the student's train inside tf.function (see mnist_check)
        judge(*trained_on_mnist(student, start, x_train, y_train, mnist_check.COMPILED_SECONDS, mnist_check.COMPILED))
    except (SelfCheckFailure, StudentError, WorkerLost):
        judge(*trained_on_mnist(student, start, x_train, y_train, mnist_check.SECONDS))

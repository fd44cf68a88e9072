"""Hidden suite of exercise 9: the workshop's softmax network (25 points).

The judges: the workshop's start checked by its statistics; the logits, losses and steps against
TensorFlow's own functions and the grader's model; `train` against the reference loop from the same
start and batches; and the MNIST check (softmax_check.py) through the grader's forward pass.
"""

import numpy as np
import pytest
import tensorflow as tf

from grader.scoring.judges import check_workshop_generator, check_workshop_weights, expect_close, fail, shapes_problem
from grader.scoring.student import Dataset, Fn, Model
from grader.isolation.worker.harness import batched, harness_mlp, probability_squared_error, softmax_step
from solutions import softmax_network as reference
from tests.hidden import mnist_check, softmax_check
from tests.hidden.conftest import expect_model, expect_tensor, parameters_of, parameters_shaped

pytestmark = pytest.mark.softmax_network

ACTIVATIONS = {"relu": tf.nn.relu, "tanh": tf.tanh}


def random_network(rng: np.random.Generator, hidden: int | None = None):
    """(weights, biases) of a network of `hidden` (default 1 or 2) hidden layers, float32."""
    hidden = hidden or int(rng.integers(1, 3))
    sizes = [int(rng.integers(3, 9)), *(int(n) for n in rng.integers(3, 9, size=hidden)), 10]
    weights = [rng.normal(scale=0.5, size=shape).astype(np.float32) for shape in zip(sizes, sizes[1:])]
    biases = [rng.normal(scale=0.5, size=(1, n)).astype(np.float32) for n in sizes[1:]]
    return weights, biases


def one_hot(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.eye(10, dtype=np.float32)[rng.integers(0, 10, size=n)]


def logits_of(weights, biases, x, activation) -> np.ndarray:
    """The grader's forward pass: `activation` on the hidden layers, none on the output."""
    a = tf.constant(x, tf.float32)
    for i, (w, b) in enumerate(zip(weights, biases)):
        z = a @ w + b
        a = z if i == len(weights) - 1 else activation(z)
    return a.numpy()


@pytest.mark.points(3)
@pytest.mark.task("softmax_network.SoftmaxNetwork.from_sizes")
def test_from_sizes_starts_as_the_workshop(student, rng):
    task = "softmax_network.SoftmaxNetwork.from_sizes"
    sizes, seed = [int(rng.integers(50, 80)), int(rng.integers(30, 50)), int(rng.integers(20, 30)), 10], int(rng.integers(2**31))
    call = f"SoftmaxNetwork.from_sizes({sizes}, seed={seed})"
    weights, biases = (lambda p: (p[:3], p[3:]))(parameters_of(student.softmax_network.SoftmaxNetwork.from_sizes(
        sizes, seed=seed), task, call))
    shapes = [(a, b) for a, b in zip(sizes, sizes[1:])]
    got_shapes = [w.shape for w in weights] + [b.shape for b in biases]
    if got_shapes != shapes + [(1, n) for n in sizes[1:]]:
        fail(task, call + " → shapes of weights, then biases", shapes + [(1, n) for n in sizes[1:]], got_shapes,
             shapes_problem(got_shapes, shapes + [(1, n) for n in sizes[1:]]), "shape")
    for i, p in enumerate(weights + biases):
        expect_tensor(task, f"{call} → parameter {i}", p, np.float32)
    check_workshop_weights(task, call, weights)
    for i, b in enumerate(biases):
        expect_close(task, f"{call} → biases[{i}]", b, np.full(b.shape, 0.1), rtol=1e-6,
                     alternatives={"biases 0, not 0.1": np.zeros(b.shape)})
    again = parameters_of(student.softmax_network.SoftmaxNetwork.from_sizes(sizes, seed=seed), task, call)
    other = parameters_of(student.softmax_network.SoftmaxNetwork.from_sizes(sizes, seed=seed + 1), task, call)
    if not all(np.array_equal(a, b) for a, b in zip(weights, again)):
        fail(task, call + " twice", "the same weights", "different weights", "the same seed, other weights")
    if all(np.array_equal(a, b) for a, b in zip(weights, other)):
        fail(task, f"{call} and seed={seed + 1}", "different weights", "the same weights", "seed ignored")
    check_workshop_generator(task, call, weights[0], seed)
    made = f"SoftmaxNetwork.from_sizes({sizes}, activation=tf.tanh, seed={seed}) → its activation"
    kept = expect_model(task, made, student.softmax_network.SoftmaxNetwork.from_sizes(
        sizes, activation=Fn("tanh_activation"), seed=seed)).get("activation")
    if getattr(kept, "type_name", None) != "TanhActivation":
        fail(task, made, "the activation it was given", kept, "activation ignored")


@pytest.mark.points(4)
@pytest.mark.task("softmax_network.SoftmaxNetwork.__call__")
def test_call_gives_logits(student, rng):
    task = "softmax_network.SoftmaxNetwork.__call__"
    for (name, activation), hidden in zip(ACTIVATIONS.items(), (2, 3)):  # more than 2 layers: [:-1] is not [:1]
        weights, biases = random_network(rng, hidden)
        x = rng.uniform(size=(int(rng.integers(2, 6)), weights[0].shape[0])).astype(np.float32)
        model = expect_model(task, "SoftmaxNetwork(…)", student.softmax_network.SoftmaxNetwork(weights, biases, Fn(name)))
        call = f"SoftmaxNetwork(weights {[w.shape for w in weights]}, biases, activation={name})(x of shape {x.shape})"
        expected = logits_of(weights, biases, x, activation)
        got = model(x)
        expect_close(task, call, got, expected, rtol=1e-5, atol=1e-5,
                     alternatives={"softmax applied to the output": tf.nn.softmax(expected).numpy(),
                                   "the activation applied to the output layer too": activation(expected).numpy()})
        expect_tensor(task, call, got, np.float32)


@pytest.mark.points(3)
@pytest.mark.task("softmax_network.cross_entropy")
def test_cross_entropy(student, rng):
    task, n = "softmax_network.cross_entropy", int(rng.integers(3, 9))
    logits = (rng.normal(size=(n, 10)) * rng.choice([1.0, 100.0])).astype(np.float32)
    y = one_hot(rng, n)
    y[0] = np.eye(10, dtype=y.dtype)[int(np.argmin(logits[0]))]  # a row it gets wrong: a loss above 0, the sum not the mean
    call = f"cross_entropy(logits of shape {logits.shape}, scale up to {np.abs(logits).max():.0f}, one-hot y)"
    per_row = tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits).numpy()
    got = student.softmax_network.cross_entropy(tf.constant(logits), tf.constant(y))
    expect_close(task, call, got, per_row.mean(), rtol=1e-5, atol=1e-6,
                 alternatives={"the sum over the batch, not the mean": per_row.sum()})
    expect_tensor(task, call, got, np.float32)


@pytest.mark.points(2)
@pytest.mark.task("softmax_network.squared_error")
def test_squared_error(student, rng):
    task, n = "softmax_network.squared_error", int(rng.integers(3, 9))
    logits, y = rng.normal(scale=3.0, size=(n, 10)).astype(np.float32), one_hot(rng, n)
    call = f"squared_error(logits of shape {logits.shape}, one-hot y)"
    expected = float(np.mean((tf.nn.softmax(logits).numpy() - y) ** 2))
    got = student.softmax_network.squared_error(tf.constant(logits), tf.constant(y))
    expect_close(task, call, got, expected, rtol=1e-5, atol=1e-7,
                 alternatives={"of the logits, not of softmax(logits)": float(np.mean((logits - y) ** 2))})
    expect_tensor(task, call, got, np.float32)


@pytest.mark.points(4)
@pytest.mark.task("softmax_network.train_step")
def test_train_step(student, rng):
    task = "softmax_network.train_step"
    weights, biases = random_network(rng)
    n, rate = int(rng.integers(4, 12)), float(rng.uniform(0.05, 0.5))
    x, y = rng.uniform(size=(n, weights[0].shape[0])).astype(np.float32), one_hot(rng, n)
    call = (f"train_step(a ReLU network with a trainable gain, {n} examples, learning_rate={rate:.3f}, "
            f"loss=TensorFlow's mean squared error of softmax(logits), a loss that is not cross_entropy)")
    expected_model = harness_mlp(weights, biases, gain=True, logits=True)
    expected_loss = float(softmax_step(expected_model, x, y, rate, probability_squared_error))
    model = student.build(Model(weights, biases, gain=True, logits=True))
    got = student.softmax_network.train_step(model, x, y, rate, Fn("probability_squared_error"))
    expect_close(task, call + " → the loss it returns (before the step)", got, expected_loss, rtol=1e-5)
    expect_tensor(task, call + " → the loss it returns", got, np.float32)
    want = [v.numpy() for v in expected_model.weights + expected_model.biases] + [expected_model.gain.numpy()]
    for i, (a, b) in enumerate(zip(parameters_of(model, task, call) + [model.get("gain")], want)):
        expect_close(task, f"{call} → trainable variable {i} afterwards", a, b, rtol=1e-4, atol=1e-6)


@pytest.mark.points(3)
@pytest.mark.task("softmax_network.train")
def test_train_loops_over_the_batches(student, rng):
    task = "softmax_network.train"
    weights, biases = random_network(rng)
    n, batch, epochs = int(rng.integers(30, 60)), int(rng.integers(5, 12)), int(rng.integers(2, 4))
    rate, seed = float(rng.uniform(0.05, 0.3)), int(rng.integers(2**31))
    x, y = rng.uniform(size=(n, weights[0].shape[0])).astype(np.float32), one_hot(rng, n)
    call = (f"train(a ReLU network, {n} examples in batches of {batch} shuffled with seed {seed}, epochs={epochs}, "
            f"learning_rate={rate:.3f}, loss=a squared error of softmax(logits), step=a gradient-descent step that is not yours)")
    expected_model = harness_mlp(weights, biases, logits=True)
    expected = reference.train(expected_model, batched(x, y, batch, seed), epochs, rate, probability_squared_error,
                               softmax_step)  # a loss that is not cross_entropy: a train that ignores its loss shows
    model = student.build(Model(weights, biases, logits=True))
    got = student.softmax_network.train(model, Dataset(x, y, batch, seed), epochs, rate, Fn("probability_squared_error"),
                                        Fn("softmax_step"))
    if not isinstance(got, list) or len(got) != epochs or not all(type(v) is float for v in got):
        fail(task, call, f"a list of {epochs} Python floats (each epoch's mean batch loss)", got, "wrong type", "type")
    expect_close(task, call + " → each epoch's mean batch loss", got, expected, rtol=1e-4)
    for i, (a, b) in enumerate(zip(parameters_of(model, task, call), expected_model.weights + expected_model.biases)):
        expect_close(task, f"{call} → parameter {i} afterwards", a, b.numpy(), rtol=1e-4, atol=1e-6)
    call = call.replace("a gradient-descent step that is not yours", "a step that returns 1.0 inside tf.function for "
                        "its first two traces, 100.0 for later ones, 1000.0 when run eagerly").replace(f"epochs={epochs}", "epochs=1")
    flags = student.softmax_network.train(student.build(Model(weights, biases, logits=True)), Dataset(x, y, batch, seed),
                                          1, rate, Fn("softmax_cross_entropy"), Fn("tracing_step"))
    if flags != [1.0]:
        problem = "step not compiled" if isinstance(flags, list) and flags and flags[0] == 1000.0 else \
            "step traced again for every batch"
        fail(task, call, "[1.0]: the step compiled once, before the loop over the batches", flags, problem)


@pytest.mark.points(4)
@pytest.mark.task("softmax_network.train")
def test_softmax_mnist_accuracy(student, rng, mnist, request):
    (x_train, y_train), (x_test, labels) = mnist
    weights, biases, seed = softmax_check.start(rng)
    schedule = " then ".join(f"train(…, epochs={e}, learning_rate={r})" for e, r in softmax_check.SCHEDULE)
    call = (f"{schedule} with your train_step and cross_entropy: the workshop's {softmax_check.SIZES} network, the "
            f"60,000 MNIST training images in batches of {softmax_check.BATCH}")
    model, before_last = student.build(Model(weights, biases, logits=True)), None
    for epochs, rate in softmax_check.SCHEDULE:
        before_last = parameters_shaped(model, weights + biases, "softmax_network.train", call)
        losses = student.softmax_network.train.with_timeout(softmax_check.SECONDS, model,
                                                             Dataset(x_train, y_train, softmax_check.BATCH, seed), epochs, rate)
        if not isinstance(losses, list) or len(losses) != epochs or not all(type(v) is float for v in losses):
            fail("softmax_network.train", call, f"a list of {epochs} Python floats from train(…, epochs={epochs})", losses,
                 "wrong type", "type")
    trained = parameters_shaped(model, weights + biases, "softmax_network.train", call)
    expected, expected_losses = softmax_check.last_call(before_last, x_train, y_train, seed)
    expect_close("softmax_network.train", f"{call} → mean loss of the last call's epoch", losses, expected_losses,
                 rtol=1e-3)
    problem = mnist_check.training_problem(trained, before_last, expected, softmax_check.TOLERANCE,
                                           "the last call's epoch of gradient descent on the cross-entropy")
    if problem:
        fail("softmax_network.train", call, "the parameters the reference's training gives", problem,
             "the model was not trained as specified")
    accuracy = softmax_check.accuracy(trained, x_test, labels)
    if not accuracy >= softmax_check.PASS:  # a start from which the reference too stays below the pass mark?
        needed = softmax_check.pass_mark(softmax_check.expected_training(request.config.getoption("--grading-seed"))[0],
                                         x_test, labels)
        if not accuracy >= needed:
            fail("softmax_network.train", call + ", then the 10,000 test images", f"at least {needed:.2f} % right",
                 f"{accuracy:.2f} %")


@pytest.mark.points(2)
@pytest.mark.task("softmax_network.accuracy")
def test_accuracy_is_a_percentage(student, rng):
    task, n = "softmax_network.accuracy", int(rng.integers(20, 40))
    weights, biases = random_network(rng)
    x = rng.uniform(size=(n, weights[0].shape[0])).astype(np.float32)
    predicted = np.argmax(logits_of(weights, biases, x, tf.nn.relu), axis=1)
    labels = np.where(rng.random(n) < 0.6, predicted, rng.integers(0, 10, size=n)).astype(np.int64)
    expected = 100.0 * float(np.mean(predicted == labels))
    call = f"accuracy(a ReLU network, {n} inputs, labels of which {int(round(expected * n / 100))} match its largest logit)"
    got = student.softmax_network.accuracy(student.build(Model(weights, biases, logits=True)), x, labels)
    if type(got) is not float:
        fail(task, call, "a Python float", got, f"returned a {type(got).__name__}", "type")
    expect_close(task, call, got, expected, rtol=1e-6,  # a float32 mean is as right as a float64 one
                 alternatives={"a fraction, not a percentage": expected / 100})

"""Self-checks of exercise 9: the workshop's softmax network (run `pytest exercises/ -m softmax_network`).

The judge is Keras: the same network as a `keras.Sequential` of Dense layers, its losses, and its
own training (`train_on_batch`, `fit` with `keras.optimizers.SGD`) from the same weights. The last
check trains your network on MNIST at the kit's documented configuration.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from data.mnist import load_mnist
from exercises.selfcheck import check_workshop_generator, check_workshop_weights, expect_close, expect_floats, expect_tensor, fail, shapes_problem

pytestmark = pytest.mark.softmax_network

RNG = np.random.default_rng(9)
WEIGHTS = [RNG.normal(size=(4, 6)).astype(np.float32), RNG.normal(size=(6, 10)).astype(np.float32)]
BIASES = [RNG.normal(size=(1, 6)).astype(np.float32), RNG.normal(size=(1, 10)).astype(np.float32)]
X = RNG.uniform(size=(20, 4)).astype(np.float32)
Y = np.eye(10, dtype=np.float32)[RNG.integers(0, 10, size=20)]
LOGITS = np.array([[2.0, 1.0, 0.1, 0, 0, 0, 0, 0, 0, -1.0], [100.0, -100.0, 0, 0, 0, 0, 0, 0, 0, 3.0],
                   [0.0] * 10], dtype=np.float32)
LABELS = np.eye(10, dtype=np.float32)[[0, 1, 9]]
CROSS_ENTROPY = keras.losses.CategoricalCrossentropy(from_logits=True)


def keras_network(activation: str = "relu") -> keras.Sequential:
    """The judge: the same two layers as a Keras model, WEIGHTS and BIASES loaded."""
    judge = keras.Sequential([keras.Input((4,)), keras.layers.Dense(6, activation=activation), keras.layers.Dense(10)])
    judge.set_weights([WEIGHTS[0], BIASES[0][0], WEIGHTS[1], BIASES[1][0]])
    return judge


def keras_loss(logits, y):
    """Keras' mean softmax cross-entropy, with this exercise's argument order (logits, y)."""
    return CROSS_ENTROPY(y, logits)


@pytest.mark.task("softmax_network.SoftmaxNetwork.from_sizes")
def test_from_sizes_starts_as_the_workshop(kit):
    task, call = "softmax_network.SoftmaxNetwork.from_sizes", "SoftmaxNetwork.from_sizes((784, 50, 30, 10), seed=0)"
    model = kit.softmax_network.SoftmaxNetwork.from_sizes((784, 50, 30, 10), seed=0)
    shapes = [tuple(w.shape) for w in model.weights] + [tuple(b.shape) for b in model.biases]
    want = [(784, 50), (50, 30), (30, 10), (1, 50), (1, 30), (1, 10)]
    if shapes != want:
        fail(task, call + " → shapes of weights, then biases", want, shapes, shapes_problem(shapes, want), "shape")
    for i, p in enumerate(model.weights + model.biases):
        expect_tensor(task, f"{call} → parameter {i}", tf.convert_to_tensor(p), tf.float32)
    check_workshop_weights(task, call, [w.numpy() for w in model.weights])
    for i, b in enumerate(model.biases):
        expect_close(task, f"{call} → biases[{i}]", b.numpy(), np.full(b.shape, 0.1, np.float32), rtol=1e-6,
                     alternatives={"biases 0, not 0.1": np.zeros(b.shape)})
    again = kit.softmax_network.SoftmaxNetwork.from_sizes((784, 50, 30, 10), seed=0)
    other = kit.softmax_network.SoftmaxNetwork.from_sizes((784, 50, 30, 10), seed=1)
    if not np.array_equal(again.weights[0].numpy(), model.weights[0].numpy()) or \
            np.array_equal(other.weights[0].numpy(), model.weights[0].numpy()):
        ignored = np.array_equal(other.weights[0].numpy(), model.weights[0].numpy())
        fail(task, call + ", again, and with seed=1", "the same weights for the same seed, others for another",
             "another seed gave the same weights" if ignored else "the same seed gave other weights",
             "seed ignored" if ignored else "the same seed, other weights")
    check_workshop_generator(task, call, model.weights[0].numpy(), 0)
    tanh = kit.softmax_network.SoftmaxNetwork.from_sizes((4, 3, 10), activation=tf.tanh, seed=0)
    if tanh.activation is not tf.tanh:  # the class keeps it as `activation`, as its __init__ does
        fail(task, "SoftmaxNetwork.from_sizes((4, 3, 10), activation=tf.tanh, seed=0) → its activation", tf.tanh,
             tanh.activation, "activation ignored")


@pytest.mark.task("softmax_network.SoftmaxNetwork.__call__")
def test_call_gives_the_logits_keras_gives(kit):
    task = "softmax_network.SoftmaxNetwork.__call__"
    for name, activation in (("relu", tf.nn.relu), ("tanh", tf.tanh)):
        call = f"SoftmaxNetwork(weights (4, 6) and (6, 10), biases, activation=tf.{activation.__name__})(x of shape (20, 4))"
        expected = keras_network(name)(X).numpy()
        got = kit.softmax_network.SoftmaxNetwork(WEIGHTS, BIASES, activation)(X)
        expect_close(task, call, got, expected, rtol=1e-5, atol=1e-5,
                     alternatives={"softmax applied to the output": tf.nn.softmax(expected).numpy(),
                                   "the activation applied to the output layer too": activation(expected).numpy(),
                                   "no bias on the output layer": expected - BIASES[1],
                                   "no bias on the hidden layer": activation(X @ WEIGHTS[0]).numpy() @ WEIGHTS[1] + BIASES[1]})
        expect_tensor(task, call, got, tf.float32)


@pytest.mark.task("softmax_network.cross_entropy")
def test_cross_entropy_is_keras_categorical_cross_entropy(kit):
    task, call = "softmax_network.cross_entropy", f"cross_entropy({LOGITS.tolist()}, one-hot labels of [0, 1, 9])"
    per_row = keras.losses.categorical_crossentropy(LABELS, LOGITS, from_logits=True).numpy()
    got = kit.softmax_network.cross_entropy(tf.constant(LOGITS), tf.constant(LABELS))
    expect_close(task, call, got, per_row.mean(), rtol=1e-5, atol=1e-6,
                 alternatives={"the sum over the batch, not the mean": per_row.sum(),
                               "softmax applied twice": keras.losses.categorical_crossentropy(
                                   LABELS, tf.nn.softmax(LOGITS), from_logits=True).numpy().mean(),
                               "labels and logits swapped": tf.nn.softmax_cross_entropy_with_logits(
                                   labels=LOGITS, logits=LABELS).numpy().mean()})
    expect_tensor(task, call, got, tf.float32)


@pytest.mark.task("softmax_network.squared_error")
def test_squared_error_is_keras_mean_squared_error_of_the_probabilities(kit):
    task, call = "softmax_network.squared_error", f"squared_error({LOGITS.tolist()}, one-hot labels of [0, 1, 9])"
    expected = float(keras.losses.MeanSquaredError()(LABELS, keras.activations.softmax(LOGITS)))
    got = kit.softmax_network.squared_error(tf.constant(LOGITS), tf.constant(LABELS))
    expect_close(task, call, got, expected, rtol=1e-5, atol=1e-7,
                 alternatives={"of the logits, not of softmax(logits)": float(np.mean((LOGITS - LABELS) ** 2)),
                               "the mean of the rows' sums, not of every element": expected * LOGITS.shape[1]})
    expect_tensor(task, call, got, tf.float32)


@pytest.mark.task("softmax_network.train_step")
def test_train_step_is_one_step_of_keras_sgd(kit):
    """A Keras model stands in for the network (it has trainable_variables too)."""
    task = "softmax_network.train_step"
    call = "train_step(a Keras copy of the network, x (20, 4), y one-hot, learning_rate=0.3, loss=Keras' cross-entropy)"
    judge = keras_network()
    judge.compile(optimizer=keras.optimizers.SGD(0.3), loss=CROSS_ENTROPY)
    before = float(keras_loss(judge(X), Y))
    judge.train_on_batch(X, Y)
    after = float(keras_loss(judge(X), Y))
    model = keras_network()
    got = kit.softmax_network.train_step(model, tf.constant(X), tf.constant(Y), 0.3, keras_loss)
    expect_close(task, call + " → the loss it returns (before the step)", got, before, rtol=1e-5,
                 alternatives={"the loss after the step, not before it": after})
    expect_tensor(task, call + " → the loss it returns", got, tf.float32)
    before = [WEIGHTS[0], BIASES[0][0], WEIGHTS[1], BIASES[1][0]]
    if all(np.array_equal(mine, start) for mine, start in zip(model.get_weights(), before)):
        fail(task, call + " → the variables afterwards", judge.get_weights(), model.get_weights(), "no variable moved")
    for i, (mine, theirs, start) in enumerate(zip(model.get_weights(), judge.get_weights(), before)):
        expect_close(task, f"{call} → variable {i} afterwards, as keras.optimizers.SGD(0.3) moves it", mine, theirs,
                     rtol=1e-4, atol=1e-6, alternatives={"climbs the gradient": 2 * start - theirs})


class Affine(tf.Module):
    """x @ W + b with the network's attribute names (weights, biases): its variables, not a Keras model's."""

    def __init__(self):
        super().__init__()
        self.weights, self.biases = [tf.Variable([[1.0, -1.0]])], [tf.Variable([[0.5, 0.5]])]

    def __call__(self, x):
        return x @ self.weights[0] + self.biases[0]


@pytest.mark.task("softmax_network.train_step")
def test_train_step_moves_every_trainable_variable(kit):
    task = "softmax_network.train_step"
    call = "train_step(x @ W + b with W = [[1, -1]], b = [[0.5, 0.5]], x = [[1], [2]], learning_rate=0.1, loss=the sum of x @ W + b)"
    model = Affine()
    got = kit.softmax_network.train_step(model, tf.constant([[1.0], [2.0]]), tf.zeros((2, 2)), 0.1, lambda z, y: tf.reduce_sum(z))
    expect_close(task, call + " → the loss it returns (before the step)", got, 2.0, rtol=1e-6,
                 alternatives={"the loss it is given ignored": 0.0})  # a cross-entropy's, with labels of 0
    if np.array_equal(model.weights[0].numpy(), [[1.0, -1.0]]) and np.array_equal(model.biases[0].numpy(), [[0.5, 0.5]]):
        fail(task, call + " → W and b afterwards", [[[0.7, -1.3]], [[0.3, 0.3]]],
             [model.weights[0].numpy(), model.biases[0].numpy()], "no variable moved")
    for name, variable, start, want in (("W", model.weights[0], [[1.0, -1.0]], [[0.7, -1.3]]),
                                        ("b", model.biases[0], [[0.5, 0.5]], [[0.3, 0.3]])):
        expect_close(task, f"{call} → {name} afterwards", variable.numpy(), want, rtol=1e-6,
                     alternatives={"left as it started": start})


@pytest.mark.task("softmax_network.accuracy")
def test_accuracy_is_a_percentage(kit):
    task = "softmax_network.accuracy"
    labels = np.array([0, 1, 0])  # right, wrong (its largest logit is at 0), right (ties: the first)
    call = f"accuracy(a model whose logits are {LOGITS.tolist()}, x, labels {labels.tolist()})"
    got = kit.softmax_network.accuracy(lambda x: tf.constant(LOGITS), X[:3], labels)
    if type(got) is not float:
        fail(task, call, "a Python float", got, f"returned a {type(got).__name__}", "type")
    expect_close(task, call, got, 100 * 2 / 3, rtol=1e-6,  # a float32 mean is as right as a float64 one
                 alternatives={"a fraction, not a percentage": 2 / 3, "an integer mean (2 of 3 rounds down to 0)": 0.0})


@pytest.mark.task("softmax_network.train")
def test_train_runs_the_step_it_is_given(kit):
    """A step that moves nothing, counts its runs, keeps the learning rate and loss it is handed and
    returns 7: train must run it for every batch, with what train was given."""
    task = "softmax_network.train"
    call = ("train(a Keras copy of the network, 20 examples in batches of 5, epochs=2, learning_rate=0.3, "
            "loss=Keras' cross-entropy, step=a step that returns 7)")
    runs, rate, losses = tf.Variable(0), tf.Variable(0.0, dtype=tf.float64), []

    eager, traces = [], []  # Python runs of the step outside tf.function; inside it, Python runs only while tracing

    def step(model, x_batch, y_batch, learning_rate, loss):
        runs.assign_add(1)
        rate.assign(tf.cast(learning_rate, tf.float64))
        losses.append(loss)
        (traces if tf.inside_function() else eager).append(1)
        return tf.constant(7.0)

    got = kit.softmax_network.train(keras_network(), tf.data.Dataset.from_tensor_slices((X, Y)).batch(5), 2, 0.3,
                                    keras_loss, step)
    if int(runs.numpy()) != 8:
        fail(task, call, "the step run 8 times (4 batches, 2 epochs)", f"{int(runs.numpy())} times", "step ignored")
    if abs(float(rate.numpy()) - 0.3) > 1e-6:  # a Python 0.3 may come through as float32's
        fail(task, call + " → the learning rate the step is handed", 0.3, float(rate.numpy()), "learning rate not passed on")
    if any(loss is not keras_loss for loss in losses):
        fail(task, call + " → the loss the step is handed", "the loss train was given", "another function",
             "loss not passed on")
    expect_close(task, call + " → each epoch's mean batch loss", got, [7.0, 7.0], rtol=1e-6,
                 alternatives={"the sum over the batches, not the mean": [28.0, 28.0]})
    if eager:
        fail(task, call, "the step run inside tf.function", f"run eagerly {len(eager)} times", "step not compiled")
    if len(traces) > 2:  # once per batch shape at most: these four batches have one shape
        fail(task, call, "the step traced once (its four batches have one shape)", f"traced {len(traces)} times",
             "step traced again for every batch")


@pytest.mark.task("softmax_network.train")
def test_train_is_keras_fit_with_sgd(kit):
    task = "softmax_network.train"
    call = "train(a Keras copy of the network, 20 examples in batches of 5, epochs=3, learning_rate=0.3, loss=Keras' cross-entropy)"
    judge = keras_network()
    judge.compile(optimizer=keras.optimizers.SGD(0.3), loss=CROSS_ENTROPY)
    expected = judge.fit(tf.data.Dataset.from_tensor_slices((X, Y)).batch(5), epochs=3, verbose=0, shuffle=False).history["loss"]
    stepped = keras_network()  # the same training batch by batch: each batch's own loss
    stepped.compile(optimizer=keras.optimizers.SGD(0.3), loss=CROSS_ENTROPY)
    batch_losses = [[float(stepped.train_on_batch(X[i:i + 5], Y[i:i + 5])) for i in range(0, 20, 5)] for _ in range(3)]
    model = keras_network()
    got = kit.softmax_network.train(model, tf.data.Dataset.from_tensor_slices((X, Y)).batch(5), 3, 0.3, keras_loss)
    expect_floats(task, call, got)
    expect_close(task, call + " → each epoch's mean batch loss", got, expected, rtol=1e-4, alternatives={
        "each epoch's last batch loss, not the mean over its batches": [losses[-1] for losses in batch_losses],
        "each epoch's first batch loss, not the mean over its batches": [losses[0] for losses in batch_losses],
        "the sum over the batches, not the mean": [sum(losses) for losses in batch_losses]})
    for i, (mine, theirs) in enumerate(zip(model.get_weights(), judge.get_weights())):
        expect_close(task, f"{call} → variable {i} afterwards, as Keras' fit moves it", mine, theirs, rtol=1e-4, atol=1e-5)


@pytest.mark.timeout(120)  # 4 epochs of 60,000 images: ~5 s here, several times that on a slow laptop
@pytest.mark.task("softmax_network.train")
@pytest.mark.uses("softmax_network.SoftmaxNetwork.from_sizes", "softmax_network.SoftmaxNetwork.__call__",
                  "softmax_network.cross_entropy", "softmax_network.train_step", "softmax_network.accuracy")
def test_mnist_above_96_percent(kit):
    """The kit's documented configuration (3 epochs at 0.5, then one at 0.05, batches of 100)."""
    (images, labels), (test_images, test_labels) = load_mnist()
    x = images.reshape(-1, 784).astype(np.float32) / 255
    y = np.eye(10, dtype=np.float32)[labels]
    model, losses = kit.softmax_network.SoftmaxNetwork.from_sizes((784, 50, 30, 10), seed=0), []
    for epochs, rate in ((3, 0.5), (1, 0.05)):
        got = kit.softmax_network.train(model, tf.data.Dataset.from_tensor_slices((x, y)).shuffle(60000, seed=0).batch(100),
                                        epochs, rate)
        expect_floats("softmax_network.train", f"train(the network, MNIST, epochs={epochs}, learning_rate={rate})", got)
        losses += got
    if not (len(losses) == 4 and 0 < losses[-1] < losses[0] < 2.5):
        fail("softmax_network.train", "train(…) 3 epochs at 0.5, then 1 at 0.05, on MNIST → each epoch's mean batch loss",
             "4 losses, the first below 2.5 (−log 0.1 ≈ 2.3 at the start), falling, none 0", losses, "loss not falling")
    accuracy = kit.softmax_network.accuracy(model, test_images.reshape(-1, 784).astype(np.float32) / 255, test_labels)
    if not accuracy >= 96.0:
        fail("softmax_network.train", "SoftmaxNetwork.from_sizes(seed=0) trained 3 epochs at 0.5 and 1 at 0.05 on the "
             "60,000 MNIST training images, then accuracy on the 10,000 test images", "at least 96 %", accuracy)

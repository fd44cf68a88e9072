"""Self-checks of exercise 10: the write-up's MLP in Keras (run `pytest exercises/ -m keras_mlp`).

The judges: the parameter count of a Keras model of the same sizes; your model's output set against
a forward pass of its own weights written here; compile and fit set against a Keras model compiled
here on the same batches; dropout by the values it passes on. The last check fills in the table of
exercise 9's network beside the Keras one on MNIST.
"""

import inspect
import time

import keras
import numpy as np
import pytest
import tensorflow as tf

from data.mnist import load_mnist
from exercises.selfcheck import expect_close, expect_floats, fail, first_batch_size, layers_problem

pytestmark = pytest.mark.keras_mlp

RNG = np.random.default_rng(10)
X = RNG.uniform(size=(16, 28, 28)).astype(np.float32)
LABELS = RNG.integers(0, 10, size=16)
SMALL = [RNG.normal(scale=0.05, size=s).astype(np.float32) for s in [(784, 8), (8,), (8, 10), (10,)]]
HISTORY = ["accuracy", "loss", "val_accuracy", "val_loss"]


def forward(weights, x) -> np.ndarray:
    """The judge: softmax(relu(x·W1 + b1)·W2 + b2), written out, no dropout."""
    w1, b1, w2, b2 = weights
    hidden = np.maximum(x.reshape(len(x), -1) @ w1 + b1, 0)
    z = hidden @ w2 + b2
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def small_model(dropout: float = 0.0) -> keras.Sequential:
    """A write-up network with 8 hidden units and the weights SMALL (dropout only if asked)."""
    layers = [keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(8, activation="relu")]
    layers += [keras.layers.Dropout(dropout)] if dropout else []
    network = keras.Sequential([*layers, keras.layers.Dense(10, activation="softmax")])
    network.set_weights(SMALL)
    return network


@pytest.mark.task("keras_mlp.parameter_count")
def test_parameter_count_is_keras_count(kit):
    task = "keras_mlp.parameter_count"
    for sizes in ([784, 512, 10], [784, 50, 30, 10], [3, 1]):
        judge = keras.Sequential([keras.Input((sizes[0],)), *(keras.layers.Dense(n) for n in sizes[1:])])
        got = kit.keras_mlp.parameter_count(sizes)
        if type(got) is not int:
            fail(task, f"parameter_count({sizes})", judge.count_params(), got, "not an int", "type")
        expect_close(task, f"parameter_count({sizes}), as Keras counts a Sequential of Dense layers", got,
                     judge.count_params(), rtol=0, atol=0.5, alternatives={
                         "no biases": sum(a * b for a, b in zip(sizes, sizes[1:])),
                         "a bias per input, not per unit": sum(a * b + a for a, b in zip(sizes, sizes[1:]))})


@pytest.mark.task("keras_mlp.build_model")
def test_build_model_is_the_write_ups_network(kit):
    task, call = "keras_mlp.build_model", "build_model(seed=0)"
    model = kit.keras_mlp.build_model(0)
    if not isinstance(model, keras.Sequential):
        fail(task, call, "a keras.Sequential", model, "not a keras.Sequential", "type")
    layers, wanted = [type(layer).__name__ for layer in model.layers], ["Flatten", "Dense", "Dropout", "Dense"]
    if layers != wanted:
        fail(task, call + " → its layers", wanted, layers,
             layers_problem([(name, {}) for name in layers], [(name, {}) for name in wanted]), "shape")
    dense, dropout, out = model.layers[1], model.layers[2], model.layers[3]
    got = (dense.units, dense.activation.__name__, dropout.rate, out.units, out.activation.__name__)
    if got != (512, "relu", 0.2, 10, "softmax"):
        pairs = [("Dense", dict(zip(("units", "activation"), got[:2]))), ("Dropout", {"rate": got[2]}),
                 ("Dense", dict(zip(("units", "activation"), got[3:])))]
        fail(task, call + " → (units, activation, dropout rate, units, activation)", (512, "relu", 0.2, 10, "softmax"),
             got, layers_problem(pairs, [("Dense", {"units": 512, "activation": "relu"}), ("Dropout", {"rate": 0.2}),
                                         ("Dense", {"units": 10, "activation": "softmax"})]), "shape")
    if tuple(model.input_shape) != (None, 28, 28):
        fail(task, call + " → its input shape", (None, 28, 28), model.input_shape, "wrong input shape", "shape")
    if model.count_params() != 407_050:
        fail(task, call + " → model.count_params()", 407_050, model.count_params(), "wrong layers")
    expect_close(task, call + "(X, training=False), against the forward pass of its own weights",
                 model(X, training=False), forward(model.get_weights(), X), rtol=1e-4, atol=1e-6)
    kernels, biases = model.get_weights()[0::2], model.get_weights()[1::2]
    limits = [np.sqrt(6 / sum(kernel.shape)) * (1 + 1e-6) for kernel in kernels]  # Glorot-uniform's bound (float32's)
    if any(np.abs(kernel).max() > limit for kernel, limit in zip(kernels, limits)) or any(np.any(b) for b in biases):
        fail(task, call + " → its initial weights: the largest |w| of each kernel, then whether any bias is not 0",
             [f"at most {limit:.4f}" for limit in limits] + [False] * len(biases),
             [float(np.abs(kernel).max()) for kernel in kernels] + [bool(np.any(b)) for b in biases],
             "not Keras' default start")
    sized = kit.keras_mlp.build_model(0, hidden=64, dropout=0.5)
    got = [getattr(layer, "units", getattr(layer, "rate", None)) for layer in sized.layers[1:]]
    if got != [64, 0.5, 10]:
        fail(task, "build_model(seed=0, hidden=64, dropout=0.5) → (units, dropout rate, units)", [64, 0.5, 10], got,
             "hidden or dropout ignored", "shape")
    again, other = kit.keras_mlp.build_model(0).get_weights()[0], kit.keras_mlp.build_model(1).get_weights()[0]
    if not np.array_equal(again, model.get_weights()[0]) or np.array_equal(other, again):
        fail(task, call + ", again, and with seed=1", "the same weights for the same seed, others for another",
             "another seed gave the same weights" if np.array_equal(other, again) else "the same seed gave other weights",
             "seed ignored")


@pytest.mark.task("keras_mlp.compile_model")
def test_compile_model_trains_as_adam_does(kit):
    task, call = "keras_mlp.compile_model", "compile_model(a small write-up network, learning_rate=0.01)"
    judge = small_model()
    judge.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model = kit.keras_mlp.compile_model(small_model(), 0.01)
    if not isinstance(model, keras.Model):
        fail(task, call, "the model, compiled", model, "returns nothing", "type")
    optimizer = getattr(model, "optimizer", None)
    if isinstance(optimizer, keras.optimizers.Optimizer):  # what it was compiled with, named before it trains
        if not isinstance(optimizer, keras.optimizers.Adam):
            fail(task, call + " → model.optimizer", "an Adam optimizer", type(optimizer).__name__, "not Adam")
        rate = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
        if abs(rate - 0.01) > 1e-9:
            fail(task, call + " → model.optimizer.learning_rate", 0.01, rate,
                 "Keras' default learning rate" if abs(rate - 0.001) < 1e-9 else "learning rate not passed on")
    for step in range(3):
        want = judge.train_on_batch(X, LABELS)
        got = model.train_on_batch(X, LABELS)
        if np.ndim(got) == 0:
            fail(task, f"{call} → train_on_batch {step + 1}", "[loss, accuracy]", got, "no accuracy metric")
        expect_close(task, f"{call} → train_on_batch {step + 1} → [loss, accuracy]", got, want, rtol=1e-4, atol=1e-6)
    for i, (mine, theirs) in enumerate(zip(model.get_weights(), judge.get_weights())):
        expect_close(task, f"{call} → weight {i} after 3 steps, as Adam(0.01) moves it", mine, theirs, rtol=1e-3, atol=1e-6)


@pytest.mark.task("keras_mlp.fit")
def test_fit_returns_the_history_and_validates(kit):
    task = "keras_mlp.fit"
    call = "fit(a compiled small network, 16 images, 8 others for validation, epochs=3, batch_size=5)"
    model = small_model()
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x_val, labels_val = X[:8] * 0.5, LABELS[8:]
    history = kit.keras_mlp.fit(model, X, LABELS, x_val, labels_val, epochs=3, batch_size=5)
    if not isinstance(history, dict):
        fail(task, call, f"a dict with keys {HISTORY}", history, "not the history dict", "type")
    if sorted(history) != HISTORY:
        fail(task, call, f"a dict with keys {HISTORY}", sorted(history),
             "no validation keys" if set(history) < set(HISTORY) else "wrong keys", "type")
    for key in HISTORY:
        expect_floats(task, f"{call} → history[{key!r}]", history[key])
        if len(history[key]) != 3:
            fail(task, f"{call} → history[{key!r}]", "3 values, one per epoch", history[key], "not the epochs it was given", "shape")
    if int(model.optimizer.iterations) != 12:
        fail(task, call + " → model.optimizer.iterations", "12 steps (4 batches of at most 5, 3 epochs)",
             int(model.optimizer.iterations), "validation split off the training images" if
             int(model.optimizer.iterations) == 9 else "wrong batch size or epochs")
    probabilities = forward(model.get_weights(), x_val)
    expect_close(task, call + " → history['val_accuracy'][-1], the accuracy of the trained model on the validation data",
                 history["val_accuracy"][-1], np.mean(probabilities.argmax(axis=1) == labels_val), atol=1e-6)
    loss = -np.mean(np.log(probabilities[np.arange(len(labels_val)), labels_val]))
    expect_close(task, call + " → history['val_loss'][-1], the cross-entropy of the trained model on the validation data",
                 history["val_loss"][-1], loss, rtol=1e-3)


@pytest.mark.task("keras_mlp.hidden_activations")
def test_dropout_only_in_training(kit):
    task = "keras_mlp.hidden_activations"
    model = small_model(dropout=0.2)
    expected = np.maximum(X.reshape(16, -1) @ SMALL[0] + SMALL[1], 0)
    call = "hidden_activations(a small write-up network, X, training=%s)"
    expect_close(task, call % False, kit.keras_mlp.hidden_activations(model, X, False), expected, rtol=1e-4, atol=1e-5,
                 alternatives={"dropout in inference": expected * 0.8})
    got = np.asarray(kit.keras_mlp.hidden_activations(model, np.repeat(X, 40, axis=0), True))
    expected = np.repeat(expected, 40, axis=0)
    if got.shape != expected.shape:
        fail(task, call % True, f"shape {expected.shape}", f"shape {got.shape}", "wrong shape", "shape")
    if np.allclose(got, expected, rtol=1e-4, atol=1e-6):
        fail(task, call % True, "about 20 % of the units 0, the others / 0.8", got, "dropout not active")
    dropped = got == 0
    if not np.all(dropped | (np.abs(got - expected / 0.8) <= 1e-4 * expected + 1e-5)):
        fail(task, call % True, "each unit 0 or its ReLU output / 0.8", got, "not dropout's values")
    share = dropped[expected > 0].mean()
    if not 0.15 <= share <= 0.25:
        fail(task, call % True, "about 20 % of the active units 0", f"{100 * share:.1f} %", "dropout not active")


@pytest.mark.timeout(120)  # two trainings on 10,000 images: ~5 s here
@pytest.mark.task("keras_mlp.compare")
@pytest.mark.uses("keras_mlp.parameter_count", "keras_mlp.build_model", "keras_mlp.compile_model", "keras_mlp.fit",
                  "softmax_network.SoftmaxNetwork.from_sizes", "softmax_network.train", "softmax_network.accuracy")
def test_compare_fills_in_the_table(kit, monkeypatch):
    task = "keras_mlp.compare"
    (images, labels), (test_images, test_labels) = load_mnist()
    x, x_test = images[:10_000].astype(np.float32) / 255, test_images[:2_000].astype(np.float32) / 255
    call = "compare(10,000 MNIST training images, 2,000 test images, epochs=1, seed=0)"
    given, batches = [], []  # (learning rate, epochs) of each call of exercise 9's train, and its first batch's size
    train = getattr(kit.keras_mlp, "train", None)
    if callable(train):
        def recording_train(*args, **kwargs):
            try:
                bound = inspect.signature(train).bind(*args, **kwargs)
                bound.apply_defaults()
                given.append((float(bound.arguments["learning_rate"]), int(bound.arguments["epochs"])))
            except (TypeError, ValueError, KeyError):
                bound = None  # arguments its signature does not take: the call itself says so
            losses = train(*args, **kwargs)
            if bound is not None:  # after the training: a look at the dataset changes nothing of it
                batches.append(first_batch_size(bound.arguments.get("dataset")))
            return losses

        monkeypatch.setattr(kit.keras_mlp, "train", recording_train)
    keras.utils.set_random_seed(0)  # the same start whichever checks ran before (a dataset shuffled before build_model)
    began = time.perf_counter()
    rows = kit.keras_mlp.compare(x, labels[:10_000], x_test, test_labels[:2_000], 1, 0)
    seconds = time.perf_counter() - began
    if not isinstance(rows, list) or len(rows) != 2:
        fail(task, call, "two rows: exercise 9's network, then the Keras one", rows, "not two rows", "type")
    rates = sorted({rate for rate, _ in given})
    if given and rates != [0.5]:
        fail(task, call + " → the learning rate it trains exercise 9's network with", 0.5,
             rates[0] if len(rates) == 1 else rates, "wrong learning rate")
    if given and sum(epochs for _, epochs in given) != 1:
        fail(task, call + " → the epochs it trains exercise 9's network for", 1, [epochs for _, epochs in given],
             "wrong epochs")
    if [size for size in batches if size is not None and size != 100]:
        fail(task, call + " → the size of the batches it trains exercise 9's network on", 100, batches, "wrong batch size")
    print("\n" + kit.keras_mlp.table(rows, 1))
    for name, row, parameters in zip(("softmax network", "Keras"), rows, (41_090, 407_050)):
        where = f"{call} → the {name} row"
        expect_close(task, where + "['parameters']", row["parameters"], parameters, rtol=0, atol=0.5,
                     alternatives={"the other row's parameter count": 41_090 + 407_050 - parameters})
        model = row["model"]

        def percent_right(images, digits):  # the model's own predictions, in inference mode (training=False)
            logits = model(tf.reshape(images, (-1, 784))) if name == "softmax network" else model(images, training=False)
            return 100.0 * np.mean(np.argmax(logits, axis=1) == digits)

        right = percent_right(x_test, test_labels[:2_000])
        measured = where + "['accuracy'], against its model's own predictions on the test images (training=False)"
        alternatives = {"a fraction, not a percentage": right / 100,
                        "measured on the training images, not the test images": percent_right(x, labels[:10_000])}
        if name == "Keras" and isinstance(row["accuracy"], float) and all(
                abs(row["accuracy"] - value) > 0.01 for value in (right, *alternatives.values())):
            # dropout left on while measuring: a value within the spread of the model's accuracies with training=True
            dropped = [100.0 * np.mean(np.argmax(model(x_test, training=True), axis=1) == test_labels[:2_000])
                       for _ in range(16)]
            if abs(row["accuracy"] - np.mean(dropped)) <= 4 * np.std(dropped) + 0.1:
                fail(task, measured, round(right, 2), row["accuracy"], "measured with dropout on (training=True)")
        expect_close(task, measured, row["accuracy"], right, atol=0.01, alternatives=alternatives)
        if name == "Keras" and int(model.optimizer.iterations) != 313:
            fail(task, where + " → its optimizer's steps", "313 (1 epoch of batches of 32)", int(model.optimizer.iterations),
                 "wrong batch size or epochs")
        if not right >= 80.0:  # one epoch of 10,000 images: ~85 % (exercise 9), ~90 % (Keras)
            fail(task, where + " → accuracy on the test images", "at least 80 %", f"{right:.2f} %", "does not learn")
        if not 0 < row["seconds"] <= seconds:
            fail(task, where + "['seconds']", f"the seconds its training took (the whole call: {seconds:.2f} s)",
                 row["seconds"], "not a time")

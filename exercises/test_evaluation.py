"""Self-checks of exercise 5: k-fold cross-validation (run `pytest exercises/ -m evaluation`)."""

import numpy as np
import pytest
import tensorflow as tf

from exercises.selfcheck import expect_array, expect_close, expect_floats, expect_numbers, fail

pytestmark = pytest.mark.evaluation


class Recording(tf.Module):
    """A model that remembers the rows of every batch it is given (to see what each fold trained and
    tested on), and otherwise is the model it wraps."""

    def __init__(self, model):
        super().__init__()
        self.model, self.seen = model, []

    def __call__(self, x):
        self.seen.append(np.asarray(x))
        return self.model(x)


@pytest.mark.task("evaluation.fold_indices")
@pytest.mark.parametrize("n, k", [(10, 5), (12, 3), (6, 2)])
def test_fold_indices_are_disjoint_and_cover(kit, n, k):
    call = f"fold_indices(n={n}, k={k})"
    folds = kit.evaluation.fold_indices(n, k)
    if len(folds) != k:
        fail("evaluation.fold_indices", call, f"{k} (train, test) pairs", f"{len(folds)} pairs", "wrong number of folds")
    tests = [np.asarray(test) for _, test in folds]
    joined = np.concatenate(tests)
    swapped = np.concatenate([np.asarray(train) for train, _ in folds])
    if np.array_equal(swapped, np.arange(n)) and not np.array_equal(joined, np.arange(n)):  # the test folds come first
        fail("evaluation.fold_indices", call + " → the first parts (train), joined", f"{(k - 1) * n} indices, each "
             f"{k - 1} times", swapped, "(test, train) pairs, not (train, test)", "shape")
    if joined.shape == (n,) and np.array_equal(np.sort(joined), np.arange(n)) and not np.array_equal(joined, np.arange(n)):
        fail("evaluation.fold_indices", call + " → the test folds, joined", np.arange(n), joined, "out of order")
    expect_close("evaluation.fold_indices", call + " → the test folds, joined", np.concatenate(tests), np.arange(n), atol=0,
                 alternatives={"off by one": np.arange(1, n + 1)})
    for i, (train, test) in enumerate(folds):
        both = np.intersect1d(np.asarray(train), np.asarray(test))
        if both.size:
            fail("evaluation.fold_indices", f"{call} → fold {i}: indices in both train and test", "none", both,
                 "the test fold kept in the training part")
        expect_close("evaluation.fold_indices", f"{call} → fold {i}: sorted train + test",
                     np.sort(np.concatenate([np.asarray(train), np.asarray(test)])), np.arange(n), atol=0)
        expect_array("evaluation.fold_indices", f"{call} → fold {i}: train indices", train, np.int64)
        expect_array("evaluation.fold_indices", f"{call} → fold {i}: test indices", test, np.int64)


@pytest.mark.task("evaluation.fold_indices")
@pytest.mark.parametrize("n, k, rule", [(10, 1, "k > 1"), (10, 10, "k < n"), (10, 3, "k divides n"), (10, 0, "k > 1"),
                                          (10, 15, "k < n")])
def test_fold_indices_rejects_invalid_k(kit, n, k, rule):
    call = f"fold_indices(n={n}, k={k})"
    try:
        got = kit.evaluation.fold_indices(n, k)
    except ValueError as error:
        if rule not in str(error):
            other = any(name in str(error) for name in ("k > 1", "k < n", "k divides n"))
            fail("evaluation.fold_indices", call, f"a ValueError whose message names the rule {rule!r}", repr(error),
                 "another rule named first" if other else "the rule not named")
        return
    fail("evaluation.fold_indices", call, f"ValueError naming the rule {rule!r}", got, "no ValueError for an invalid k")


def _numbers(value, n: int) -> bool:
    """Is `value` n numbers (so that a named alternative can be computed from it)?"""
    try:
        return np.asarray(value, dtype=np.float64).shape == (n,)
    except (TypeError, ValueError):
        return False


@pytest.mark.task("evaluation.kfold")
@pytest.mark.uses("evaluation.fold_indices", "mlp.MLP.from_sizes", "mlp.MLP.__call__", "training.training_loop", "training.train", "training.testing_loop")
def test_kfold_builds_a_fresh_model_per_fold(kit, mnist_sample):
    (images, labels), _ = mnist_sample
    x, y = images.reshape(-1, 784).astype(np.float32) / 255.0, np.eye(10, dtype=np.float32)[labels]
    built = []

    def build_model():
        built.append(Recording(kit.mlp.MLP.from_sizes([784, 32, 10], seed=len(built))))
        return built[-1]

    call = "kfold(build_model, 600 MNIST images, k=3, epochs=3, learning_rate=10.0, batch_size=10, seed=0)"
    result = kit.evaluation.kfold(build_model, x, y, 3, 3, 10.0, 10, seed=0)
    if len(built) != 3 or len({id(m) for m in built}) != 3:
        fail("evaluation.kfold", call, "build_model called once per fold (3 times)", f"called {len(built)} time{'s' * (len(built) != 1)}",
             "a fold skipped" if 1 < len(built) < 3 else "one model for every fold" if len(built) <= 1 else "built too often")
    keys = {"accuracies", "errors", "mean_accuracy", "mean_error", "variance"}
    if not isinstance(result, dict) or set(result) != keys:
        fail("evaluation.kfold", call, f"a dict with the keys {sorted(keys)}", result, "wrong keys", "type")
    accuracies = expect_numbers("evaluation.kfold", call + " → accuracies", result["accuracies"], np.zeros(3))
    expect_floats("evaluation.kfold", call + " → accuracies", result["accuracies"])
    expect_floats("evaluation.kfold", call + " → errors", result["errors"])
    if np.all(accuracies <= 1) or np.any(accuracies > 100):
        fail("evaluation.kfold", call, "3 accuracies in percent, each at least 40 (chance is 10)", accuracies,
             "a fraction, not a percentage" if np.all(accuracies <= 1) else "a count, not a percentage")
    folds = [(np.asarray(train), np.asarray(test)) for train, test in kit.evaluation.fold_indices(len(x), 3)]
    row = {image.tobytes(): i for i, image in enumerate(x)}
    for fold, (model, (train, test)) in enumerate(zip(built, folds)):
        batches = [[row[r.tobytes()] for r in batch] for batch in model.seen]
        trained = sorted(i for batch in batches if len(batch) <= 10 for i in batch)
        tested = sorted(i for batch in batches if len(batch) > 10 for i in batch)
        if set(trained) == set(np.asarray(test).tolist()) and set(tested) == set(np.asarray(train).tolist()):
            fail("evaluation.kfold", call, f"fold {fold}'s model trained on the other folds' {len(train)} images, tested on "
                 f"its own {len(test)}", f"trained on its own {len(test)}, tested on the other {len(train)}",
                 "each fold's train and test parts swapped")
        if set(trained) != set(np.asarray(train).tolist()):
            fail("evaluation.kfold", call, f"fold {fold}'s model trained on the images of the other folds only",
                 f"trained on {len(set(trained) & set(np.asarray(test).tolist()))} images of its own test fold and "
                 f"{len(set(trained) & set(np.asarray(train).tolist()))} of the other folds'",
                 "a leak between folds")
    if not np.all(accuracies >= 40):
        fail("evaluation.kfold", call, "3 accuracies in percent, each at least 40 (chance is 10)", accuracies, "does not learn")

    def squared_errors(part: int) -> list[float]:  # each fold's trained model on its train (0) or test (1) part
        return [float(np.mean((np.asarray(m.model(x[f[part]])) - y[f[part]]) ** 2)) for m, f in zip(built, folds)]

    errors = squared_errors(1)
    expect_close("evaluation.kfold", call + " → errors (each fold's mean squared error on its test fold)",
                 result["errors"], errors, rtol=1e-4,
                 alternatives={"errors as 100 − accuracy": 100 - accuracies, "errors on the training folds": squared_errors(0)})
    expect_close("evaluation.kfold", call + " → mean_accuracy", result["mean_accuracy"], accuracies.mean())
    expect_close("evaluation.kfold", call + " → mean_error", result["mean_error"], np.mean(errors), rtol=1e-4)
    expect_close("evaluation.kfold", call + " → variance", result["variance"], accuracies.var(),
                 alternatives={"the sample variance": accuracies.var(ddof=1),
                               "the standard deviation, not the variance": accuracies.std(),
                               "the variance of the errors, not of the accuracies": np.var(errors)})
    for fold, (model, (train, test)) in enumerate(zip(built, folds)):
        tested = {row[r.tobytes()] for batch in model.seen if len(batch) > 10 for r in batch}
        if tested != set(np.asarray(test).tolist()):
            fail("evaluation.kfold", call, f"fold {fold}'s model tested on its own fold's {len(test)} images",
                 f"tested on {len(tested)} images, {len(tested - set(np.asarray(test).tolist()))} "
                 f"of them from its training folds", "a leak between folds")


@pytest.mark.task("evaluation.kfold")
@pytest.mark.uses("evaluation.fold_indices", "mlp.MLP.from_sizes", "training.training_loop", "training.testing_loop")
def test_kfold_hands_its_step_on(kit):
    x = np.random.default_rng(0).random((12, 784)).astype(np.float32)
    predicted = np.argmax(np.asarray(kit.mlp.MLP.from_sizes([784, 3, 10], seed=0)(x)), axis=1)
    right = np.array([1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0], dtype=bool)  # untrained: 25, 50 and 75 % per fold
    y = np.eye(10, dtype=np.float32)[np.where(right, predicted, (predicted + 1) % 10)]
    calls, batches = [], []

    def step(model, x_batch, y_batch, learning_rate):
        calls.append(len(x_batch))
        batches.append(np.asarray(x_batch)[:, 0].tolist())  # which images, in which order
        return tf.constant(0.0)

    call = "kfold(build_model, 12 images, k=3, epochs=1, learning_rate=0.5, batch_size=4, seed=0, step=a counting step)"
    result = kit.evaluation.kfold(lambda: kit.mlp.MLP.from_sizes([784, 3, 10], seed=0), x, y, 3, 1, 0.5, 4, seed=0,
                                  step=step)
    if calls != [4, 4] * 3:  # called, but on other batches: the folds' training parts are wrong
        fail("evaluation.kfold", call, "step called on each fold's two training batches of 4: [4, 4, 4, 4, 4, 4]",
             calls or "step never called", "wrong calls of step" if calls else "step ignored")
    if not isinstance(result, dict):
        fail("evaluation.kfold", call, "a dict of results", result, "wrong type", "type")
    expect_close("evaluation.kfold", call + " → accuracies (of the untrained models: the step trains nothing)",
                 result.get("accuracies"), [25.0, 50.0, 75.0])
    expect_close("evaluation.kfold", call + " → variance (of the accuracies 25, 50 and 75 %)", result.get("variance"),
                 np.var([25.0, 50.0, 75.0]), alternatives={
                     "the sample variance": np.var([25.0, 50.0, 75.0], ddof=1),
                     "the standard deviation, not the variance": np.std([25.0, 50.0, 75.0]),
                     **({"the variance of the errors, not of the accuracies": np.var(np.asarray(result["errors"], float))}
                        if _numbers(result.get("errors"), 3) else {})})
    expected = [np.asarray(xb)[:, 0].tolist() for train, _ in kit.evaluation.fold_indices(12, 3)
                for xb, _ in kit.training.make_dataset(x[np.asarray(train)], y[np.asarray(train)], 4, 0)]
    if batches != expected:
        fail("evaluation.kfold", call, "each fold's batches as make_dataset(its training part, batch_size, seed) gives them",
             "other batches, or another order", "seed ignored")

"""Hidden suite of exercise 5: k-fold cross-validation (10 points)."""

import numpy as np
import pytest
import tensorflow as tf

from grader.scoring.judges import expect_array, expect_close, expect_numbers, fail
from grader.scoring.student import Fn, Model, StudentError
from grader.isolation.worker.harness import harness_mlp, order_step
from solutions import evaluation as reference
from tests.hidden.conftest import expect_float_lists, expect_parts, random_parameters

pytestmark = pytest.mark.evaluation



@pytest.mark.points(2)
@pytest.mark.task("evaluation.fold_indices")
def test_fold_indices_partition_in_order(student, rng):
    for k in (2, int(rng.integers(3, 7))):
        n = k * int(rng.integers(2, 9))
        call = f"fold_indices(n={n}, k={k})"
        got = student.evaluation.fold_indices(n, k)
        expected = reference.fold_indices(n, k)
        if not isinstance(got, (list, tuple)) or len(got) != k:
            fail("evaluation.fold_indices", call, f"{k} (train, test) pairs", got, "wrong structure", "type")
        for i, (pair, (train, test)) in enumerate(zip(got, expected)):
            expect_parts("evaluation.fold_indices", f"{call} → fold {i}", pair, 2, "a pair (train_indices, test_indices)")
            expect_close("evaluation.fold_indices", f"{call} → fold {i} test indices", pair[1], test, atol=0)
            for part, name in zip(pair, ("train", "test")):
                expect_array("evaluation.fold_indices", f"{call} → fold {i} {name} indices", part, np.int64)
            expect_close("evaluation.fold_indices", f"{call} → fold {i} train indices, sorted",
                         np.sort(np.asarray(pair[0])), np.sort(train), atol=0)


@pytest.mark.points(2)
@pytest.mark.task("evaluation.fold_indices")
def test_fold_indices_rejects_each_invalid_k(student, rng):
    n = 6 * int(rng.integers(2, 6))
    cases = [(1, "k > 1"), (int(rng.integers(-3, 1)), "k > 1"), (n, "k < n"), (n + int(rng.integers(1, 4)), "k < n"),
             (5 if n % 5 else 7, "k divides n")]
    for k, rule in cases:
        call = f"fold_indices(n={n}, k={k})"
        try:
            got = student.evaluation.fold_indices(n, k)
        except StudentError as error:
            if error.type != "ValueError":
                raise
            if rule not in error.message:
                fail("evaluation.fold_indices", call, f"ValueError naming the rule {rule!r}",
                     f"{error.type}: {error.message[:200]}")
            continue
        fail("evaluation.fold_indices", call, f"ValueError naming the rule {rule!r}", got, "no error raised")


def kfold_case(rng, mnist, n=240):
    (x_train, y_train), _ = mnist
    pick = rng.choice(len(x_train), n, replace=False)
    weights, biases = random_parameters(rng, [784, 16, 10])
    return x_train[pick], y_train[pick], weights, biases


@pytest.mark.points(3)
@pytest.mark.task("evaluation.kfold")
def test_kfold_trains_a_fresh_model_per_fold(student, rng, mnist, once):
    x, y, weights, biases = kfold_case(rng, mnist)
    k, epochs, rate, batch, seed = 3, 3, 8.0, 10, int(rng.integers(1000))
    call = f"kfold(build_model, {len(x)} MNIST images, k={k}, epochs={epochs}, {rate}, {batch})"
    factory = student.build(Model(weights, biases, factory=True))
    got = student.evaluation.kfold(factory, x, y, k, epochs, rate, batch, seed=seed)
    builds = factory.get("builds")
    if builds != k:
        fail("evaluation.kfold", call, f"build_model() called once per fold ({k} times)", f"called {builds} times",
             "one model for every fold" if builds <= 1 else "a fold skipped" if builds < k else "built too often")
    expected = once("trained", lambda: reference.kfold(lambda: harness_mlp(weights, biases), x, y, k, epochs, rate,
                                                         batch, seed=seed))
    if not isinstance(got, dict) or set(got) != set(expected):
        fail("evaluation.kfold", call, f"a dict with the keys {sorted(expected)}", got, "wrong structure", "type")
    # The same training, up to float rounding in the student's own train: a few test images may differ.
    accuracies = expect_numbers("evaluation.kfold", call + " → accuracies", got["accuracies"], np.zeros(k))
    expect_close("evaluation.kfold", call + " → accuracies", accuracies, expected["accuracies"], atol=4.0)
    expect_close("evaluation.kfold", call + " → errors (each fold's mean squared error on its test fold)",
                 got["errors"], expected["errors"], rtol=0.1, alternatives={"errors as 100 − accuracy": 100 - accuracies})
    call = call.replace(f"epochs={epochs}", "epochs=1").replace(")", ", step=a step that trains nothing)")
    frozen = student.evaluation.kfold(student.build(Model(weights, biases, factory=True)), x, y, k, 1, rate, batch,
                                      seed=seed, step=Fn("frozen_step"))
    untrained = once("untrained", lambda: reference.kfold(
        lambda: harness_mlp(weights, biases), x, y, k, 1, rate, batch, seed=seed,
        step=lambda model, x_batch, y_batch, learning_rate: tf.constant(0.0)))
    if not isinstance(frozen, dict) or not np.allclose(frozen.get("accuracies"), untrained["accuracies"], atol=1e-3):
        fail("evaluation.kfold", call, f"the untrained models' accuracies {untrained['accuracies']}",
             frozen.get("accuracies") if isinstance(frozen, dict) else frozen, "step ignored")
    # a step whose result depends only on the order of the batches: the seed must give make_dataset's order
    call = call.replace("a step that trains nothing", "a step whose effect depends on the batches' order")
    ordered = student.evaluation.kfold(student.build(Model(weights, biases, factory=True)), x, y, k, 1, rate, batch,
                                       seed=seed, step=Fn("order_step"))
    expected = once("ordered", lambda: reference.kfold(lambda: harness_mlp(weights, biases), x, y, k, 1, rate, batch,
                                                         seed=seed, step=order_step))
    errors = expect_numbers("evaluation.kfold", call + " → errors", ordered.get("errors") if isinstance(ordered, dict)
                            else ordered, np.zeros(k))
    if not np.allclose(errors, expected["errors"], rtol=1e-4):
        fail("evaluation.kfold", call + " → errors", expected["errors"], errors, "seed ignored")


@pytest.mark.points(3)
@pytest.mark.task("evaluation.kfold")
def test_kfold_summary_statistics(student, rng, mnist, once):
    for _ in range(8):  # a draw whose folds score differently: equal accuracies hide the sample variance
        x, y, weights, biases = kfold_case(rng, mnist, n=120)
        k = int(rng.choice([2, 3, 4]))
        reference_run = once(f"trained {k} {weights[0][0, 0]}", lambda: reference.kfold(
            lambda: harness_mlp(weights, biases), x, y, k, 2, 8.0, 10, seed=1))
        if np.ptp(reference_run["accuracies"]) >= 5.0:
            break
    call = f"kfold(build_model, {len(x)} MNIST images, k={k}, epochs=2, 8.0, 10)"
    got = student.evaluation.kfold(Model(weights, biases, factory=True), x, y, k, 2, 8.0, 10, seed=1)
    if not isinstance(got, dict) or "accuracies" not in got:
        fail("evaluation.kfold", call, "a dict with the per-fold accuracies", got, "wrong structure", "type")
    accuracies = expect_numbers("evaluation.kfold", call + " → accuracies", got["accuracies"], np.zeros(k))
    expect_close("evaluation.kfold", call + " → accuracies", accuracies, reference_run["accuracies"], atol=4.0)
    errors = expect_numbers("evaluation.kfold", call + " → errors", got.get("errors"), np.zeros(k))
    expect_close("evaluation.kfold", call + " → errors (each fold's mean squared error on its test fold)", errors,
                 reference_run["errors"], rtol=0.1, alternatives={"errors as 100 − accuracy": 100 - accuracies})
    expected = {"mean_accuracy": accuracies.mean(), "mean_error": errors.mean(), "variance": accuracies.var()}
    for key, value in expected.items():
        expect_close("evaluation.kfold", f"{call} → {key} (from your accuracies {accuracies.tolist()} and errors)",
                     got.get(key), value,
                     alternatives={"the sample variance": accuracies.var(ddof=1),
                                   "the standard deviation, not the variance": accuracies.std()} if key == "variance" else None)
    expect_float_lists("evaluation.kfold", call + " → accuracies, errors", [got["accuracies"], got["errors"]], 2, k,
                       "(accuracies, errors)")
    expect_float_lists("evaluation.kfold", call + " → mean_accuracy, mean_error, variance",
                       [[got[key] for key in expected]], 1, 3, "floats")

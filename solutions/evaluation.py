"""Exercise 5: k-fold cross-validation.

Thesis: §Network Evaluation and §Cross-Validation Comparison (its k-fold tables, Figs. 17–21).
"""

import numpy as np

from .training import loss, make_dataset, testing_loop, train, training_loop


def fold_indices(n: int, k: int):
    """Split the indices 0..n−1 into k folds of n/k consecutive indices each.

    Thesis §Network Evaluation: fold i is the test set of round i and the other k − 1 folds are its
    training set, so every index is tested exactly once. Its text calls the folds randomized; its
    code (Appendix B) splits the data in order, as here: shuffling is make_dataset's, within the
    training part of each round. k is valid only if 1 < k < n and k
    divides n; otherwise raise ValueError with a message naming the first broken rule, checked in
    this order: "k > 1", "k < n", "k divides n".

    Returns a list of k pairs (train_indices, test_indices), each a 1-D int64 numpy array.
    """
    ### BEGIN SOLUTION
    if k <= 1:
        raise ValueError(f"k = {k} breaks the rule k > 1: one fold would leave nothing to train on")
    if k >= n:
        raise ValueError(f"k = {k} breaks the rule k < n (n = {n}): a fold needs at least one sample")
    if n % k:
        raise ValueError(f"k = {k} breaks the rule k divides n (n = {n}): the folds would differ in size")
    folds = np.split(np.arange(n, dtype=np.int64), k)
    return [(np.concatenate(folds[:i] + folds[i + 1:]), test) for i, test in enumerate(folds)]
    ### END SOLUTION


def kfold(build_model, x, y, k: int, epochs: int, learning_rate, batch_size: int, seed=None, step=train) -> dict:
    """k-fold cross-validation of a freshly built model per fold.

    Thesis §Network Evaluation: for every (train, test) pair of `fold_indices(len(x), k)`, build a
    new model with `build_model()`, train it on the training part with `training_loop` (batches
    from `make_dataset`; hand `step` on, e.g. a tf.function step), and test it on the test part
    with `testing_loop`. A fold's error is the mean squared error (`loss`) of the trained model on
    its test part; the variance is the population variance of the accuracies (np.var), in
    percent², as the thesis' tables give it (Fig. 18: 90.81 %, error 0.012977).
    Two things here are the kit's, not the thesis' code: that code builds one model before the
    loop and trains it on, fold after fold (so from the second fold it has seen the fold it is
    tested on), and measures the error on the 10,000 official test images, which lie inside its
    last fold. A new model per fold, tested on its own fold, is what k-fold cross-validation means;
    `nn-kit reproduce` runs the thesis' figures both ways.

    x: (n, 784) float32; y: (n, 10) one-hot float32.
    Returns {"accuracies": [k floats, percent], "errors": [k floats], "mean_accuracy": float,
    "mean_error": float, "variance": float}.
    """
    x, y = np.asarray(x), np.asarray(y)
    ### BEGIN SOLUTION
    accuracies, errors = [], []
    for train_idx, test_idx in fold_indices(len(x), k):
        model = build_model()
        training_loop(model, make_dataset(x[train_idx], y[train_idx], batch_size, seed), epochs, learning_rate, step)
        accuracies.append(float(testing_loop(model, x[test_idx], y[test_idx])[0]))
        errors.append(float(loss(model(x[test_idx]), y[test_idx])))
    return {
        "accuracies": accuracies,
        "errors": errors,
        "mean_accuracy": float(np.mean(accuracies)),
        "mean_error": float(np.mean(errors)),
        "variance": float(np.var(accuracies)),
    }
    ### END SOLUTION

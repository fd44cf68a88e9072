"""Rerun the thesis' evaluation chapter and print each table beside the thesis' numbers.

    nn-kit reproduce [--figure 17 18 …] [--quick] [--with solutions|exercises] [--init normal|uniform]

Figs. 17–20 (thesis § Cross-Validation Comparison): a [784, 15, 10] sigmoid MLP, batches of 10,
learning rates 0.9, 0.1 and 0.01, 10 or 25 epochs; without validation (train on the 60,000
training images, test on the 10,000 test images) and with 5-fold cross-validation of all 70,000.
Fig. 22 (§ Model Bias) varies the hidden layer (with Figs. 23–24, the correct predictions per
digit), Figs. 25–27 (§ Multiple Hidden Layers) the depth: all 5-fold.
A 5-fold figure runs two protocols with the same code (`kfold` of the chosen package):
- the thesis' own: its code builds one model before cross-validation and trains it through every
  fold, so from the second fold on the model has already trained on the fold it is tested on;
- a fresh model per fold, which is what k-fold cross-validation means.
The difference between them is how much of "5-fold beats a single split" (Fig. 18 vs Fig. 17) is
that leak. A second one: the thesis' code measures a fold's error on the 10,000 test images
(images 60,000–69,999, inside fold 5, so every fold but the last has trained on them), not on the
fold's test images; both are shown. Its per-digit counts (Figs. 23–24) are the last model's on all
70,000 images; also shown summed over the test folds.
Each row's verdict compares the kit's accuracy with the thesis' within the thesis' own spread: two
standard errors of its 5-fold mean (two standard deviations of one fold for a single split), at
least one point; a 5-fold figure also says which protocol the thesis' number is nearer. Models
start as the thesis' code starts them, from normal(0, 1) parameters (its text says uniform in
[−1, 1], which learns much faster at the small rates: --init uniform).
"""

import argparse
import ast
import hashlib
import importlib
import json
import itertools
import math
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from data.mnist import load_mnist
from grader.isolation.staging import find, stage
from grader.lab import reproduce_charts as charts

SIZES, BATCH, FOLDS = (784, 15, 10), 10, 5


@dataclass(frozen=True)
class Row:
    """One experiment of a figure and the thesis' result: accuracy %, error (test MSE), variance %²
    of the folds' accuracies (None without validation), run time s."""
    label: str
    sizes: tuple
    epochs: int
    rate: float
    accuracy: float
    error: float
    variance: float | None
    seconds: float


def _rates(epochs: int, results: dict) -> list[Row]:
    return [Row(f"rate {rate}", SIZES, epochs, rate, *results[rate]) for rate in (0.9, 0.1, 0.01)]


# figure → (5-fold?, rows), read from the thesis (§ Cross-Validation Comparison, § Model Bias,
# § Multiple Hidden Layers); Fig. 23–24's per-digit counts are DIGITS
FIGURES = {
    17: (False, _rates(10, {0.9: (89.12, 0.01749, None, 91.21), 0.1: (58.42, 0.05698, None, 96.47),
                            0.01: (16.51, 0.093112, None, 92.64)})),
    18: (True, _rates(10, {0.9: (90.81, 0.012977, 1.91, 426.27), 0.1: (79.63, 0.030024, 101.18, 433.25),
                           0.01: (36.57, 0.078705, 67.89, 438.14)})),
    19: (False, _rates(25, {0.9: (91.55, 0.013766, None, 213.71), 0.1: (83.24, 0.027203, None, 219.58),
                            0.01: (46.05, 0.071884, None, 211.93)})),
    20: (True, _rates(25, {0.9: (93.01, 0.009271, 1.35, 1055.59), 0.1: (87.33, 0.018668, 9.06, 1064.35),
                           0.01: (50.27, 0.063937, 116.71, 1068.03)})),
    22: (True, [Row(f"{list(sizes)}", sizes, 10, 0.9, *result) for sizes, result in (
        ((784, 15, 10), (90.92, 0.012391, 2.37, 101.10)), ((784, 50, 10), (89.18, 0.013969, 2.94, 113.37)),
        ((784, 100, 10), (94.33, 0.008337, 2.54, 126.72)), ((784, 800, 10), (44.22, 0.059228, 26.21, 213.48)))]),
    25: (True, [Row(f"model {name}", sizes, epochs, 0.9, *result) for name, epochs, sizes, result in (
        (1, 10, (784, 30, 15, 10), (92.95, 0.009329, 4.05, 119.23)),
        (2, 25, (784, 30, 15, 10), (94.53, 0.006505, 2.13, 307.86)),
        (3, 25, (784, 15, 30, 10), (93.9, 0.007328, 1.83, 291.17)),
        (4, 25, (784, 1, 100, 10), (36.61, 0.070558, 23.11, 270.96)),
        (5, 25, (784, 100, 50, 10), (96.09, 0.004035, 2.83, 392.57)),
        (6, 25, (784, 50, 100, 10), (96.16, 0.004302, 2.2, 343.72)))]),
    26: (True, [Row(f"model {name}", sizes, epochs, rate, *result) for name, epochs, rate, sizes, result in (
        (7, 25, 0.9, (784, 200, 100, 50, 10), (96.78, 0.002594, 4.47, 508.08)),
        (8, 50, 0.1, (784, 200, 100, 50, 10), (93.61, 0.00775, 6.54, 1048.57)),
        (9, 25, 0.9, (784, 100, 50, 10, 10), (96.04, 0.003728, 3.46, 392.53)),
        (10, 50, 0.7, (784, 100, 50, 10, 10), (96.48, 0.002793, 3.41, 824.14)),
        (11, 25, 0.9, (784, 10, 50, 100, 10), (92.86, 0.008865, 1.74, 316.39)))]),
    27: (True, [Row(f"model {name}", sizes, 25, 0.9, *result) for name, sizes, result in (
        (12, (784, 400, 200, 100, 50, 25, 10), (96.89, 0.00193, 6.79, 787.62)),
        (13, (784, 25, 50, 100, 200, 400, 10), (71.05, 0.032778, 933.92, 610.88)),
        (14, (784, 200, 100, 400, 25, 50, 10), (96.54, 0.002667, 5.13, 693.05)),
        (15, (784, 10, 100, 400, 200, 50, 10), (92.84, 0.008864, 1.45, 612.49)))]),
}
# Figs. 23–24: correct predictions per digit on all 70,000 images by the model after the last fold
DIGITS = {23: ((784, 800, 10), (6807, 7726, 30, 6829, 3, 5959, 2, 7092, 6489, 6607)),
          24: ((784, 100, 10), (6652, 7574, 6369, 6524, 6494, 5621, 6584, 6879, 6122, 6237))}
SPREAD_OF = {17: 18, 19: 20}  # a figure without validation takes its spread from the 5-fold one
QUICK_IMAGES, QUICK_EPOCHS = 3500, 2  # --quick: a smoke run, not comparable with the thesis
RESULTS = 2  # what an experiment's result holds: a cached result of an older format is run again
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "nn-kit" / "reproduce.json"


def _code(path: Path) -> str:
    """What a module does, without its docstrings and comments: editing those keeps the cache."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


class Kit:
    """The modules of one implementation (solutions or exercises), and how its models start."""

    def __init__(self, package: str, init: str = "normal", name: str = ""):
        self.name, self.init = name or package, init
        digest = hashlib.sha256()
        for module in ("mlp", "training", "evaluation"):
            setattr(self, module, importlib.import_module(f"{package}.{module}"))
            digest.update(_code(Path(getattr(self, module).__file__)).encode())
        self.digest = digest.hexdigest()  # the code that ran: a cached result is reused only for the same code

    def model(self, sizes, seed: int):
        """An MLP of these layer sizes: parameters normal(0, 1), as the thesis' own code draws them
        (its tables come from those), or uniform in [−1, 1] (`init="uniform"`: its text, `MLP.from_sizes`)."""
        if self.init == "uniform":
            return self.mlp.MLP.from_sizes(list(sizes), seed=seed)
        rng = np.random.default_rng(seed)
        pairs = list(zip(sizes[:-1], sizes[1:]))
        return self.mlp.MLP([rng.normal(size=pair).astype(np.float32) for pair in pairs],
                            [rng.normal(size=(1, n)).astype(np.float32) for _, n in pairs])

    def epoch_step(self):
        """A step that trains a model on a whole epoch handed to it as one batch: one TensorFlow
        graph per model cuts it into batches of BATCH, calls the kit's `train` on each in order and
        returns their mean loss. `make_dataset(x, y, len(x), seed)` then yields the same shuffled
        batches as `make_dataset(x, y, BATCH, seed)`, ~5× faster than a compiled step per batch."""
        import tensorflow as tf

        graphs, train = {}, self.training.train

        def step(model, x_epoch, y_epoch, learning_rate):
            key = (id(model), float(learning_rate))
            if key not in graphs:
                @tf.function
                def epoch(x, y):
                    batches = (tf.shape(x)[0] + BATCH - 1) // BATCH
                    total = tf.constant(0.0)
                    for i in tf.range(batches):
                        total += tf.cast(train(model, x[i * BATCH:(i + 1) * BATCH], y[i * BATCH:(i + 1) * BATCH],
                                               learning_rate), tf.float32)
                    return total / tf.cast(batches, tf.float32)

                graphs[key] = (model, epoch)  # keeps the model alive
            return graphs[key][1](x_epoch, y_epoch)

        return step


def data(kit: Kit, quick: bool):
    """((x_train, y_train), (x_test, y_test)) preprocessed by the kit; --quick keeps the first images."""
    (x_train, y_train), (x_test, y_test) = load_mnist()
    if quick:
        train, test = QUICK_IMAGES * 6 // 7, QUICK_IMAGES // 7
        x_train, y_train, x_test, y_test = x_train[:train], y_train[:train], x_test[:test], y_test[:test]
    return [tuple(np.asarray(a) for a in kit.training.preprocess(x, y)) for x, y in ((x_train, y_train), (x_test, y_test))]


def single_split(kit: Kit, train, test, row: Row, epochs: int, seed: int, progress=None) -> dict:
    """The thesis' "no validation" run: train on the training images, test on the test images."""
    model = kit.model(row.sizes, seed)
    compiled, epochs_done = kit.epoch_step(), itertools.count(1)

    def step(model, x_epoch, y_epoch, learning_rate):
        loss = compiled(model, x_epoch, y_epoch, learning_rate)
        if progress:
            progress(next(epochs_done), epochs)
        return loss

    dataset = kit.training.make_dataset(*train, len(train[0]), seed)  # an epoch per "batch": see epoch_step
    kit.training.training_loop(model, dataset, epochs, row.rate, step)
    accuracy = float(kit.training.testing_loop(model, *test)[0])
    return {"accuracy": accuracy, "error": float(kit.training.loss(model(test[0]), test[1])), "fold_error": None,
            "variance": None, **_digits("per_digit", kit.training.correct_per_digit(model, *test))}


def five_fold(kit: Kit, train, test, row: Row, epochs: int, seed: int, thesis_protocol: bool, progress=None) -> dict:
    """5-fold cross-validation of all images with the kit's kfold: a fresh model per fold, or (the
    thesis' protocol) one model built once and trained on through every fold. Its error two ways,
    averaged over the folds: the thesis' code's (on the 10,000 test images, after every epoch, epoch 0
    included: Fig. 21) and the test fold's. The correct predictions per digit two ways: summed over
    the test folds, and the thesis' (the last model on all images, Figs. 23–24)."""
    x, y = np.concatenate([train[0], test[0]]), np.concatenate([train[1], test[1]])
    seeds, built = itertools.count(seed), []
    once = kit.model(row.sizes, seed)
    folds = [(np.asarray(train_idx), np.asarray(test_idx)) for train_idx, test_idx in
             kit.evaluation.fold_indices(len(x), FOLDS)]
    per_digit = np.zeros(10, dtype=np.int64)
    errors = {way: np.zeros((FOLDS, epochs + 1)) for way in ("test images", "test fold")}
    compiled, epochs_done = kit.epoch_step(), itertools.count(1)

    def measure(epoch: int) -> None:
        fold = len(built) - 1
        for way, (images, labels) in (("test images", test), ("test fold", (x[folds[fold][1]], y[folds[fold][1]]))):
            errors[way][fold, epoch] = float(kit.training.loss(built[fold](images), labels))

    def count(fold: int) -> None:  # the fold's model is trained and tested: its per-digit counts
        indices = folds[fold][1]
        per_digit[:] += np.asarray(kit.training.correct_per_digit(built[fold], x[indices], y[indices])[0])

    def build_model():
        if built:
            count(len(built) - 1)
        built.append(once if thesis_protocol else kit.model(row.sizes, next(seeds)))
        measure(0)
        return built[-1]

    def step(model, x_epoch, y_epoch, learning_rate):
        loss = compiled(model, x_epoch, y_epoch, learning_rate)
        done = next(epochs_done)
        measure((done - 1) % epochs + 1)
        if progress:
            progress(done, FOLDS * epochs)
        return loss

    # an epoch per "batch" (see epoch_step): kfold's make_dataset gets a fold's size as batch size
    result = kit.evaluation.kfold(build_model, x, y, FOLDS, epochs, row.rate, len(folds[0][0]), seed=seed, step=step)
    count(len(built) - 1)
    return {"accuracy": result["mean_accuracy"], "error": float(errors["test images"][:, -1].mean()),
            "fold_error": result["mean_error"], "variance": result["variance"], "per_digit": per_digit.tolist(),
            **_digits("per_digit_all", kit.training.correct_per_digit(built[-1], x, y)),
            "epoch_errors": {way: values.mean(axis=0).tolist() for way, values in errors.items()}}


def _digits(key: str, counts) -> dict:
    """correct_per_digit's (correct, total) as a result's lists: `key` and digit_totals."""
    return {key: np.asarray(counts[0]).tolist(), "digit_totals": np.asarray(counts[1]).tolist()}


def spread(figure: int, index: int) -> float:
    """How far a rerun may land from the thesis' accuracy, from the thesis' own folds for this row:
    two standard errors of its 5-fold mean, or for a single split two standard deviations of one
    fold (its 5-fold figure's); at least one point."""
    folded = FIGURES[figure][0]
    variance = FIGURES[SPREAD_OF.get(figure, figure)][1][index].variance
    return max(1.0, 2 * math.sqrt(variance / (FOLDS if folded else 1)))


def dead_digits(result: dict, images: int) -> list[int]:
    """Digits the model almost never gets right (under a fifth of a digit's share of the images):
    their output units saturated at the start and never learned."""
    return [digit for digit, correct in enumerate(result.get("per_digit") or []) if correct < 0.2 * images / 10]


def verdict(figure: int, index: int, result: dict, quick: bool, init: str) -> str:
    """Within the spread of the thesis' own folds or not, and for a row outside it the likely cause."""
    if quick:
        return "quick run: not comparable"
    gap, allowed = result["accuracy"] - FIGURES[figure][1][index].accuracy, spread(figure, index)
    if abs(gap) <= allowed:
        return f"within ±{allowed:.1f} ({gap:+.2f})"
    dead, thesis_variance = dead_digits(result, 70000 if FIGURES[figure][0] else 10000), FIGURES[figure][1][index].variance
    if dead:
        cause = (f"digit{'s' * (len(dead) > 1)} {', '.join(map(str, dead))} almost never right: output units "
                 f"saturated by the random start never learned (the thesis' one run drew a luckier start; try --seed)")
    elif result["variance"] and thesis_variance and result["variance"] > max(10.0, 4 * thesis_variance):
        cause = (f"the folds disagree (variance {result['variance']:.0f} against the thesis' {thesis_variance:.0f}): "
                 f"some folds' random starts saturated output units that never learned (try --seed)")
    elif init == "uniform":
        cause = "uniform starts learn faster at small rates than the thesis' code's normal(0, 1) starts: try --init normal"
    else:
        cause = "the thesis' code shuffles with a buffer of 1,024 images and ran once per row"
    return f"OUTSIDE ±{allowed:.1f} ({gap:+.2f}): {cause}"


class Cache:
    """Results of finished experiments, by code, figure, row, protocol and settings, kept in a JSON
    file so that a rerun (or a report of figures run before) does not train again."""

    def __init__(self, path: Path | None, reuse: bool = True):
        self.path, self.reuse = path, reuse
        self.results = json.loads(path.read_text()) if path and path.exists() else {}

    def get(self, key: list):
        return self.results.get(json.dumps(key)) if self.reuse else None

    def put(self, key: list, result: dict) -> None:
        self.results[json.dumps(key)] = result
        if self.path:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps(self.results))


def progress_line(name: str, start: float, folds: int):
    """A callback that shows `name`'s fold, epoch and the time left on one terminal line."""
    def show(done: int, total: int) -> None:
        left = (time.perf_counter() - start) / done * (total - done)
        where = f"fold {(done - 1) * folds // total + 1} of {folds}, " if folds > 1 else ""
        per_fold = total // folds
        print(f"\r  {name}: {where}epoch {(done - 1) % per_fold + 1} of {per_fold}, about {left:.0f} s left  ",
              end="", flush=True)
    return show if sys.stdout.isatty() else None


def run_figure(kit: Kit, figure: int, quick: bool, seed: int, train, test, say=print, cache=None) -> list[dict]:
    """Every row of one figure (both protocols for a 5-fold figure), each said when done; rows
    already in `cache` are not run again."""
    folded, thesis_rows = FIGURES[figure]
    protocols = ("thesis protocol", "fresh model per fold") if folded else ("single split",)
    cache = cache or Cache(None)
    rows = []
    for (index, row), protocol in itertools.product(enumerate(thesis_rows), protocols):
        epochs, start = QUICK_EPOCHS if quick else row.epochs, time.perf_counter()
        name = f"Fig. {figure}, {row.label}, {protocol}"
        key = [RESULTS, kit.digest, kit.init, row.sizes, epochs, row.rate, protocol, seed, quick]
        result = cache.get(key)
        if result is None:
            progress = progress_line(name, start, FOLDS if folded else 1)
            if folded:
                result = five_fold(kit, train, test, row, epochs, seed, protocol == "thesis protocol", progress)
            else:
                result = single_split(kit, train, test, row, epochs, seed, progress)
            result["seconds"] = time.perf_counter() - start
            cache.put(key, result)
            if progress:
                print("\r", end="")
        rows.append({"figure": figure, "index": index, "label": row.label, "protocol": protocol, "epochs": epochs,
                     "quick": quick, **result})
        say(f"  … {name}: {result['accuracy']:.2f} % in {result['seconds']:.0f} s")
    return rows


def _cell(value, width: int, digits: int) -> str:
    return f"{value:>{width}.{digits}f}" if value is not None else f"{'—':>{width}}"


def table(figure: int, rows: list[dict], quick: bool, who: str, init: str) -> str:
    folded, thesis_rows = FIGURES[figure]
    images = QUICK_IMAGES if quick else 70000
    what = f"5-fold cross-validation of {images:,} images" if folded else \
        f"no validation: train on {images * 6 // 7:,} images, test on {images // 7:,}"
    width = max(len(row.label) for row in thesis_rows)
    lines = [f"\nFig. {figure}: {what}; batches of {BATCH}" + (f", {QUICK_EPOCHS} epochs" if quick else "") +
             f"; code: {who}",
             f"{'experiment':<{width}} {'epochs':>6} {'rate':>5} {'protocol':<21} {'accuracy':>8} {'thesis':>7} "
             f"{'error':>9} {'thesis':>9} {'fold err':>9} {'variance':>8} {'thesis':>7} {'time s':>7} {'thesis':>7}  "
             f"verdict"]
    for row in rows:
        thesis = thesis_rows[row["index"]]
        lines.append(f"{row['label']:<{width}} {row['epochs']:>6} {thesis.rate:>5} {row['protocol']:<21} "
                     f"{row['accuracy']:8.2f} {thesis.accuracy:7.2f} {row['error']:9.6f} {thesis.error:9.6f} "
                     f"{_cell(row['fold_error'], 9, 6)} {_cell(row['variance'], 8, 2)} {_cell(thesis.variance, 7, 2)} "
                     f"{row['seconds']:7.0f} {thesis.seconds:7.0f}  {verdict(figure, row['index'], row, quick, init)}")
    lines.append(f"error: the mean squared error on the {images // 7:,} test images after the last epoch, as the "
                 f"thesis' code measures it" + ("; fold err: on the fold's own test images (the test images lie in "
                                                 "fold 5: every other fold trains on them)" if folded else ""))
    if quick:  # every row trains 2 epochs of the same few images: rows that differ only in epochs agree
        lines.append("quick run: it shows that the code runs end to end, not the thesis' numbers; run without --quick "
                     "(e.g. --figure 18) to compare with the thesis")
    if folded:
        lines.append(leak_summary(figure, rows, quick))
    lines += [digits_table(number, rows) for number, (sizes, _) in DIGITS.items()
              if any(row["label"] == str(list(sizes)) for row in rows)]
    return "\n".join(lines)


def digits_table(number: int, rows: list[dict]) -> str:
    """Fig. 23 or 24: correct predictions per digit, the thesis' way (the last model on all images)
    and summed over the test folds, beside the thesis'."""
    sizes, thesis = DIGITS[number]
    lines = [f"Fig. {number}: correct predictions per digit, {list(sizes)}",
             f"{'digit':<46} " + " ".join(f"{d:>5}" for d in range(10))]
    for row in rows:
        if row["label"] == str(list(sizes)):
            lines += [f"{row['protocol'] + ', ' + how:<46} " + " ".join(f"{n:>5}" for n in row[key])
                      for how, key in (("last model, all images", "per_digit_all"),
                                       ("summed over test folds", "per_digit"))]
    lines.append(f"{'thesis (last model, all 70,000 images)':<46} " + " ".join(f"{n:>5}" for n in thesis))
    return "\n".join(lines)


def leak_summary(figure: int, rows: list[dict], quick: bool) -> str:
    """How much of the thesis protocol's accuracy comes from training one model through every fold,
    and which protocol the thesis' own numbers are nearer."""
    by = {(row["label"], row["protocol"]): row["accuracy"] for row in rows}
    labels = list(dict.fromkeys(row["label"] for row in rows))
    gaps = ", ".join(f"{by[(label, 'thesis protocol')] - by[(label, 'fresh model per fold')]:+.2f} ({label})"
                     for label in labels)
    text = (f"The thesis' protocol (one model trained on through every fold) against a fresh model per fold, in "
            f"points: {gaps}. From the second fold on, the thesis' model starts from the earlier folds' training: it "
            f"has had more epochs, and it has already trained on the images it is tested on.")
    if quick:
        return text
    thesis = {row["label"]: FIGURES[figure][1][row["index"]].accuracy for row in rows}
    nearer = {label: min(("thesis protocol", "fresh model per fold"),
                         key=lambda protocol: abs(by[(label, protocol)] - thesis[label])) for label in labels}
    return text + " The thesis' accuracy is nearer " + "; ".join(
        f"{'its own protocol' if protocol == 'thesis protocol' else 'a fresh model per fold'} for "
        f"{', '.join(label for label in labels if nearer[label] == protocol)}"
        for protocol in ("thesis protocol", "fresh model per fold") if protocol in nearer.values()) + "."


def write_report(out: Path, figures: dict[int, tuple[list[dict], str]]) -> Path:
    """OUT/report.md with every table, and its charts as PNG: accuracy per experiment beside the
    thesis', the test error per epoch two ways (Fig. 21 is Fig. 20's), the share of each digit's
    images predicted right (Figs. 23–24)."""
    out.mkdir(parents=True, exist_ok=True)
    lines = ["# The thesis' evaluation chapter, rerun by the kit", ""]
    for figure, (rows, text) in figures.items():
        quick = any(row["quick"] for row in rows)
        lines += [f"## Fig. {figure}", "", "```", text.strip(), "```", ""]
        thesis = {row["label"]: FIGURES[figure][1][row["index"]].accuracy for row in rows}
        charts.accuracy(out / f"fig{figure}.png", f"Fig. {figure}: accuracy, kit and thesis", rows, thesis, quick)
        lines += [f"![fig{figure}](fig{figure}.png)", ""]
        if any("epoch_errors" in row for row in rows):
            charts.errors(out / f"fig{figure}-error-per-epoch.png",
                          f"Test error per epoch{' (Fig. 21)' if figure == 20 else ''}, Fig. {figure}'s runs", rows, quick)
            lines += [f"![fig{figure}-error-per-epoch](fig{figure}-error-per-epoch.png)", ""]
        for number, (sizes, counts) in DIGITS.items():
            mine = [row for row in rows if row["label"] == str(list(sizes))]
            if mine:
                (_, y_train), (_, y_test) = load_mnist()
                series = [("thesis: last model, all 70,000 images", counts,
                           np.bincount(np.concatenate([y_train, y_test]), minlength=10))]
                series += [(f"kit, {row['protocol']}, {how}", row[key], row["digit_totals"]) for row in mine
                           for how, key in (("last model, all images", "per_digit_all"), ("test folds", "per_digit"))]
                charts.digits(out / f"fig{number}.png", f"Fig. {number}: {list(sizes)}, correct predictions per digit",
                              series, quick)
                lines += [f"![fig{number}](fig{number}.png)", ""]
    path = out / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--figure", type=int, nargs="+", choices=sorted(FIGURES), default=sorted(FIGURES),
                        help="the figures to rerun (Figs. 23–24, the per-digit counts, come with Fig. 22; Fig. 21, "
                             "the test error per epoch, with Fig. 20)")
    parser.add_argument("--quick", action="store_true",
                        help=f"a smoke run: {QUICK_IMAGES:,} images and {QUICK_EPOCHS} epochs (minutes, not hours)")
    parser.add_argument("--with", dest="package", default="solutions",
                        help="whose code runs the experiments: solutions (default), exercises, or a student's "
                             "folder or .zip (run in this process, not sandboxed: only code you trust)")
    parser.add_argument("--init", choices=("normal", "uniform"), default="normal",
                        help="initial parameters: normal(0, 1), as the thesis' own code draws them (default), or "
                             "uniform in [-1, 1] (the thesis' text, your from_sizes)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="also write report.md and its charts (PNG) here")
    parser.add_argument("--cache", type=Path, default=CACHE,
                        help=f"finished experiments are kept here and not run again for the same code (default {CACHE})")
    parser.add_argument("--fresh", action="store_true", help="run every experiment again (the cache keeps the new results)")


def importable(choice: str, scratch: Path) -> str:
    """The package whose code runs: solutions, exercises, or a submission (a folder, a .zip or
    notebooks, as `nn-kit grade` takes them) staged as a package in `scratch`, put on sys.path."""
    if choice in ("solutions", "exercises"):
        return choice
    submissions = find([choice])
    if len(submissions) != 1:
        raise ValueError(f"--with {choice}: give one student's folder or .zip, not a class of {len(submissions)}")
    package = stage(submissions[0], scratch / "nnkit_reproduced")
    for name in [name for name in sys.modules if name.split(".")[0] == package.name]:
        del sys.modules[name]  # an earlier run's, in this process
    (package / "__init__.py").write_text("import solutions  # TensorFlow, loaded quietly\n", encoding="utf-8")
    sys.path.insert(0, str(scratch))
    for warning in submissions[0].warnings:
        print(f"note: {warning}")
    return package.name


def run(args) -> int:
    scratch = Path(tempfile.mkdtemp(prefix="nnkit-reproduce-"))
    figures = {}
    try:
        kit = Kit(importable(args.package, scratch), args.init, name=args.package)
        train, test = data(kit, args.quick)
        for figure in args.figure:
            rows = run_figure(kit, figure, args.quick, args.seed, train, test, say=lambda line: print(line, flush=True),
                              cache=Cache(args.cache, reuse=not args.fresh))
            figures[figure] = rows, table(figure, rows, args.quick, f"{kit.name}, {kit.init} initial parameters", kit.init)
            print(figures[figure][1], flush=True)
    except NotImplementedError as error:
        print(f"nn-kit reproduce: {error or 'a task is not implemented yet'}: run `pytest exercises/` and finish "
              f"the exercises first", file=sys.stderr)
        return 1
    except (ValueError, ImportError) as error:
        print(f"nn-kit reproduce: {error}", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if args.out is not None:
        print(f"report: {write_report(args.out, figures)}")
    return 0

"""Rerun the thesis' evaluation chapter and print each table beside the thesis' numbers.

    nn-kit reproduce [--figure 17 18 19 20] [--quick] [--with solutions|exercises] [--init normal|uniform]

Figs. 17–20 (thesis § Cross-Validation Comparison): a [784, 15, 10] sigmoid MLP, batches of 10,
learning rates 0.9, 0.1 and 0.01, 10 or 25 epochs; without validation (train on the 60,000
training images, test on the 10,000 test images) and with 5-fold cross-validation of all 70,000.
A 5-fold figure runs two protocols with the same code (`kfold` of the chosen package):
- the thesis' own: its code builds one model before cross-validation and trains it through every
  fold, so from the second fold on the model has already trained on the fold it is tested on;
- a fresh model per fold, which is what k-fold cross-validation means.
The difference between them is how much of "5-fold beats a single split" (Fig. 18 vs Fig. 17) is
that leak. Each row's verdict compares the kit's accuracy with the thesis' within the spread the
thesis' own folds show (two standard deviations of its 5-fold row, at least one point). Models
start as the thesis' code starts them, from normal(0, 1) parameters (its text says uniform in
[−1, 1], which learns much faster at the small rates: --init uniform).
"""

import argparse
import importlib
import itertools
import math
import sys
import time

import numpy as np

from data.mnist import load_mnist

SIZES, BATCH, FOLDS = [784, 15, 10], 10, 5
RATES = (0.9, 0.1, 0.01)
# figure → (5-fold?, epochs, {rate: (accuracy %, error, variance %² or None, run time s)}), read from the thesis
THESIS = {
    17: (False, 10, {0.9: (89.12, 0.01749, None, 91.21), 0.1: (58.42, 0.05698, None, 96.47),
                     0.01: (16.51, 0.093112, None, 92.64)}),
    18: (True, 10, {0.9: (90.81, 0.012977, 1.91, 426.27), 0.1: (79.63, 0.030024, 101.18, 433.25),
                    0.01: (36.57, 0.078705, 67.89, 438.14)}),
    19: (False, 25, {0.9: (91.55, 0.013766, None, 213.71), 0.1: (83.24, 0.027203, None, 219.58),
                     0.01: (46.05, 0.071884, None, 211.93)}),
    20: (True, 25, {0.9: (93.01, 0.009271, 1.35, 1055.59), 0.1: (87.33, 0.018668, 9.06, 1064.35),
                    0.01: (50.27, 0.063937, 116.71, 1068.03)}),
}
SPREAD_OF = {17: 18, 18: 18, 19: 20, 20: 20}  # the 5-fold figure whose variance gives a row's spread
QUICK_IMAGES, QUICK_EPOCHS = 7000, 3  # --quick: a smoke run, not comparable with the thesis


class Kit:
    """The modules of one implementation (solutions or exercises), and how its models start."""

    def __init__(self, package: str, init: str = "normal"):
        self.name, self.init = package, init
        for module in ("mlp", "training", "evaluation", "speed"):
            setattr(self, module, importlib.import_module(f"{package}.{module}"))

    def model(self, seed: int):
        """A [784, 15, 10] MLP: parameters normal(0, 1), as the thesis' own code draws them (its
        tables come from those), or uniform in [−1, 1] (`init="uniform"`: the thesis' text, `MLP.from_sizes`)."""
        if self.init == "uniform":
            return self.mlp.MLP.from_sizes(SIZES, seed=seed)
        rng = np.random.default_rng(seed)
        pairs = list(zip(SIZES[:-1], SIZES[1:]))
        return self.mlp.MLP([rng.normal(size=pair).astype(np.float32) for pair in pairs],
                            [rng.normal(size=(1, n)).astype(np.float32) for _, n in pairs])

    def compiled_step(self):
        """A training step that runs each model's step through its own `compile_step` graph."""
        graphs = {}

        def step(model, x_batch, y_batch, learning_rate):
            key = (id(model), float(learning_rate))
            if key not in graphs:
                graphs[key] = (model, self.speed.compile_step(model, learning_rate))  # keeps the model alive
            return graphs[key][1](x_batch, y_batch)

        return step


def data(kit: Kit, quick: bool):
    """((x_train, y_train), (x_test, y_test)) preprocessed by the kit; --quick keeps the first images."""
    (x_train, y_train), (x_test, y_test) = load_mnist()
    if quick:
        train, test = QUICK_IMAGES * 6 // 7, QUICK_IMAGES // 7
        x_train, y_train, x_test, y_test = x_train[:train], y_train[:train], x_test[:test], y_test[:test]
    return [tuple(np.asarray(a) for a in kit.training.preprocess(x, y)) for x, y in ((x_train, y_train), (x_test, y_test))]


def single_split(kit: Kit, train, test, epochs: int, rate: float, seed: int) -> dict:
    """The thesis' "no validation" run: train on the training images, test on the test images."""
    model = kit.model(seed)
    kit.training.training_loop(model, kit.training.make_dataset(*train, BATCH, seed), epochs, rate, kit.compiled_step())
    accuracy = float(kit.training.testing_loop(model, *test)[0])
    return {"accuracy": accuracy, "error": float(kit.training.loss(model(test[0]), test[1])), "variance": None}


def five_fold(kit: Kit, train, test, epochs: int, rate: float, seed: int, thesis_protocol: bool) -> dict:
    """5-fold cross-validation of all images with the kit's kfold: a fresh model per fold, or (the
    thesis' protocol) one model built once and trained on through every fold."""
    x, y = np.concatenate([train[0], test[0]]), np.concatenate([train[1], test[1]])
    seeds = itertools.count(seed)
    once = kit.model(seed)

    def build_model():
        return once if thesis_protocol else kit.model(next(seeds))

    result = kit.evaluation.kfold(build_model, x, y, FOLDS, epochs, rate, BATCH, seed=seed, step=kit.compiled_step())
    return {"accuracy": result["mean_accuracy"], "error": result["mean_error"], "variance": result["variance"]}


def spread(figure: int, rate: float) -> float:
    return max(1.0, 2 * math.sqrt(THESIS[SPREAD_OF[figure]][2][rate][2]))


def verdict(figure: int, rate: float, accuracy: float, quick: bool, init: str) -> str:
    """Within the spread of the thesis' own folds or not, and for a row outside it the likely cause."""
    if quick:
        return "quick run: not comparable"
    gap, allowed = accuracy - THESIS[figure][2][rate][0], spread(figure, rate)
    if abs(gap) <= allowed:
        return f"within ±{allowed:.1f} ({gap:+.2f})"
    cause = ("uniform starts learn faster at small rates than the thesis' code's normal(0, 1) starts: try --init normal"
             if init == "uniform" else "the thesis' code shuffles with a buffer of 1,024 images and ran once per row")
    return f"OUTSIDE ±{allowed:.1f} ({gap:+.2f}): {cause}"


def run_figure(kit: Kit, figure: int, quick: bool, seed: int, train, test, say=print) -> list[dict]:
    """Every row of one figure (both protocols for a 5-fold figure); prints the table."""
    folded, epochs, thesis = THESIS[figure]
    epochs = QUICK_EPOCHS if quick else epochs
    protocols = ("thesis protocol", "fresh model per fold") if folded else ("single split",)
    rows = []
    for rate, protocol in itertools.product(RATES, protocols):
        start = time.perf_counter()
        if folded:
            result = five_fold(kit, train, test, epochs, rate, seed, thesis_protocol=protocol == "thesis protocol")
        else:
            result = single_split(kit, train, test, epochs, rate, seed)
        rows.append({"figure": figure, "rate": rate, "protocol": protocol, "epochs": epochs, **result,
                     "seconds": time.perf_counter() - start})
        say(f"  … Fig. {figure}, rate {rate}, {protocol}: {result['accuracy']:.2f} % in {rows[-1]['seconds']:.0f} s")
    say(table(figure, rows, quick, f"{kit.name}, {kit.init} initial parameters", kit.init))
    return rows


def _cell(value, width: int, digits: int) -> str:
    return f"{value:>{width}.{digits}f}" if value is not None else f"{'—':>{width}}"


def table(figure: int, rows: list[dict], quick: bool, who: str, init: str) -> str:
    folded, epochs, thesis = THESIS[figure]
    images = QUICK_IMAGES if quick else 70000
    what = f"5-fold cross-validation of {images:,} images" if folded else \
        f"no validation: train on {images * 6 // 7:,} images, test on {images // 7:,}"
    lines = [f"\nFig. {figure}: {what}; {SIZES}, {rows[0]['epochs']} epochs, batches of {BATCH}; code: {who}",
             f"{'rate':>5} {'protocol':<21} {'accuracy':>8} {'thesis':>7} {'error':>9} {'thesis':>9} {'variance':>8} "
             f"{'thesis':>7} {'time s':>7} {'thesis':>7}  verdict"]
    for row in rows:
        accuracy, error, variance, seconds = thesis[row["rate"]]
        lines.append(f"{row['rate']:>5} {row['protocol']:<21} {row['accuracy']:8.2f} {accuracy:7.2f} {row['error']:9.6f} "
                     f"{error:9.6f} {_cell(row['variance'], 8, 2)} {_cell(variance, 7, 2)} {row['seconds']:7.0f} "
                     f"{seconds:7.0f}  {verdict(figure, row['rate'], row['accuracy'], quick, init)}")
    if folded:
        lines.append(leak_summary(rows))
    return "\n".join(lines)


def leak_summary(rows: list[dict]) -> str:
    """How much of the thesis protocol's accuracy comes from training one model through every fold."""
    by = {(row["rate"], row["protocol"]): row["accuracy"] for row in rows}
    gaps = ", ".join(f"{by[(rate, 'thesis protocol')] - by[(rate, 'fresh model per fold')]:+.2f} points at rate {rate}"
                     for rate in RATES)
    return (f"The thesis' protocol (one model trained on through every fold) against a fresh model per fold: {gaps}. "
            f"From the second fold on, the thesis' model starts from the earlier folds' training: it has had more "
            f"epochs, and it has already trained on the images it is tested on.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--figure", type=int, nargs="+", choices=sorted(THESIS), default=sorted(THESIS))
    parser.add_argument("--quick", action="store_true",
                        help=f"a smoke run: {QUICK_IMAGES:,} images and {QUICK_EPOCHS} epochs (minutes, not hours)")
    parser.add_argument("--with", dest="package", choices=("solutions", "exercises"), default="solutions",
                        help="whose code runs the experiments: the reference solutions or your exercises")
    parser.add_argument("--init", choices=("normal", "uniform"), default="normal",
                        help="initial parameters: normal(0, 1), as the thesis' own code draws them (default), or "
                             "uniform in [-1, 1] (the thesis' text, your from_sizes)")
    parser.add_argument("--seed", type=int, default=0)


def run(args) -> int:
    kit = Kit(args.package, args.init)
    try:
        train, test = data(kit, args.quick)
        for figure in args.figure:
            run_figure(kit, figure, args.quick, args.seed, train, test)
    except NotImplementedError as error:
        print(f"nn-kit reproduce: {error or 'a task is not implemented yet'}: run `pytest exercises/` and finish "
              f"the exercises first", file=sys.stderr)
        return 1
    return 0

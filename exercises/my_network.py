"""Train your own network on MNIST at a small, fixed budget and see how it does, as the thesis'
figures show it (§Model Bias, Figs. 23–24): the mean loss of every epoch, the accuracy on the 10,000
test images, and the correct predictions per digit, printed, and drawn to a PNG when matplotlib is
installed (`pip install -e ".[notebooks]"`).

    python -m exercises.my_network [--epochs 2] [--images 60000] [--rate 32] [--hidden 32] [--png my_network.png]

Everything runs your own code: MLP.from_sizes (exercise 2), then preprocess, train, training_loop,
testing_loop and correct_per_digit (exercise 4). A task not done yet is named, and nothing is
trained. The same seed gives the same network and the same batches, so two runs of the same code
give the same numbers. The defaults are the hidden MNIST check's network and rate: one epoch of
the 60,000 images should pass 90 %.
"""

import argparse
import importlib
import os
import sys
import time

import numpy as np


def _module(name: str):
    return importlib.import_module(f"{os.environ.get('KIT_TARGET', 'exercises')}.{name}")


def _draw(path: str, losses: list[float], correct: np.ndarray, total: np.ndarray, title: str) -> str:
    """Draw the loss per epoch and the accuracy per digit to `path`; what was done, for the console."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot
    except ImportError:
        return 'not drawn: matplotlib is not installed (pip install -e ".[notebooks]")'
    figure, (left, right) = pyplot.subplots(1, 2, figsize=(11, 4))
    left.plot(range(1, len(losses) + 1), losses, marker="o")
    left.set(title="mean loss per epoch", xlabel="epoch", ylabel="mean loss", xticks=range(1, len(losses) + 1))
    share = 100.0 * correct / np.maximum(total, 1)
    bars = right.bar(range(10), share, color="tab:blue")
    right.bar_label(bars, labels=[f"{c}/{t}" for c, t in zip(correct, total)], fontsize=7, rotation=90, padding=2)
    right.set(title="test images right, per digit", xlabel="digit", ylabel="%", xticks=range(10), ylim=(0, 125))
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    pyplot.close(figure)
    return f"drawn to {path}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m exercises.my_network", description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--images", type=int, default=60000, help="training images used (the first ones)")
    parser.add_argument("--rate", type=float, default=32.0, help="learning rate (of the mean squared error)")
    parser.add_argument("--hidden", type=int, default=32, help="units of the hidden layer")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--png", default="my_network.png")
    args = parser.parse_args(argv)
    from data.mnist import load_mnist

    sizes = [784, args.hidden, 10]
    (images, labels), (test_images, test_labels) = load_mnist()
    try:
        mlp, training = _module("mlp"), _module("training")
        x, y = training.preprocess(images[:args.images], labels[:args.images])
        x_test, y_test = training.preprocess(test_images, test_labels)
        model = mlp.MLP.from_sizes(sizes, seed=args.seed)
        print(f"your network: MLP.from_sizes({sizes}, seed={args.seed}); {len(x):,} training images in batches of "
              f"{args.batch}, learning rate {args.rate:g}, {args.epochs} epoch(s)", flush=True)
        began = time.perf_counter()
        losses = training.training_loop(model, training.make_dataset(x, y, args.batch, seed=args.seed), args.epochs,
                                        args.rate)
        seconds = time.perf_counter() - began
        for epoch, value in enumerate(losses, 1):
            print(f"  epoch {epoch}: mean loss {value:.6f}")
        accuracy, right = training.testing_loop(model, x_test, y_test)
        correct, total = (np.asarray(a) for a in training.correct_per_digit(model, x_test, y_test))
    except NotImplementedError as error:
        print(f"not yet: {error} (pytest exercises/ --task {str(error).split()[0]} checks it)", file=sys.stderr)
        return 1
    print(f"trained in {seconds:.1f} s; test accuracy {float(accuracy):.2f} % ({int(right):,} of {len(x_test):,})")
    print("per digit: " + "  ".join(f"{d}: {100.0 * c / max(t, 1):.1f} %" for d, (c, t) in enumerate(zip(correct, total))))
    weakest = int(np.argmin(correct / np.maximum(total, 1)))
    print(f"the digit it gets wrong most often: {weakest}")
    print(_draw(args.png, losses, correct, total, f"your network {sizes}: {float(accuracy):.2f} % on the test images "
                                                  f"after {args.epochs} epoch(s) of {len(x):,} images"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

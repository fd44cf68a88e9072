"""Benchmark: the thesis' MNIST run with the reference solutions, eager and with tf.function.

Thesis §Network Training: a [784, 15, 10] sigmoid MLP trained with mean squared error, learning rate 0.9,
batches of 10, for 10 epochs, reaches 90.81 % on the 10,000 test images.

    python -m tests.benchmarks.mnist_thesis [--seeds 0 1 2] [--epochs 10] [--eager-epochs 1]
"""

import argparse
import time

import solutions  # noqa: F401  (loads TensorFlow quietly)
from data.mnist import load_mnist
from solutions.mlp import MLP
from solutions.speed import compile_step
from solutions.training import make_dataset, preprocess, testing_loop, train, training_loop

THESIS_ACCURACY = 90.81
SIZES, LEARNING_RATE, BATCH_SIZE, EPOCHS = [784, 15, 10], 0.9, 10, 10


def run(seed: int, epochs: int = EPOCHS, compiled: bool = True) -> dict:
    """Train the thesis' network once; returns accuracy (%) and seconds per epoch."""
    (x_train, y_train), (x_test, y_test) = load_mnist()
    x_train, y_train = preprocess(x_train, y_train)
    x_test, y_test = preprocess(x_test, y_test)
    model = MLP.from_sizes(SIZES, seed=seed)
    dataset = make_dataset(x_train, y_train, BATCH_SIZE, seed=seed)
    step = train
    if compiled:
        compiled_step = compile_step(model, LEARNING_RATE)
        step = lambda model, x, y, learning_rate: compiled_step(x, y)  # noqa: E731
    start = time.perf_counter()
    losses = training_loop(model, dataset, epochs, LEARNING_RATE, step=step)
    seconds = time.perf_counter() - start
    accuracy, correct = testing_loop(model, x_test, y_test)
    return {"seed": seed, "accuracy": accuracy, "correct": correct, "losses": losses, "seconds_per_epoch": seconds / epochs}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--eager-epochs", type=int, default=1, help="epochs to time without tf.function (0: skip)")
    args = parser.parse_args(argv)
    print(f"thesis: {SIZES}, sigmoid, MSE, learning rate {LEARNING_RATE}, batch {BATCH_SIZE}, "
          f"{EPOCHS} epochs → {THESIS_ACCURACY} %")
    compiled = []
    for seed in args.seeds:
        result = run(seed, args.epochs, compiled=True)
        compiled.append(result["seconds_per_epoch"])
        print(f"seed {seed}: {result['accuracy']:.2f} % ({result['correct']} of 10000) after {args.epochs} epochs, "
              f"{result['seconds_per_epoch']:.2f} s per epoch with tf.function")
    if args.eager_epochs:
        eager = run(args.seeds[0], args.eager_epochs, compiled=False)["seconds_per_epoch"]
        mean_compiled = sum(compiled) / len(compiled)
        print(f"eager: {eager:.2f} s per epoch; tf.function: {mean_compiled:.2f} s per epoch; "
              f"speed-up ×{eager / mean_compiled:.1f}")


if __name__ == "__main__":
    main()

"""Benchmark of the hidden MNIST check on the reference solutions, over many grading seeds.

For every grading seed, the check's start (parameters and shuffle seed, drawn exactly as the hidden
test draws them) is trained by the reference (compiled) and tested; prints the minimum, the 0.1 %
quantile and the margin to the pass mark, and how many starts left a digit never predicted (the
collapse of an output unit). `--eager K` also trains K starts eagerly, as a student's loop runs in
the worker, and prints the largest parameter difference to the compiled reference, against the
check's tolerance.

    python -m tests.benchmarks.mnist_check [--seeds 1000] [--first 0] [--eager 20] [--init 0.5]
"""

import argparse
import time

import numpy as np

import solutions  # noqa: F401  (loads TensorFlow quietly)
from grader.scoring.plugin import check_rng
from grader.isolation.worker.harness import batched, harness_mlp
from solutions.training import training_loop
from tests.hidden import mnist_check
from tests.hidden.conftest import trusted_mnist


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1000)
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--eager", type=int, default=0, help="starts also trained eagerly (parameter agreement)")
    parser.add_argument("--init", type=float, default=mnist_check.INIT, help="half-width of the uniform start")
    args = parser.parse_args(argv)
    mnist_check.INIT = args.init
    (x, y), (x_test, labels) = trusted_mnist()
    accuracies, collapsed, start_time = [], [], time.perf_counter()
    for seed in range(args.first, args.first + args.seeds):
        weights, biases, shuffle = mnist_check.start(check_rng(seed, mnist_check.NODE_ID))
        trained, _ = mnist_check.reference_training(weights, biases, x, y, shuffle)
        accuracies.append(mnist_check.accuracy(trained, x_test, labels))
        layers = len(trained) // 2
        predicted = np.argmax(harness_mlp(trained[:layers], trained[layers:])(x_test).numpy(), axis=1)
        if len(np.unique(predicted)) < 10:
            collapsed.append(seed)
        if seed < args.first + args.eager:
            model = harness_mlp(weights, biases)
            training_loop(model, batched(x, y, mnist_check.BATCH, shuffle), mnist_check.EPOCHS, mnist_check.RATE)
            difference = max(float(np.max(np.abs(v.numpy() - t)) / np.max(np.abs(t)))
                             for v, t in zip(model.weights + model.biases, trained))
            print(f"seed {seed}: eager vs compiled, largest parameter difference {difference:.2e} of its scale "
                  f"(tolerance {mnist_check.RELATIVE_TOLERANCE:g})", flush=True)
    accuracies = np.array(accuracies)
    print(f"MNIST check, init uniform ±{args.init}, lr {mnist_check.RATE}, batch {mnist_check.BATCH}, "
          f"{mnist_check.EPOCHS} epoch: {len(accuracies)} grading seeds from {args.first} in "
          f"{time.perf_counter() - start_time:.0f} s")
    print(f"  accuracy: min {accuracies.min():.2f} % (seed {args.first + int(accuracies.argmin())}), "
          f"0.1 % quantile {np.quantile(accuracies, 0.001):.2f} %, mean {accuracies.mean():.2f} %, "
          f"sd {accuracies.std():.2f}; pass mark {mnist_check.PASS} %, margin {accuracies.min() - mnist_check.PASS:.2f}")
    print(f"  starts with a digit never predicted: {len(collapsed)} {collapsed[:10]}")


if __name__ == "__main__":
    main()

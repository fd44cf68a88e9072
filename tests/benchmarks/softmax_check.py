"""Benchmark of exercise 9's hidden MNIST check on the reference solutions, over many grading seeds.

For every grading seed, the check's start (drawn exactly as the hidden test draws it) is trained by
the reference as the check trains it and tested; prints the minimum, the 0.1 % quantile and the
margin to the pass mark, and the time per start.

    python -m tests.benchmarks.softmax_check [--seeds 1000] [--first 0]
"""

import argparse
import time

import numpy as np

import solutions  # noqa: F401  (loads TensorFlow quietly)
from grader.scoring.plugin import check_rng
from tests.hidden import softmax_check
from tests.hidden.conftest import trusted_mnist


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1000)
    parser.add_argument("--first", type=int, default=0)
    args = parser.parse_args(argv)
    (x, y), (x_test, labels) = trusted_mnist()
    accuracies, start_time = [], time.perf_counter()
    for seed in range(args.first, args.first + args.seeds):
        weights, biases, shuffle = softmax_check.start(check_rng(seed, softmax_check.NODE_ID))
        trained, _ = softmax_check.reference_training(weights, biases, x, y, shuffle)
        accuracies.append(softmax_check.accuracy(trained, x_test, labels))
        print(f"seed {seed}: {accuracies[-1]:.2f} %", flush=True)
    accuracies, seconds = np.array(accuracies), time.perf_counter() - start_time
    schedule = ", then ".join(f"{e} epoch(s) at {r}" for e, r in softmax_check.SCHEDULE)
    print(f"softmax MNIST check, {softmax_check.SIZES}, batch {softmax_check.BATCH}, {schedule}: {len(accuracies)} "
          f"grading seeds from {args.first} in {seconds:.0f} s ({seconds / len(accuracies):.1f} s each)")
    print(f"  accuracy: min {accuracies.min():.2f} % (seed {args.first + int(accuracies.argmin())}), "
          f"0.1 % quantile {np.quantile(accuracies, 0.001):.2f} %, mean {accuracies.mean():.2f} %, "
          f"sd {accuracies.std():.2f}; pass mark {softmax_check.PASS} %, margin {accuracies.min() - softmax_check.PASS:.2f}")


if __name__ == "__main__":
    main()

"""Benchmark of the grader: one submission, a class of 20 with --jobs 2, and the cost of isolation.

    python -m tests.benchmarks.grading [--class-size 20] [--jobs 2]
"""

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader.catalogue import HIDDEN, KIT
from grader.isolation.policy import DEFAULT_WORKER_UID
from grader.isolation.staging import find
from grader.scoring import run as grade
from grader.scoring.run import Options

UID = DEFAULT_WORKER_UID if os.geteuid() == 0 else None


def timed_suite(*options: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pytest", str(HIDDEN), "-q", "-p", "no:cacheprovider", *options],
                   cwd=KIT, capture_output=True, check=False)
    return time.perf_counter() - start


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--class-size", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "class"
        for i in range(args.class_size):
            shutil.copytree(KIT / "solutions", folder / f"student{i:02d}", ignore=shutil.ignore_patterns("__pycache__"))
        start = time.perf_counter()
        [one] = grade.grade_all(find([folder / "student00"]), Options(seed=1, worker_uid=UID))
        mnist = next(t["seconds"] for t in one["tests"] if t["id"].endswith("test_mnist_accuracy"))
        print(f"one submission: {time.perf_counter() - start:.1f} s wall ({one['score']['earned']}/100), "
              f"MNIST check {mnist:.1f} s; isolation: {one['isolation'][:60]}")
        start = time.perf_counter()
        graded = grade.grade_all(find([folder]), Options(seed=1, jobs=args.jobs, worker_uid=UID))
        total = time.perf_counter() - start
        print(f"{len(graded)} submissions, --jobs {args.jobs}: {total:.1f} s wall, "
              f"median {statistics.median(r['seconds'] for r in graded):.1f} s per submission, "
              f"{sum(r['score']['earned'] == 100 for r in graded)} with full marks")
        # the largest finished process under this one: a slot (its trusted pytest), a zygote or a worker
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20
        print(f"peak memory of one grading process (slot, zygote or worker): {peak:.2f} GiB")
        in_process = timed_suite("--submission", "solutions", "--grading-seed", "1")
        isolated = timed_suite("--submission", str(folder / "student00"), "--grading-seed", "1",
                               *(["--worker-uid", str(UID)] if UID else []))
        print(f"hidden suites on the solutions: {in_process:.1f} s in-process, {isolated:.1f} s with the worker "
              f"(isolation costs {isolated - in_process:.1f} s)")


if __name__ == "__main__":
    main()

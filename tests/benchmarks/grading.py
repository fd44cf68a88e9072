"""Benchmark of the grader: per-submission time of each assignment, the first submission of a run,
where each check's seconds go, and peak memory, beside one TensorFlow import on the same machine.

    python -m tests.benchmarks.grading [--class-size 4] [--top 12] [--class-jobs 2]

For each assignment a class of copies of the solutions is graded with --jobs 1; the first
submission pays the grading process's and the zygote's start, the others are warm. Per check
(medians over the warm submissions): its seconds, the part spent waiting on a worker (student
code's work, moving its arguments, the judge worker's) and the rest, the trusted side's own work.
The floor of a warm submission is the worker's time plus the fixed cost outside the checks.
"""

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader.catalogue import ASSIGNMENTS, KIT
from grader.isolation.policy import default_worker_uid
from grader.isolation.staging import find
from grader.scoring import run as grade
from grader.scoring.run import Options
from grader.scoring.slot import SLOTS


def tensorflow_import() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import tensorflow"], check=True, capture_output=True)
    return time.perf_counter() - start


def profile(reports: list[dict], top: int) -> None:
    checks = {}
    for report in reports:
        for test in report["tests"]:
            checks.setdefault(test["id"].split("::")[-1], []).append((test["seconds"], test.get("worker_seconds", 0.0)))
    rows = sorted(((name, statistics.median(s for s, _ in values), statistics.median(w for _, w in values))
                   for name, values in checks.items()), key=lambda row: -row[1])
    print(f"  {'check':<58} {'seconds':>8} {'worker':>8} {'trusted':>8}")
    for name, seconds, worker in rows[:top]:
        print(f"  {name[:58]:<58} {seconds:8.2f} {worker:8.2f} {seconds - worker:8.2f}")
    total, worker = sum(r[1] for r in rows), sum(r[2] for r in rows)
    outside = statistics.median(r["seconds"] for r in reports) - total
    print(f"  {'all ' + str(len(rows)) + ' checks':<58} {total:8.2f} {worker:8.2f} {total - worker:8.2f}")
    print(f"  outside the checks (staging, the slot's pytest session, the report): {outside:.2f} s; "
          f"floor (worker time + outside): {worker + max(outside, 0):.2f} s")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--class-size", type=int, default=4)
    parser.add_argument("--top", type=int, default=12, help="checks shown per assignment, slowest first")
    parser.add_argument("--class-jobs", type=int, default=2, help="--jobs of the last run, a class of both tracks")
    args = parser.parse_args(argv)
    print(f"one TensorFlow import: {tensorflow_import():.2f} s")
    uid = default_worker_uid()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "class"
        for i in range(args.class_size):
            shutil.copytree(KIT / "solutions", folder / f"student{i:02d}", ignore=shutil.ignore_patterns("__pycache__"))
        submissions = find([folder])
        for assignment, exercises in ASSIGNMENTS.items():
            start = time.perf_counter()
            reports = grade.grade_all(submissions, Options(seed=1, worker_uid=uid, exercises=exercises))
            wall = time.perf_counter() - start
            full = sum(r["score"]["earned"] == r["score"]["possible"] for r in reports)
            warm = reports[1:] or reports
            print(f"\n{assignment}: {len(reports)} submissions in {wall:.1f} s with --jobs 1 ({full} with full marks); "
                  f"first {reports[0]['seconds']:.1f} s, then median {statistics.median(r['seconds'] for r in warm):.2f} s "
                  f"per submission")
            profile(warm, args.top)
        start = time.perf_counter()
        reports = grade.grade_all(submissions, Options(seed=2, worker_uid=uid, jobs=args.class_jobs,
                                                       exercises=tuple(name for names in ASSIGNMENTS.values()
                                                                       for name in names)))
        print(f"\nboth tracks, {len(reports)} submissions with --jobs {args.class_jobs}: "
              f"{time.perf_counter() - start:.1f} s wall")
    while SLOTS.idle:  # ended, so that their peak memory is counted
        SLOTS.close(SLOTS.idle.pop())
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20
    print(f"peak memory of one grading process (slot, zygote or worker): {peak:.2f} GiB")


if __name__ == "__main__":
    main()

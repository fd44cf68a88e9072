"""Run the hidden suites on the reference solutions for many grading seeds, in one process.

A check whose tolerance or threshold sits inside the reference's own spread fails on some seed;
this finds it before a student does. Prints every failing (seed, check) and a summary line.

    python -m tests.benchmarks.seed_sweep [--first 0] [--seeds 200] [-k EXPRESSION]
"""

import argparse
import time

from grader.grade import HIDDEN
from grader.in_process import run_suite


class _Failures:
    def __init__(self):
        self.failed, self.passed = [], 0

    def pytest_runtest_logreport(self, report):
        if report.failed:
            self.failed.append(report.nodeid.split("::")[-1])
        elif report.when == "call" and report.passed:
            self.passed += 1


def sweep(seeds, expression: str = "") -> dict[int, list[str]]:
    """seed → the hidden checks the reference fails with that grading seed (empty lists omitted)."""
    failures = {}
    for seed in seeds:
        collector = _Failures()
        run_suite([str(HIDDEN), "--submission", "solutions", "--grading-seed", str(seed),
                   *(["-k", expression] if expression else [])], collector)
        if collector.failed or not collector.passed:
            failures[seed] = collector.failed or ["no check ran"]
    return failures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("-k", dest="expression", default="", help="pytest -k expression choosing the checks")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    failures = sweep(range(args.first, args.first + args.seeds), args.expression)
    for seed, checks in failures.items():
        print(f"FAILED seed {seed}: {', '.join(checks)} (reproduce: pytest tests/hidden --grading-seed {seed})")
    print(f"seed sweep: {len(failures)} of {args.seeds} grading seeds from {args.first} failed the reference "
          f"({args.expression or 'every check'}) in {time.perf_counter() - start:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())

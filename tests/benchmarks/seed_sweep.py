"""Run the hidden suites on the reference solutions for many grading seeds, in one process.

A check whose tolerance or threshold sits inside the reference's own spread fails on some seed;
this finds it before a student does. Each seed's run also audits the checks' named alternatives
(tests/kit/corpora/alternatives.py): one a check cannot tell from the right answer on that seed's
inputs counts as a failure of the seed. Prints every failing (seed, check) and a summary line.

    python -m tests.benchmarks.seed_sweep [--first 0] [--seeds 200] [-k EXPRESSION]
    python -m tests.benchmarks.seed_sweep --tier EXPRESSION FIRST SEEDS [--tier …]   # several sweeps, one process
"""

import argparse
import time

from grader.catalogue import HIDDEN
from grader.lab.in_process import run_suite
from tests.kit.corpora.alternatives import Audit


class _Failures:
    def __init__(self):
        self.failed, self.passed = [], 0

    def pytest_runtest_logreport(self, report):
        if report.failed:
            self.failed.append(report.nodeid.split("::")[-1])
        elif report.when == "call" and report.passed:
            self.passed += 1


def sweep(seeds, expression: str = "") -> dict[int, list[str]]:
    """seed → the hidden checks the reference fails with that grading seed, and the named
    alternatives its checks cannot tell apart on it (empty lists omitted)."""
    failures = {}
    for seed in seeds:
        collector = _Failures()
        with Audit() as audit:
            run_suite([str(HIDDEN), "--submission", "solutions", "--grading-seed", str(seed),
                       *(["-k", expression] if expression else [])], collector, audit)
        indistinguishable, _ = audit.report("hidden")
        if collector.failed or not collector.passed or indistinguishable:
            failures[seed] = (collector.failed or ([] if collector.passed else ["no check ran"])) + indistinguishable
    return failures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("-k", dest="expression", default="", help="pytest -k expression choosing the checks")
    parser.add_argument("--tier", nargs=3, action="append", metavar=("EXPRESSION", "FIRST", "SEEDS"),
                        help="a sweep of its own (repeatable), instead of -k, --first and --seeds")
    args = parser.parse_args(argv)
    failed = 0
    for expression, first, seeds in args.tier or [(args.expression, args.first, args.seeds)]:
        start, first, seeds = time.perf_counter(), int(first), int(seeds)
        failures = sweep(range(first, first + seeds), expression)
        for seed, checks in failures.items():
            print(f"FAILED seed {seed}: {', '.join(checks)} (reproduce: pytest tests/hidden --grading-seed {seed})")
        print(f"seed sweep: {len(failures)} of {seeds} grading seeds from {first} failed the reference "
              f"({expression or 'every check'}) in {time.perf_counter() - start:.0f} s", flush=True)
        failed += len(failures)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

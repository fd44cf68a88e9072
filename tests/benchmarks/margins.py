"""Margins: each check's time on the reference solutions against its time limit.

    python -m tests.benchmarks.margins [--seed 1]

The goal is a margin of 5× or more on an idle machine, so that load never turns correct code into a
timeout. Self-checks run with KIT_TARGET=solutions; each is limited as a whole (pytest-timeout). Hidden
checks are graded as a submission is (in a worker); their limit is per call into student code, so a
check's whole time against it understates the margin.
"""

import argparse
import os
import time

import pytest

from grader.catalogue import KIT
from grader.scoring import run as grade
from grader.scoring.run import Options
from grader.isolation.staging import find
from tests.hidden import mnist_check

GOAL = 5.0


class Timings:
    def __init__(self):
        self.limits, self.seconds = {}, {}

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items):
        self.limits = {item.nodeid: item.get_closest_marker("timeout").args[0] for item in items}

    def pytest_runtest_logreport(self, report):
        self.seconds[report.nodeid] = self.seconds.get(report.nodeid, 0.0) + report.duration


def self_checks() -> list[tuple[str, float, float]]:
    os.environ["KIT_TARGET"] = "solutions"
    timings = Timings()
    pytest.main([str(KIT / "exercises"), "-q", "-p", "no:cacheprovider", "--rootdir", str(KIT)], plugins=[timings])
    return [(nodeid, timings.seconds.get(nodeid, 0.0), limit) for nodeid, limit in timings.limits.items()]


def hidden_checks(seed: int) -> list[tuple[str, float, float]]:
    options = Options(seed=seed)
    [report] = grade.grade_all(find([KIT / "solutions"]), options)
    assert report["score"]["percent"] == 100, report["score"]
    limits = {"test_mnist_accuracy": mnist_check.COMPILED_SECONDS}
    return [(t["id"], t["seconds"], limits.get(t["id"].split("::")[-1], options.call_timeout)) for t in report["tests"]]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    rows = [("self-check", *row) for row in self_checks()] + [("hidden", *row) for row in hidden_checks(args.seed)]
    print(f"\n{'suite':<11} {'check':<78} {'seconds':>8} {'limit':>6} {'margin':>7}")
    for suite, check, seconds, limit in sorted(rows, key=lambda row: row[2] / row[3], reverse=True):
        margin = limit / max(seconds, 1e-3)
        print(f"{suite:<11} {check:<78} {seconds:8.2f} {limit:6.0f} {margin:6.0f}×{'  < 5×' if margin < GOAL else ''}")
    short = [row for row in rows if row[3] / max(row[2], 1e-3) < GOAL]
    print(f"\n{len(rows)} checks in {time.perf_counter() - start:.0f} s; {len(short)} below a {GOAL:g}× margin; "
          f"smallest margin {min(row[3] / max(row[2], 1e-3) for row in rows):.1f}×")


if __name__ == "__main__":
    main()

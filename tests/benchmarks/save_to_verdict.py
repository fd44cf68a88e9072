"""Benchmark of the student's loop: the time from saving an exercise to its self-checks' verdict,
warm, in watch mode (`python -m exercises.watch`), for every exercise, beside the cold way (a new
`pytest exercises/ -m <exercise>` each time).

    python -m tests.benchmarks.save_to_verdict [--rounds 3] [--cold]

A student's copy of the kit with every exercise solved is watched; each exercise's file is saved
(its modification time moved) `rounds` times, and the watcher's own "verdict N s after the save"
is read. The median is printed per exercise.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader.catalogue import EXERCISES
from tests.kit.selfcheck_runs import ROOT, run_selfchecks, student_copy

VERDICT = re.compile(r"=== (\w+): .*; verdict ([\d.]+) s after the save ===")


def warm(root: Path, rounds: int) -> dict[str, list[float]]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(ROOT)])}
    env.pop("KIT_TARGET", None)
    watcher = subprocess.Popen([sys.executable, "-m", "exercises.watch"], cwd=root, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    times: dict[str, list[float]] = {}
    try:
        while "watching" not in watcher.stdout.readline():
            pass
        for _ in range(rounds):
            for exercise in EXERCISES:
                path = root / "exercises" / f"{exercise}.py"
                os.utime(path, ns=(time.time_ns(), time.time_ns()))
                for line in watcher.stdout:
                    found = VERDICT.search(line)
                    if found and found[1] == exercise:
                        times.setdefault(exercise, []).append(float(found[2]))
                        break
    finally:
        watcher.terminate()
        watcher.wait()
    return times


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cold", action="store_true", help="also time a new pytest run per exercise")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        root = student_copy(Path(scratch), finished=EXERCISES)
        times = warm(root, args.rounds)
        print(f"{'exercise':<16} {'save → verdict, warm (median s)':>32}" + ("  cold pytest run (s)" if args.cold else ""))
        for exercise in EXERCISES:
            cold = ""
            if args.cold:
                start = time.perf_counter()
                run_selfchecks(root, "exercises", "-m", exercise)
                cold = f"  {time.perf_counter() - start:19.1f}"
            print(f"{exercise:<16} {statistics.median(times[exercise]):32.2f}{cold}")


if __name__ == "__main__":
    main()

"""What a grading prints: a line per finished submission, and the score table."""

import sys
import threading
import time

from grader.scoring.report import GRADED, status
from grader.text import printable


def progress_printer(total: int, start: float, stream=None):
    """A callback printing one line per finished submission (n/N, name, score, seconds, ETA) on a
    terminal; silent when the output is not one (a log, CI)."""
    stream = sys.stderr if stream is None else stream
    done, lock = [0], threading.Lock()

    def report_progress(report: dict) -> None:
        with lock:
            done[0] += 1
            elapsed = time.perf_counter() - start
            eta = elapsed / done[0] * (total - done[0])
            if stream.isatty():
                state = "" if status(report) == GRADED else f" ({status(report)[:80]})"
                print(f"[{done[0]}/{total}] {printable(report['student'])}: {report['score']['earned']}/"
                      f"{report['score']['possible']} in {report['seconds']:.0f} s{printable(state)}; about "
                      f"{eta:.0f} s to go", file=stream, flush=True)

    return report_progress


def table(reports: list[dict], exercises=None) -> str:
    """The score table: one row per student, one column per graded exercise (of `exercises`, e.g.
    one assignment's, with their total; default: every graded exercise and the score)."""
    if not reports:
        return "no submissions"
    possible = reports[0]["exercises"]
    graded = [name for name, e in possible.items() if e["possible"] and (exercises is None or name in exercises)]
    names = [printable(r["student"]) + ("" if status(r) == GRADED else " !") for r in reports]
    width = max(12, *(len(name) for name in names))

    def total(report, key):
        return report["score"][key] if exercises is None else sum(report["exercises"][n][key] for n in graded)

    columns = {n: max(10, len(n)) for n in graded}
    header = f"{'student':<{width}} " + " ".join(f"{n:>{w}}" for n, w in columns.items()) + "      total"
    limits = f"{'(possible)':<{width}} " + " ".join(f"{possible[n]['possible']:>{w}}" for n, w in columns.items()) + \
             f" {total(reports[0], 'possible'):>10}"
    rows = [f"{name:<{width}} " + " ".join(f"{r['exercises'][n]['earned']:>{w}}" for n, w in columns.items()) +
            f" {total(r, 'earned'):>10}" for name, r in zip(names, reports)]
    return "\n".join([header, limits, *rows])

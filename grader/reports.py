"""Outputs of a grading run: per-student JSON, feedback and Gradescope results; a class gradebook,
statistics and a score histogram; the score table printed at the end.

    OUT/<student>/report.json     the full report (schema "nn-kit-report/1", see README)
    OUT/<student>/feedback.md     what the student reads
    OUT/<student>/results.json    Gradescope's results format
    OUT/gradebook.csv             one row per student, one column per exercise
    OUT/class.json                mean and median per exercise and of the total
    OUT/histogram.png             the distribution of total scores
"""

import csv
import json
import statistics
from pathlib import Path

from grader.course import EXERCISES


def feedback(report: dict) -> str:
    """The student's feedback in Markdown: score per exercise, then every check that lost points."""
    score = report["score"]
    lines = [f"# Feedback for {report['student']}", "",
             f"**Score: {score['earned']} / {score['possible']} ({score['percent']} %)**", "",
             "| exercise | points |", "|---|---|"]
    lines += [f"| {name} | {e['earned']} / {e['possible']} |" for name, e in report["exercises"].items()]
    lines += ["", f"Grading seed {report['seed']}; isolation: {report['isolation']}.", ""]
    for warning in report["warnings"]:
        lines.append(f"- note: {warning}")
    lost = [t for t in report["tests"] if t["earned"] < t["points"]]
    if lost:
        lines += ["", "## Checks that lost points", ""]
    for test in lost:
        name = test["id"].split("::")[-1]
        lines += [f"### {test['exercise']}: {name} (0 / {test['points']}, {test['category']})", "", "```",
                  test["message"].replace("```", "'''"), "```", ""]
    if not lost:
        lines += ["", "Every check passed."]
    return "\n".join(lines) + "\n"


def gradescope(report: dict) -> dict:
    """Gradescope's results.json: a score and one entry per check."""
    return {
        "score": report["score"]["earned"],
        "execution_time": report["seconds"],
        "output": f"{report['score']['earned']} / {report['score']['possible']} points; seed {report['seed']}",
        "tests": [{"name": t["id"].split("::")[-1], "score": t["earned"], "max_score": t["points"],
                   "output": t["message"], "visibility": "visible", "tags": [t["exercise"]]}
                  for t in report["tests"]],
    }


def class_statistics(reports: list[dict]) -> dict:
    def summary(values):
        return {"mean": round(statistics.fmean(values), 2), "median": statistics.median(values),
                "min": min(values), "max": max(values)}

    stats = {name: summary([r["exercises"][name]["earned"] for r in reports]) for name in EXERCISES}
    stats["total"] = summary([r["score"]["earned"] for r in reports])
    return {"students": len(reports), **stats}


def histogram(reports: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    possible = reports[0]["score"]["possible"]
    figure, axes = plt.subplots(figsize=(6, 3.5))
    axes.hist([r["score"]["earned"] for r in reports], bins=range(0, possible + 1, 10), edgecolor="black")
    axes.set_xlim(0, possible)
    axes.set_xlabel(f"score (of {possible}; the last bar includes {possible})")
    axes.set_ylabel("students")
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.set_title(f"Scores of {len(reports)} submission(s)")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def write_all(reports: list[dict], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for report in reports:
        folder = out / report["student"]
        folder.mkdir(exist_ok=True)
        (folder / "report.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
        (folder / "feedback.md").write_text(feedback(report), encoding="utf-8")
        (folder / "results.json").write_text(json.dumps(gradescope(report), indent=1), encoding="utf-8")
    with open(out / "gradebook.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", *EXERCISES, "total", "percent", "seed"])
        for r in reports:
            writer.writerow([r["student"], *(r["exercises"][n]["earned"] for n in EXERCISES),
                             r["score"]["earned"], r["score"]["percent"], r["seed"]])
    if reports:
        (out / "class.json").write_text(json.dumps(class_statistics(reports), indent=1), encoding="utf-8")
        histogram(reports, out / "histogram.png")


def progress_printer(total: int, start: float, stream=None):
    """A callback printing one line per finished submission (n/N, name, score, seconds, ETA) on a
    terminal; silent when the output is not one (a log, CI)."""
    import sys
    import threading
    import time

    stream = sys.stderr if stream is None else stream
    done, lock = [0], threading.Lock()

    def report_progress(report: dict) -> None:
        with lock:
            done[0] += 1
            elapsed = time.perf_counter() - start
            eta = elapsed / done[0] * (total - done[0])
            if stream.isatty():
                print(f"[{done[0]}/{total}] {report['student']}: {report['score']['earned']}/"
                      f"{report['score']['possible']} in {report['seconds']:.0f} s; about {eta:.0f} s to go",
                      file=stream, flush=True)

    return report_progress


def table(reports: list[dict]) -> str:
    """The score table: one row per student, one column per exercise."""
    if not reports:
        return "no submissions"
    possible = reports[0]["exercises"]
    width = max(12, *(len(r["student"]) for r in reports))
    header = f"{'student':<{width}} " + " ".join(f"{n[:10]:>10}" for n in EXERCISES) + "      total"
    limits = f"{'(possible)':<{width}} " + " ".join(f"{possible[n]['possible']:>10}" for n in EXERCISES) + \
             f" {reports[0]['score']['possible']:>10}"
    rows = [f"{r['student']:<{width}} " + " ".join(f"{r['exercises'][n]['earned']:>10}" for n in EXERCISES) +
            f" {r['score']['earned']:>10}" for r in reports]
    return "\n".join([header, limits, *rows])

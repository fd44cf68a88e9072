"""Outputs of a grading run: per-student JSON, feedback and Gradescope results; the class's gradebook,
statistics, score histogram and per-check report, made from the gradebook (grader/gradebook.py) so
that a regrade of one student keeps the rest of the class; the score table printed at the end.

    OUT/<student>/report.json     the full report (schema "nn-kit-report/1", see README)
    OUT/<student>/feedback.md     what the student reads
    OUT/<student>/results.json    Gradescope's results format
    OUT/gradebook.sqlite          every grading of every student (the history)
    OUT/gradebook.csv             the latest grading of each student (and the roster's missing ones)
    OUT/class.json                mean and median per exercise and of the total; who is missing
    OUT/histogram.png             the distribution of total scores
    OUT/checks.csv, checks.png    per check: pass rate, most common failure category and message
"""

import csv
import json
import statistics
from collections import Counter
from pathlib import Path

from grader import gradebook
from grader.course import ASSIGNMENTS, CORE, EXERCISES
from grader.text import csv_cell, markdown, printable

GRADED = "graded"
UNATTEMPTED = ("not implemented", "missing", "not read")  # a check of a task the student did not try


def status(report: dict) -> str:
    """graded, needs attention: …, or grader fault: incomplete, regrade (reports before the status
    field: from their grader faults)."""
    return report.get("status") or (GRADED if not report.get("grader_faults") else "grader fault: incomplete, regrade")


def counted(reports: list[dict]) -> list[dict]:
    """The reports that class statistics count: not those of submissions nothing was read of."""
    return [r for r in reports if not status(r).startswith("needs attention")]


def feedback(report: dict) -> str:
    """The student's feedback in Markdown: score per exercise, then the checks that lost points in
    course order, one entry for checks that failed with the same message (a module that does not
    import fails them all). No machine paths or isolation details: those are for the instructor."""
    score = report["score"]
    lines = [f"# Feedback for {markdown(report['student'])}", "",
             f"**Score: {score['earned']} / {score['possible']} ({score['percent']} %)**", "",
             "| exercise | points |", "|---|---|"]
    lines += [f"| {name} | {e['earned']} / {e['possible']} |" for name, e in report["exercises"].items() if e["possible"]]
    lines += ["", f"Grading seed {report['seed']}.", ""]
    for warning in report["warnings"]:
        lines.append(f"- note: {markdown(warning)}")
    if report.get("attention"):
        lines.append("- nothing of your submission could be graded; your instructor has been told and will look at it")
    order = {name: i for i, name in enumerate(EXERCISES)}
    lost = sorted((t for t in report["tests"] if t["earned"] < t["points"]), key=lambda t: order.get(t["exercise"], 0))
    groups = {}
    for test in lost:
        groups.setdefault((test["exercise"], test["category"], test["message"]), []).append(test)
    if lost:
        lines += ["", "## Checks that lost points", ""]
    for (exercise, category, message), tests in groups.items():
        names = ", ".join(t["id"].split("::")[-1] for t in tests)
        points = sum(t["points"] for t in tests)
        lines += [f"### {exercise}: {names} (0 / {points}, {category})", "", "```", message.replace("```", "'''"),
                  "```", ""]
    if not lost:
        lines += ["", "Every check passed."]
    return "\n".join(lines) + "\n"


def gradescope(report: dict) -> dict:
    """Gradescope's results.json: a score and one entry per check."""
    return {
        "score": report["score"]["earned"],
        "execution_time": report["seconds"],
        "output": f"{report['score']['earned']} / {report['score']['possible']} points; seed {report['seed']}",
        "tests": [{"name": f"{t['exercise']}: {t['id'].split('::')[-1]}", "score": t["earned"], "max_score": t["points"],
                   "output": t["message"], "visibility": "visible", "tags": [t["exercise"]]}
                  for t in report["tests"]],
    }


def assignment_columns(report: dict) -> list[str]:
    """The gradebook's exercise columns: every exercise of each assignment the report grades part of."""
    graded = {name for name, e in report["exercises"].items() if e["possible"]}
    return [name for names in ASSIGNMENTS.values() if graded & set(names) for name in names]


def class_statistics(reports: list[dict]) -> dict:
    def summary(values):
        return {"mean": round(statistics.fmean(values), 2), "median": statistics.median(values),
                "min": min(values), "max": max(values)}

    graded = [name for name, e in reports[0]["exercises"].items() if e["possible"]]
    stats = {name: summary([r["exercises"][name]["earned"] for r in reports]) for name in graded}
    stats["total"] = summary([r["score"]["earned"] for r in reports])
    return {"students": len(reports), **stats}


def pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def histogram(reports: list[dict], path: Path) -> None:
    plt = pyplot()
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


def write_student(report: dict, out: Path) -> None:
    """Write one student's files and add the grading to the gradebook (as soon as it is graded:
    what is finished is kept if the run is interrupted)."""
    folder = out / report["student"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    (folder / "feedback.md").write_text(feedback(report), encoding="utf-8")
    (folder / "results.json").write_text(json.dumps(gradescope(report), indent=1), encoding="utf-8")
    gradebook.record(out, [report])


def write_class(out: Path, roster: list[str] = ()) -> None:
    """Keep the roster (if given) in the gradebook and remake every class export from the latest
    grading of each student."""
    out.mkdir(parents=True, exist_ok=True)
    if roster:
        gradebook.set_roster(out, roster)
    roster, current = gradebook.roster(out), gradebook.latest(out)
    missing = [name for name in roster if name.casefold() not in {r["student"].casefold() for r in current}]
    with open(out / "gradebook.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        columns = assignment_columns(current[0]) if current else list(ASSIGNMENTS[CORE])
        writer.writerow(["student", *columns, "total", "possible", "percent", "seed", "status", "graded_at",
                         "warnings"])
        on_roster = {name.casefold() for name in roster}
        for r in current:
            state = status(r) + ("; not on the roster" if roster and r["student"].casefold() not in on_roster else "")
            scores = [e["earned"] if e.get("possible") else "" for e in (r["exercises"].get(n, {}) for n in columns)]
            writer.writerow(map(csv_cell, [r["student"], *scores, r["score"]["earned"], r["score"]["possible"],
                                           r["score"]["percent"], r["seed"], state, r["graded_at"],
                                           " | ".join(r["warnings"])]))
        for name in missing:
            writer.writerow(map(csv_cell, [name, *([""] * len(columns)), "", "", "", "", "no submission", "", ""]))
    graded = counted(current)
    if graded:
        stats = {**class_statistics(graded), "missing": missing, "gradings": len(gradebook.history(out)),
                 "needs_attention": [r["student"] for r in current if status(r).startswith("needs attention")]}
        (out / "class.json").write_text(json.dumps(stats, indent=1), encoding="utf-8")
        histogram(graded, out / "histogram.png")
        checks = check_report(graded)
        write_checks(checks, out / "checks.csv")
        checks_chart(checks, out / "checks.png")


def write_all(reports: list[dict], out: Path, roster: list[str] = ()) -> None:
    """Write the graded students' files, add their gradings (and the roster, if given) to the
    gradebook, and remake every class export from the latest grading of each student."""
    for report in reports:
        write_student(report, out)
    write_class(out, roster)


def _gist(message: str) -> str:
    """A failure message in one line: its first line, and the mistake it names, if any."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    mistake = next((line for line in lines if line.startswith("mistake:")), "")
    return " ".join(filter(None, [lines[0] if lines else "", mistake]))[:200]


def check_report(reports: list[dict]) -> list[dict]:
    """Per check, in course order: how many passed, the most common failure category (not
    "not implemented" while any other occurs), and the most common message in that category."""
    rows = {}
    for report in reports:
        attempted = {t.get("task") for t in report["tests"] if t["earned"] or t["category"] not in UNATTEMPTED}
        for test in report["tests"]:
            row = rows.setdefault(test["id"], {"check": test["id"].split("::")[-1], "exercise": test["exercise"],
                                               "task": test.get("task", ""), "points": test["points"],
                                               "passed": 0, "failed": 0, "failures": []})
            if test.get("task") not in attempted:
                continue  # a task not tried says nothing of what the class did not understand
            if test["earned"] >= test["points"]:
                row["passed"] += 1
            else:
                row["failed"] += 1
                row["failures"].append((test["category"], _gist(test["message"])))
    order = {name: i for i, name in enumerate(EXERCISES)}
    result = []
    for row in sorted(rows.values(), key=lambda r: order.get(r["exercise"], len(order))):
        failures = row.pop("failures")
        wrong = [c for c, _ in failures if c != "not implemented"]  # what the class got wrong comes first
        (category, times), = Counter(wrong or [c for c, _ in failures]).most_common(1) or [("", 0)]
        (message, count), = Counter(m for c, m in failures if c == category).most_common(1) or [("", 0)]
        tried = row["passed"] + row["failed"]
        result.append({**row, "pass_rate": round(row["passed"] / tried, 3) if tried else "",
                       "top_category": category, "top_category_count": times,
                       "top_message": message, "top_message_count": count})
    return result


def write_checks(checks: list[dict], path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(checks[0]) if checks else ["check"])
        writer.writeheader()
        writer.writerows({key: csv_cell(value) for key, value in row.items()} for row in checks)


def checks_chart(checks: list[dict], path: Path) -> None:
    """A bar per check: the share of the class that passed it."""
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(8, 1 + 0.22 * len(checks)))
    labels = [f"{c['exercise']}: {c['check']}" for c in checks]
    axes.barh(range(len(checks)), [100 * (c["pass_rate"] or 0) for c in checks], color="tab:blue")
    axes.set_yticks(range(len(checks)), labels, fontsize=7)
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_xlabel("students who passed the check (%)")
    axes.set_title(f"Checks passed by the class ({len(checks)} checks)")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


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

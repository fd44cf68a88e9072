"""The class's files in OUT, made from the gradebook (store.py) so that a regrade of one student
keeps the rest of the class:

    OUT/<student>/report.json     the full report (schema: docs/report-schema.md)
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

from grader.catalogue import ASSIGNMENTS, CORE, EXERCISES
from grader.gradebook import charts, overrides, store
from grader.gradebook.feedback import feedback, gradescope
from grader.scoring.report import NEEDS_ATTENTION, status
from grader.text import csv_cell

UNATTEMPTED = ("not implemented", "missing", "not read")  # a check of a task the student did not try


def counted(reports: list[dict]) -> list[dict]:
    """The reports that class statistics count: not those of submissions nothing was read of."""
    return [r for r in reports if not status(r).startswith(NEEDS_ATTENTION)]


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


def write_student(report: dict, out: Path) -> None:
    """Add the grading to the gradebook and write the student's files (as soon as it is graded:
    what is finished is kept if the run is interrupted), with the instructor's overrides applied."""
    store.record(out, [report])
    write_files(overrides.applied(report, store.overrides(out).get(report["student"], {})), out)


def write_files(report: dict, out: Path) -> None:
    """Write one student's report.json, feedback.md and results.json."""
    folder = out / report["student"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    (folder / "feedback.md").write_text(feedback(report), encoding="utf-8")
    (folder / "results.json").write_text(json.dumps(gradescope(report), indent=1), encoding="utf-8")


def identity(report: dict, roster: dict[str, dict]) -> dict:
    """What is known of a graded student: the roster's row (by the report's student), else what the
    LMS download said (its id and name)."""
    origin = report.get("origin") or {}
    known = {"student": report["student"], "id": origin.get("id", ""), "name": origin.get("name", "")}
    return {**known, **roster.get(report["student"].casefold(), {})}


def write_class(out: Path, roster: list[dict] = ()) -> None:
    """Keep the roster (if given) in the gradebook and remake every class export from the latest
    grading of each student."""
    out.mkdir(parents=True, exist_ok=True)
    if roster:
        store.set_roster(out, roster)
    rows, current = store.roster(out), overrides.current(out)
    on_roster = {row["student"].casefold(): row for row in rows}
    missing = [row for row in rows if row["student"].casefold() not in {r["student"].casefold() for r in current}]
    with open(out / "gradebook.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        columns = assignment_columns(current[0]) if current else list(ASSIGNMENTS[CORE])
        writer.writerow(["student", "name", "email", "lms_id", *columns, "total", "possible", "percent", "seed",
                         "status", "late", "submitted_at", "graded_at", "warnings"])
        for r in current:
            state = status(r) + ("; not on the roster" if rows and r["student"].casefold() not in on_roster else "")
            scores = [e["earned"] if e.get("possible") else "" for e in (r["exercises"].get(n, {}) for n in columns)]
            who, origin = identity(r, on_roster), r.get("origin") or {}
            writer.writerow(map(csv_cell, [r["student"], who.get("name", ""), who.get("email", ""), who.get("id", ""),
                                           *scores, r["score"]["earned"], r["score"]["possible"], r["score"]["percent"],
                                           r["seed"], state, origin.get("late", ""), origin.get("submitted_at", ""),
                                           r["graded_at"], " | ".join(r["warnings"])]))
        for row in missing:
            writer.writerow(map(csv_cell, [row["student"], row.get("name", ""), row.get("email", ""), row.get("id", ""),
                                           *([""] * len(columns)), "", "", "", "", "no submission", "", "", "", ""]))
    graded = counted(current)
    if graded:
        stats = {**class_statistics(graded), "missing": [row["student"] for row in missing], "gradings": len(store.history(out)),
                 "needs_attention": [r["student"] for r in current if status(r).startswith(NEEDS_ATTENTION)]}
        (out / "class.json").write_text(json.dumps(stats, indent=1), encoding="utf-8")
        charts.histogram(graded, out / "histogram.png")
        checks = check_report(graded)
        write_checks(checks, out / "checks.csv")
        charts.checks_chart(checks, out / "checks.png")


def remake(out: Path) -> None:
    """Write every student's files and the class's exports again from the gradebook (after a merge)."""
    for report in overrides.current(out):
        write_files(report, out)
    write_class(out)


def write_all(reports: list[dict], out: Path, roster: list[dict] = ()) -> None:
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

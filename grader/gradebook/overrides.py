"""An instructor's overrides: points and a comment for one check of one student, kept in the
gradebook beside the gradings and applied to the student's latest grading wherever it is shown
(the student's files, gradebook.csv, the class's statistics, the LMS exports), across regrades,
until removed. The graded report itself is never changed: the history keeps what was graded.

    OUT/gradebook.sqlite   overrides(id, student, check_id, points, comment, at): the latest per
                           (student, check) counts; points NULL removes the override
"""

from pathlib import Path

from grader.gradebook import store

OVERRIDDEN = "overridden"  # the category of a check whose points an instructor set


def check_id(report: dict, name: str) -> str:
    """The full id of the report's check named `name` (its full id, or the test's name alone)."""
    found = [t["id"] for t in report["tests"] if name in (t["id"], t["id"].split("::")[-1])]
    if len(found) != 1:
        known = ", ".join(t["id"].split("::")[-1] for t in report["tests"][:200])
        raise ValueError(f"{name!r} names {'no' if not found else 'more than one'} check of this report; "
                         f"its checks: {known}")
    return found[0]


def applied(report: dict, overrides: dict[str, dict]) -> dict:
    """The report with the overrides ({check id: {"points", "comment", "at"}}) applied: each such
    check's earned points set, its category `overridden`, the comment before its message; the
    exercises' points and the score summed again."""
    if not overrides:
        return report
    tests = []
    for test in report["tests"]:
        override = overrides.get(test["id"])
        if override is not None:
            points = int(override["points"]) if float(override["points"]).is_integer() else override["points"]
            note = f"points set by the instructor ({override['at']}): {override['comment'] or 'no comment'}"
            test = {**test, "earned": points, "category": OVERRIDDEN if points < test["points"] else None, "message": note + ("\n" + test["message"] if test["message"] else "")}
        tests.append(test)
    exercises = {name: {**points, "earned": sum(t["earned"] for t in tests if t["exercise"] == name)}
                 for name, points in report["exercises"].items()}
    earned, possible = sum(t["earned"] for t in tests), report["score"]["possible"]
    score = {"earned": earned, "possible": possible, "percent": round(100.0 * earned / possible, 2) if possible else 0.0}
    return {**report, "tests": tests, "exercises": exercises, "score": score}


def current(out: Path) -> list[dict]:
    """The latest grading of every student (store.latest) with the student's overrides applied."""
    found = store.overrides(out)
    return [applied(report, found.get(report["student"], {})) for report in store.latest(out)]


def set_override(out: Path, student: str, name: str, points: float | None, comment: str = "") -> dict:
    """Record an override of the student's check `name` (points None: remove it); returns the
    student's latest grading with every override applied."""
    report = next((r for r in store.latest(out) if r["student"] == student), None)
    if report is None:
        raise ValueError(f"{student!r} has no grading in {out}")
    full = check_id(report, name)
    maximum = next(t["points"] for t in report["tests"] if t["id"] == full)
    if points is not None and not 0 <= points <= maximum:
        raise ValueError(f"{points:g} points: the check is worth 0 to {maximum}")
    store.record_override(out, student, full, points, comment)
    return applied(report, store.overrides(out).get(student, {}))

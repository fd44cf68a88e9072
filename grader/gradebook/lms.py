"""Grades in the CSV each LMS imports, made from the gradebook's latest grading of each student:

- Canvas (Grades → Import): Student, ID, SIS User ID, SIS Login ID, Section, then one column per
  assignment (named "Title (id)" to fill an existing Canvas assignment, any other title makes a
  new one), a "Points Possible" row under the header;
- Moodle (Grades → Import → CSV file): Full name, Email address, Username, ID number, then one column
  per assignment; the import maps one identity column to the user and each score column to a grade item.

Per-exercise columns can follow the assignment's. A student whose grading is not a graded one (needs
attention, grader fault) gets an empty cell, which neither LMS takes for a score; who submitted
nothing is left out (a zero is the instructor's decision, not the export's).
"""

import csv
from pathlib import Path

from grader.catalogue import ASSIGNMENTS
from grader.gradebook import overrides, store
from grader.gradebook.exports import identity
from grader.scoring.report import GRADED, status
from grader.text import csv_cell

IDENTITY_COLUMNS = {
    "canvas": {"Student": "name", "ID": "id", "SIS User ID": "sis_user_id", "SIS Login ID": "sis_login_id",
               "Section": "section"},
    "moodle": {"Full name": "name", "Email address": "email", "Username": "username", "ID number": "sis_user_id"},
}
MATCHED_BY = {"canvas": ("id", "sis_user_id", "sis_login_id"), "moodle": ("email", "username", "sis_user_id")}
MATCHED_BY_SHOWN = {lms: [next(column for column, key in IDENTITY_COLUMNS[lms].items() if key == k) for k in keys]
                    for lms, keys in MATCHED_BY.items()}  # in the LMS's own words


def score_columns(reports: list[dict], titles: dict[str, str], per_exercise: bool) -> list[tuple[str, list[str]]]:
    """(column title, the exercises it sums) for each assignment the reports graded, and each of its
    exercises after it if `per_exercise`."""
    graded = {name for r in reports for name, e in r["exercises"].items() if e["possible"]}
    columns = []
    for assignment, names in ASSIGNMENTS.items():
        names = [name for name in names if name in graded]
        if names:
            title = titles.get(assignment, assignment)
            columns.append((title, names))
            columns += [(f"{title}: {name}", [name]) for name in names] if per_exercise else []
    return columns


def write(out: Path, lms: str, titles: dict[str, str] = {}, per_exercise: bool = False) -> dict:  # noqa: B006
    """Write OUT/<lms>.csv; returns {"path", "rows", "blank": students without a graded score,
    "unmatched": students without the identity the LMS matches on (it falls back to the name)}."""
    reports, roster = overrides.current(out), {row["student"].casefold(): row for row in store.roster(out)}
    columns = score_columns(reports, titles, per_exercise)
    names = IDENTITY_COLUMNS[lms]
    blank, unmatched = [], []
    path = out / f"{lms}.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*names, *(title for title, _ in columns)])
        if lms == "canvas":
            possible = [sum(reports[0]["exercises"][n]["possible"] for n in exercises) for _, exercises in columns]
            writer.writerow(["Points Possible", *([""] * (len(names) - 1)), *possible])
        for report in reports:
            who = identity(report, roster)
            who["name"] = who.get("name") or report["student"]
            graded = status(report) == GRADED
            if not graded:
                blank.append(report["student"])
            if not any(who.get(key) for key in MATCHED_BY[lms]):
                unmatched.append(report["student"])
            scores = [sum(report["exercises"][n]["earned"] for n in exercises) if graded else ""
                      for _, exercises in columns]
            writer.writerow(map(csv_cell, [*(who.get(key, "") for key in names.values()), *scores]))
    return {"path": path, "rows": len(reports), "blank": blank, "unmatched": unmatched}

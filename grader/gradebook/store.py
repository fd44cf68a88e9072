"""The class's gradebook: every grading of every student, kept in SQLite beside the reports.

Each grading run adds one row per graded submission (its whole report). The class's exports are
made from the latest grading of each student, so regrading one student replaces that student's row
everywhere and keeps the earlier gradings as history. A roster, once given, is kept too: the
exports list who submitted nothing until a new roster replaces it, and carry its identities (the
LMS's id, name, email, SIS ids, section) into the LMS exports.

    OUT/gradebook.sqlite   gradings(id, student, graded_at, seed, earned, possible, complete, report)
                           roster(student, details: JSON of the roster row's identities)
                           overrides(id, student, check_id, points, comment, at): see overrides.py
"""

import csv
import datetime
import json
import sqlite3
from contextlib import closing
from pathlib import Path

FILE = "gradebook.sqlite"
SCHEMA = """CREATE TABLE IF NOT EXISTS gradings (
    id INTEGER PRIMARY KEY, student TEXT NOT NULL, graded_at TEXT NOT NULL, seed INTEGER,
    earned REAL NOT NULL, possible REAL NOT NULL, complete INTEGER NOT NULL, report TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS roster (student TEXT PRIMARY KEY, details TEXT);
CREATE TABLE IF NOT EXISTS overrides (
    id INTEGER PRIMARY KEY, student TEXT NOT NULL, check_id TEXT NOT NULL, points REAL, comment TEXT NOT NULL,
    at TEXT NOT NULL)"""
# a roster row's identities, each from the first of its columns the CSV has (headers in any case);
# `student` is how the class is named in the reports (the submissions' names, or the LMS's, mapped)
IDENTITIES = {
    "student": ("student", "login", "username", "sis login id", "full name", "name", "email address", "email",
                "id", "identifier"),
    "id": ("id", "user id", "identifier"),  # the LMS's user id: Canvas's ID, Moodle's "Participant <id>"
    "name": ("full name", "name", "student"),
    "email": ("email address", "email"),
    "username": ("username", "login"),
    "sis_user_id": ("sis user id", "id number"),
    "sis_login_id": ("sis login id",),
    "section": ("section",),
}


def connect(out: Path) -> sqlite3.Connection:
    out.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(out / FILE, timeout=60)
    connection.executescript(SCHEMA)
    if "details" not in [column[1] for column in connection.execute("PRAGMA table_info(roster)")]:
        connection.execute("ALTER TABLE roster ADD COLUMN details TEXT")  # a gradebook of an earlier kit
    return connection


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")


def record(out: Path, reports: list[dict]) -> None:
    """Add the reports of one grading run (one transaction: all of them or none)."""
    now = _now()
    with closing(connect(out)) as connection, connection:
        connection.executemany(
            "INSERT INTO gradings (student, graded_at, seed, earned, possible, complete, report) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(r["student"], now, r["seed"], r["score"]["earned"], r["score"]["possible"], not r["grader_faults"],
              json.dumps(r)) for r in reports])


def set_roster(out: Path, rows: list[dict]) -> None:
    with closing(connect(out)) as connection, connection:
        connection.execute("DELETE FROM roster")
        connection.executemany("INSERT INTO roster (student, details) VALUES (?, ?)",
                               [(row["student"], json.dumps(row)) for row in rows])


def roster(out: Path) -> list[dict]:
    """The roster's rows (each with its identities, as read_roster gives them), by student."""
    with closing(connect(out)) as connection:
        rows = connection.execute("SELECT student, details FROM roster ORDER BY student").fetchall()
    return [json.loads(details) if details else {"student": student} for student, details in rows]


def latest(out: Path) -> list[dict]:
    """The latest report of every student, by name, each with its `graded_at`."""
    with closing(connect(out)) as connection:
        rows = connection.execute(
            "SELECT report, graded_at FROM gradings WHERE id IN (SELECT MAX(id) FROM gradings GROUP BY student) "
            "ORDER BY student").fetchall()
    return [{**json.loads(report), "graded_at": graded_at} for report, graded_at in rows]


def last_grading(out: Path) -> dict | None:
    """The report of the latest grading in the gradebook in `out` (None when there is none): its
    seed and the exercises it graded are the class's."""
    if not (out / FILE).exists():
        return None
    with closing(connect(out)) as connection:
        row = connection.execute("SELECT report FROM gradings ORDER BY id DESC LIMIT 1").fetchone()
    return json.loads(row[0]) if row else None


def history(out: Path) -> list[dict]:
    """Every grading, oldest first: student, graded_at, seed, earned, possible, complete, dependencies."""
    with closing(connect(out)) as connection:
        rows = connection.execute("SELECT student, graded_at, seed, earned, possible, complete, "
                                  "json_extract(report, '$.dependencies') FROM gradings ORDER BY id").fetchall()
    keys = ("student", "graded_at", "seed", "earned", "possible", "complete", "dependencies")
    return [{**dict(zip(keys, row)), "dependencies": row[-1] or "own"} for row in rows]


def record_override(out: Path, student: str, check_id: str, points: float | None, comment: str) -> None:
    """Add an instructor's override (points None: the override removed)."""
    with closing(connect(out)) as connection, connection:
        connection.execute("INSERT INTO overrides (student, check_id, points, comment, at) VALUES (?, ?, ?, ?, ?)",
                           (student, check_id, points, comment, _now()))


def overrides(out: Path) -> dict[str, dict[str, dict]]:
    """The overrides in force: student → check id → {"points", "comment", "at"} (the latest of each)."""
    if not (out / FILE).exists():
        return {}
    with closing(connect(out)) as connection:
        rows = connection.execute("SELECT student, check_id, points, comment, at FROM overrides ORDER BY id").fetchall()
    found: dict[str, dict[str, dict]] = {}
    for student, check, points, comment, at in rows:
        found.setdefault(student, {})[check] = {"points": points, "comment": comment, "at": at}
    return {student: {check: o for check, o in checks.items() if o["points"] is not None}
            for student, checks in found.items()}


def override_history(out: Path, student: str) -> list[dict]:
    """Every override of a student, oldest first (points None: removed)."""
    with closing(connect(out)) as connection:
        rows = connection.execute("SELECT check_id, points, comment, at FROM overrides WHERE student = ? ORDER BY id",
                                  (student,)).fetchall()
    return [dict(zip(("check_id", "points", "comment", "at"), row)) for row in rows]


def read_roster(path: Path) -> list[dict]:
    """The students of a roster CSV, one dict of IDENTITIES each (a plain list of names, without a
    header, is read as students). Canvas's gradebook export, Moodle's participants or grading
    worksheet and a CSV of logins all serve: Canvas's "Points Possible" row is skipped, Moodle's
    first and last name columns make the name."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = [[cell.strip() for cell in row] for row in csv.reader(handle) if any(cell.strip() for cell in row)]
    if not rows:
        raise ValueError(f"{path} is empty")
    header = [cell.casefold() for cell in rows[0]]
    if "first name" in header and "last name" in header and "full name" not in header:
        first, last = header.index("first name"), header.index("last name")
        header.append("full name")
        rows = [rows[0]] + [row + [f"{row[first]} {row[last]}" if len(row) > max(first, last) else ""]
                            for row in rows[1:]]
    columns = {key: next((header.index(name) for name in names if name in header), None)
               for key, names in IDENTITIES.items()}
    body = rows[1:] if columns["student"] is not None else rows
    columns["student"] = columns["student"] or 0
    found = {}
    for row in body:
        identity = {key: row[column] for key, column in columns.items() if column is not None and column < len(row)
                    and row[column]}
        if identity.get("student") and identity["student"].casefold() not in ("points possible", "student, test",
                                                                               "test student"):  # Canvas's own rows
            identity["id"] = identity.get("id", "").removeprefix("Participant ").strip()
            found.setdefault(identity["student"], {k: v for k, v in identity.items() if v})
    return list(found.values())

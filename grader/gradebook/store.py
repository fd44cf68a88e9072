"""The class's gradebook: every grading of every student, kept in SQLite beside the reports.

Each grading run adds one row per graded submission (its whole report). The class's exports are
made from the latest grading of each student, so regrading one student replaces that student's row
everywhere and keeps the earlier gradings as history. A roster, once given, is kept too: the
exports list who submitted nothing until a new roster replaces it.

    OUT/gradebook.sqlite   gradings(id, student, graded_at, seed, earned, possible, complete, report)
                           roster(student)
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
CREATE TABLE IF NOT EXISTS roster (student TEXT PRIMARY KEY)"""
ROSTER_COLUMNS = ("student", "login", "username", "name", "id")


def _connect(out: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(out / FILE, timeout=60)
    connection.executescript(SCHEMA)
    return connection


def record(out: Path, reports: list[dict]) -> None:
    """Add the reports of one grading run (one transaction: all of them or none)."""
    now = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    with closing(_connect(out)) as connection, connection:
        connection.executemany(
            "INSERT INTO gradings (student, graded_at, seed, earned, possible, complete, report) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(r["student"], now, r["seed"], r["score"]["earned"], r["score"]["possible"], not r["grader_faults"],
              json.dumps(r)) for r in reports])


def set_roster(out: Path, names: list[str]) -> None:
    with closing(_connect(out)) as connection, connection:
        connection.execute("DELETE FROM roster")
        connection.executemany("INSERT INTO roster (student) VALUES (?)", [(name,) for name in names])


def roster(out: Path) -> list[str]:
    with closing(_connect(out)) as connection:
        return [name for name, in connection.execute("SELECT student FROM roster ORDER BY student")]


def latest(out: Path) -> list[dict]:
    """The latest report of every student, by name, each with its `graded_at`."""
    with closing(_connect(out)) as connection:
        rows = connection.execute(
            "SELECT report, graded_at FROM gradings WHERE id IN (SELECT MAX(id) FROM gradings GROUP BY student) "
            "ORDER BY student").fetchall()
    return [{**json.loads(report), "graded_at": graded_at} for report, graded_at in rows]


def last_grading(out: Path) -> dict | None:
    """The report of the latest grading in the gradebook in `out` (None when there is none): its
    seed and the exercises it graded are the class's."""
    if not (out / FILE).exists():
        return None
    with closing(_connect(out)) as connection:
        row = connection.execute("SELECT report FROM gradings ORDER BY id DESC LIMIT 1").fetchone()
    return json.loads(row[0]) if row else None


def history(out: Path) -> list[dict]:
    """Every grading, oldest first: student, graded_at, seed, earned, possible, complete."""
    with closing(_connect(out)) as connection:
        rows = connection.execute("SELECT student, graded_at, seed, earned, possible, complete FROM gradings "
                                  "ORDER BY id").fetchall()
    keys = ("student", "graded_at", "seed", "earned", "possible", "complete")
    return [dict(zip(keys, row)) for row in rows]


def read_roster(path: Path) -> list[str]:
    """The students of a roster CSV: its column named student, login, username, name or id (the
    first column when none is), as named by their submissions."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = [row for row in csv.reader(handle) if any(cell.strip() for cell in row)]
    if not rows:
        raise ValueError(f"{path} is empty")
    header = [cell.strip().lower() for cell in rows[0]]
    column = next((header.index(name) for name in ROSTER_COLUMNS if name in header), None)
    body = rows[1:] if column is not None else rows
    names = [row[column or 0].strip() for row in body if len(row) > (column or 0)]
    return list(dict.fromkeys(name for name in names if name))

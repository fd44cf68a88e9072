"""A class graded across several machines: each grades one shard with the class's seed into an
OUT of its own (`nn-kit grade CLASS --shard I/N --seed S --out shard-I`), then `nn-kit merge OUT
shard-1 … shard-N` puts their gradebooks into one and remakes the class's files from it.

A student's shard is a hash of the submission's name, so every machine, given the same class
folder, agrees on it without talking to the others, and a late submission added to the folder moves
no one else. The merge refuses shards graded with another seed, other exercises or another
dependency policy, and a student graded in two shards.
"""

import hashlib
import json
import re
import sqlite3
from contextlib import closing
from pathlib import Path

from grader.gradebook import store

SHARD = re.compile(r"(\d+)/(\d+)")


def parse(text: str) -> tuple[int, int]:
    """(index, count) of 'I/N', 1 ≤ I ≤ N; ValueError otherwise."""
    match = SHARD.fullmatch(text.strip())
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise ValueError(f"--shard {text}: give I/N with 1 ≤ I ≤ N, e.g. 2/3")
    return int(match[1]), int(match[2])


def shard_of(name: str, count: int) -> int:
    """The shard (1 … count) a student's submission is graded in."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") % count + 1


def _policy(report: dict) -> tuple:
    """What every grading of one class shares: its seed, the exercises graded, the dependency policy."""
    return (report["seed"], tuple(sorted(n for n, e in report["exercises"].items() if e["possible"])),
            report.get("dependencies", "own"))


def merge(out: Path, shards: list[Path]) -> dict:
    """Add every grading, override and roster row of the shards' gradebooks to the one in `out`, in
    the order they were made (one merged before is not added again: a merge can be repeated after a
    shard's regrade); returns {"students", "gradings" added}. Raises ValueError, changing nothing,
    when the shards do not belong to one class."""
    found, owner, policies = [], {}, set()
    for index, shard in enumerate(shards):
        if not (shard / store.FILE).is_file():
            raise ValueError(f"{shard} holds no gradebook ({store.FILE})")
        with closing(sqlite3.connect((shard / store.FILE).resolve().as_uri() + "?mode=ro", uri=True)) as connection:
            gradings = connection.execute("SELECT student, graded_at, seed, earned, possible, complete, report "
                                          "FROM gradings ORDER BY id").fetchall()
            overrides = connection.execute("SELECT student, check_id, points, comment, at FROM overrides "
                                           "ORDER BY id").fetchall()
            roster = connection.execute("SELECT student, details FROM roster").fetchall()
        for student, *_ in gradings:
            if owner.setdefault(student, index) != index:
                raise ValueError(f"{student!r} is graded in both {shards[owner[student]]} and {shard}: "
                                 f"give each shard once")
        policies |= {_policy(json.loads(row[-1])) for row in gradings}
        found.append((gradings, overrides, roster))
    before = store.last_grading(out)
    if before:
        policies.add(_policy(before))
    if len(policies) > 1:
        raise ValueError("the shards were not graded alike (seed, exercises, dependencies): "
                         + "; ".join(f"seed {s}, {','.join(e)}, {d}" for s, e, d in sorted(policies)))
    gradings = sorted((row for rows, _, _ in found for row in rows), key=lambda row: row[1])
    overrides = sorted((row for _, rows, _ in found for row in rows), key=lambda row: row[-1])
    roster = {student: details for _, _, rows in found for student, details in rows}
    with closing(store.connect(out)) as connection, connection:
        kept = set(connection.execute("SELECT student, graded_at FROM gradings"))
        gradings = [row for row in gradings if tuple(row[:2]) not in kept]  # merged before: not twice
        kept = set(connection.execute("SELECT student, check_id, at FROM overrides"))
        overrides = [row for row in overrides if (row[0], row[1], row[-1]) not in kept]
        connection.executemany("INSERT INTO gradings (student, graded_at, seed, earned, possible, complete, report) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?)", gradings)
        connection.executemany("INSERT INTO overrides (student, check_id, points, comment, at) VALUES (?, ?, ?, ?, ?)",
                               overrides)
        connection.executemany("INSERT OR REPLACE INTO roster (student, details) VALUES (?, ?)", roster.items())
    return {"students": len(owner), "gradings": len(gradings)}

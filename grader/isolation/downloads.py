"""The shapes LMS downloads come in, recognised in a class folder and turned into one submission
per student, with the LMS's identity of the student, the late flag and the latest resubmission:

- Canvas "Download Submissions": flat files `<name>[_LATE]_<user id>_<submission id>_<file>`, a
  resubmission's file with `-1`, `-2` before its extension (a zip keeps the same prefix);
- Moodle "Download all submissions": a folder `<Full Name>_<id>_assignsubmission_file_` per student
  (often holding the student's own zip: staging reads a folder that holds only a zip as that zip);
- Blackboard "Download assignment": `<assignment>_<user>_attempt_<date>.txt` (the attempt's
  details) and `<assignment>_<user>_attempt_<date>_<file>`, the latest attempt kept.

Only names are read here (never followed, never opened but the attempt's details, at most 64 KiB).
"""

import re
from pathlib import Path

CANVAS = re.compile(r"(?P<name>[^_/]+?)(?P<late>_LATE)?_(?P<id>\d+)_(?P<submission>\d+)_(?P<file>.+)")
# a resubmission's number (Canvas's -1, -2) or a browser's copy number ("perceptron (1).py")
RESUBMITTED = re.compile(r"(?P<stem>.+?)(?:-(?P<n>\d+)| \((?P<copy>\d+)\))(?P<suffix>\.[A-Za-z0-9]+)$")
MOODLE = re.compile(r"(?P<name>.+)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)_$")
BLACKBOARD = re.compile(r".+?_(?P<id>[^_]+)_attempt_(?P<when>\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d)(?:_(?P<file>.+)|\.txt)$")
MAX_DETAILS = 64 * 2**10


def original_name(name: str) -> tuple[str, int]:
    """(the file's name before the LMS numbered it, the resubmission's number: 0 for the first)."""
    found = RESUBMITTED.fullmatch(name)
    return (found["stem"] + found["suffix"], int(found["n"] or found["copy"])) if found else (name, 0)


def canvas(files: list[Path]) -> dict[str, dict]:
    """Canvas's flat files grouped by student: id → {"name", "late", "files": {module name: path}},
    each module from the student's latest resubmission of it."""
    students = {}
    for path in files:
        found = CANVAS.fullmatch(path.name)
        if not found:
            continue
        student = students.setdefault(found["id"], {"name": found["name"], "late": False, "files": {}, "numbers": {}})
        student["late"] |= bool(found["late"])
        name, number = original_name(found["file"])
        if number >= student["numbers"].get(name, -1):
            student["files"][name], student["numbers"][name] = path, number
    for student in students.values():
        del student["numbers"]
    return students


def blackboard(files: list[Path]) -> dict[str, dict]:
    """Blackboard's files grouped by student: id → {"name", "submitted_at", "files"}, latest attempt only."""
    attempts = {}
    for path in files:
        found = BLACKBOARD.fullmatch(path.name)
        if found:
            attempts.setdefault(found["id"], {}).setdefault(found["when"], []).append((found["file"], path))
    students = {}
    for user, by_time in attempts.items():
        when = max(by_time)
        details = next((path for file, path in by_time[when] if file is None), None)
        text = details.read_bytes()[:MAX_DETAILS].decode("utf-8", "replace") if details else ""
        name = re.search(r"^Name: (.+?)(?: \(.*\))?$", text, re.M)
        students[user] = {"name": name[1].strip() if name else user, "submitted_at": when,
                          "files": {file: path for file, path in by_time[when] if file}}
    return students


def moodle(folder: Path) -> dict | None:
    """{"name", "id", "plugin"} of a Moodle submission folder's name (plugin: file, onlinetext, …), or None."""
    found = MOODLE.fullmatch(folder.name)
    return {"name": found["name"], "id": found["id"], "plugin": found["plugin"]} if found else None

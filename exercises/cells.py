# Generated from grader/isolation/cells.py by `python -m grader.course.generate`: edit that file, not this one.
"""What a notebook stands for: the module made of its code cells, read from JSON of any shape. The
grader stages a notebook submission with it; students get a generated copy (exercises/cells.py),
with which a notebook imports the other notebooks of its folder."""

import re

PACKAGE = "notebooks"
SETUP, SELF_CHECK, HIDDEN = "setup", "selfcheck", "hidden-"  # grade ids of cells that are not the student's code
FROM_NOTEBOOK = re.compile(rf"^from {PACKAGE}\.(\w+) import ", re.M)


def _field(value, key: str, kind: type):
    """value[key] if value is a dict holding a `kind` there, else an empty `kind` (a notebook is
    JSON written by anyone: every field may have another type)."""
    found = value.get(key) if isinstance(value, dict) else None
    return found if isinstance(found, kind) else kind()


def module_source(notebook: dict) -> str:
    """The module a notebook stands for: its code cells, without the set-up, self-check and grade
    cells, magics and shell lines; `from notebooks.x import` becomes `from .x import`."""
    parts = []
    for cell in _field(notebook, "cells", list):
        grade_id = _field(_field(_field(cell, "metadata", dict), "nbgrader", dict), "grade_id", str)
        if _field(cell, "cell_type", str) != "code" or grade_id.startswith((SETUP, SELF_CHECK, HIDDEN)):
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(line, str) for line in source):
            source = "".join(source)
        source = source if isinstance(source, str) else ""
        lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        parts.append(FROM_NOTEBOOK.sub(r"from .\1 import ", "\n".join(lines)))
    return "\n\n\n".join(parts) + "\n"

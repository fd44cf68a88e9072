"""Notebooks from the solutions, and modules back from notebooks.

`module_to_notebook` turns a solutions/ module into an nbgrader source notebook: the docstring
becomes the introduction, every function or class holding a `### BEGIN SOLUTION` region becomes an
autograded answer cell (under a markdown cell naming the task), the rest become locked cells, and
one locked grade cell per hidden check carries its points (scored by the isolated grader, never
by running code in the student's kernel; run in the kernel, e.g. by `nbgrader validate`, it runs
the task's visible self-checks). A relative import between exercises becomes an import of the
student's other notebook (`from notebooks.perceptron import …`, see exercises/notebook.py).
`notebook_to_module` reverses this for grading.
"""

import ast
import json
import re
import warnings

import nbformat

from grader.catalogue import SOLUTIONS, regions
from grader.isolation.cells import HIDDEN, SELF_CHECK, SETUP, module_source

RELATIVE = re.compile(r"^from \.(\w+) import (.+)$", re.M)
SET_UP_CELL = "import exercises.notebook  # lets this notebook import your other notebooks: from notebooks.<name> import …"


def grade_id(check_id: str) -> str:
    """The grade cell id of a hidden check (nbgrader allows letters, digits, _ and -)."""
    return HIDDEN + re.sub(r"[^A-Za-z0-9_-]", "_", check_id.split("::")[-1])


def _metadata(grade_id: str, solution=False, grade=False, locked=True, points=None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution,
            "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _chunks(source: str):
    """(first line, last line, node) of every top-level statement: comments above it included, and
    indented lines after it (a block's closing `### END SOLUTION`)."""
    lines = source.splitlines()
    previous_end = 0
    for node in ast.parse(source).body:
        end = node.end_lineno
        while end < len(lines) and (lines[end].startswith((" ", "\t")) or not lines[end].strip()):
            end += 1
        while not lines[end - 1].strip():
            end -= 1
        yield previous_end + 1, end, node
        previous_end = end


def module_to_notebook(module: str, checks: list[dict]) -> nbformat.NotebookNode:
    """The nbgrader source notebook of an exercise; `checks` are its hidden checks (id, points)."""
    source = (SOLUTIONS / f"{module}.py").read_text(encoding="utf-8")
    lines = source.splitlines()
    tasks_of = regions(source, module)
    cells = []
    for first, last, node in _chunks(source):
        text = "\n".join(lines[first - 1: last]).strip("\n")
        if isinstance(node, ast.Expr) and isinstance(getattr(node, "value", None), ast.Constant) and first == 1:
            cells.append(nbformat.v4.new_markdown_cell(f"# {node.value.value.strip()}"))
            continue
        text = RELATIVE.sub(lambda m: f"from notebooks.{m.group(1)} import {m.group(2)}  # your {m.group(1)}.ipynb", text)
        tasks = [r for r in tasks_of if first <= r.first <= last]
        name = getattr(node, "name", f"line{first}")
        if tasks:
            listing = "\n".join(f"- `{r.task}` ({r.section})" for r in tasks)
            cells.append(nbformat.v4.new_markdown_cell(f"## Your task\n\n{listing}\n\nFill in the part that "
                                                       "raises `NotImplementedError`; the docstring says what it "
                                                       "computes, with shapes and dtypes."))
            cells.append(nbformat.v4.new_code_cell(text, metadata=_metadata(f"{module}-{name}", solution=True,
                                                                            locked=False)))
        else:
            cells.append(nbformat.v4.new_code_cell(text, metadata=_metadata(f"{module}-{name}")))
    set_up = nbformat.v4.new_code_cell(SET_UP_CELL, metadata=_metadata(f"{SETUP}-{module}"))
    cells.insert(1 if cells and cells[0].cell_type == "markdown" else 0, set_up)
    cells.append(nbformat.v4.new_markdown_cell(
        "## Check yourself\n\nThe next cell runs this exercise's visible self-checks on the code above "
        "(it is not graded)."))
    cells.append(nbformat.v4.new_code_cell(f"from exercises.notebook import self_check\n"
                                           f"self_check({module!r}, globals())",
                                           metadata=_metadata(f"{SELF_CHECK}-{module}")))
    cells.append(nbformat.v4.new_markdown_cell(
        "## Graded checks\n\nEach cell below stands for one hidden check with its points. The kit's grader "
        "scores them from your code above in an isolated process. Run here (or by *Validate*), each runs the "
        "visible self-checks of its task, so a task that fails them shows up before you submit."))
    for check in checks:
        name = check["id"].split("::")[-1]
        cells.append(nbformat.v4.new_code_cell(
            f"# Hidden check {name} ({check['points']} point{'s' if check['points'] != 1 else ''}), scored by the "
            f"kit's isolated grader.\n"
            f"from exercises.notebook import check_task\ncheck_task({check['task']!r}, globals())",
            metadata=_metadata(grade_id(check["id"]), grade=True, points=check["points"])))
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook


def _grade_id(cell) -> str | None:
    meta = cell.get("metadata", {}).get("nbgrader")
    return meta.get("grade_id") if isinstance(meta, dict) else None


def restore_from_release(notebook: nbformat.NotebookNode, release: nbformat.NotebookNode) -> list[str]:
    """Rebuild a submitted notebook on its release, in place; returns what had been tampered with.

    Kept from the student: the source of each answer cell (matched by grade id) and the cells the
    student added (no nbgrader metadata). Everything else, every locked and grade cell with its
    metadata and points, is the release's, so a deleted, duplicated, retyped, re-pointed or edited
    grade or locked cell changes nothing; an answer cell's metadata is restored too."""
    released = {_grade_id(c): c for c in release.cells if _grade_id(c)}
    plain = {(c.cell_type, c.source) for c in release.cells if not _grade_id(c)}
    problems, answers, seen, added, anchor = [], {}, set(), {}, None
    for cell in notebook.cells:
        grade_id = _grade_id(cell)
        if "nbgrader" not in cell.get("metadata", {}):
            if (cell.get("cell_type"), cell.get("source")) not in plain:
                added.setdefault(anchor, []).append(cell)
            continue
        original = released.get(grade_id)
        if original is None or grade_id in seen:
            problems.append(f"cell {grade_id!r}: {'a second copy' if original else 'not in the release'}, left out")
            continue
        seen.add(grade_id)
        anchor = grade_id
        same_kind = cell.get("cell_type") == original.cell_type and cell.metadata["nbgrader"] == original.metadata.nbgrader
        if original.metadata.nbgrader.get("solution"):
            answers[grade_id] = cell.get("source", "")
            if not same_kind:
                problems.append(f"answer cell {grade_id!r}: its type or nbgrader metadata was changed, restored")
        elif not same_kind or cell.get("source") != original.source:
            problems.append(f"cell {grade_id!r}: a locked or grade cell was changed, restored")
    problems += [f"cell {g!r}: deleted, restored" for g in released if g not in seen]
    cells = list(added.get(None, []))
    for cell in release.cells:
        copy = nbformat.from_dict(json.loads(json.dumps(cell)))
        if _grade_id(cell) in answers:
            copy.source = answers[_grade_id(cell)]
        cells += [copy, *added.get(_grade_id(cell), [])] if _grade_id(cell) else [copy]
    notebook.cells = cells
    return problems


def notebook_to_module(notebook: nbformat.NotebookNode) -> str:
    """The module a student's notebook stands for (see isolation/cells.py)."""
    return module_source(notebook)


def read_notebook(path) -> nbformat.NotebookNode:
    """A notebook from disk; raises ValueError with the reason for anything that is not one."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return nbformat.read(str(path), as_version=4)
    except (OSError, json.JSONDecodeError, UnicodeDecodeError, nbformat.reader.NotJSONError, KeyError,
            AttributeError, TypeError) as error:
        raise ValueError(f"{path.name} is not a readable notebook ({type(error).__name__})") from None

"""The rubric: every hidden check with its exercise, task and points.

Read from the decorators in the hidden suites' source, without importing them (so commands that only
need points, such as `nn-kit starter-workflow`, start without TensorFlow). The grading plugin checks
at collection that every check pytest collects is in this rubric with the same points and task, so
the two readings cannot drift apart unnoticed.
"""

import ast
from functools import lru_cache
from pathlib import Path

from grader.catalogue import EXERCISES, HIDDEN, VISIBLE, all_regions


class RubricError(Exception):
    """A hidden test whose points, task or exercise cannot be read from its source."""


def _mark(node: ast.expr) -> tuple[str, list]:
    """('points', [2]) for `pytest.mark.points(2)`, ('backprop', []) for `pytest.mark.backprop`."""
    call = node if isinstance(node, ast.Call) else None
    target = call.func if call else node
    if not (isinstance(target, ast.Attribute) and ast.unparse(target.value) == "pytest.mark"):
        return "", []
    arguments = [ast.literal_eval(arg) for arg in call.args] if call else []
    return target.attr, arguments[1] if target.attr == "parametrize" else arguments


def checks_of(path: Path) -> list[dict]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    exercises = [_mark(node.value)[0] for node in tree.body if isinstance(node, ast.Assign)
                 and [ast.unparse(t) for t in node.targets] == ["pytestmark"]]
    checks = []
    for node in tree.body:
        if not (isinstance(node, ast.FunctionDef) and node.name.startswith("test_")):
            continue
        try:
            marks = dict(_mark(decorator) for decorator in node.decorator_list)
            values = marks.pop("parametrize", [""])
            (exercise,) = exercises
            points, task = marks.pop("points")[0], marks.pop("task")[0]
            if set(marks) - {"", "timeout"} or not all(isinstance(v, str) for v in values):
                raise ValueError(sorted(marks))
        except (ValueError, KeyError, TypeError, IndexError) as error:
            raise RubricError(f"{path.name}::{node.name}: a hidden test needs @pytest.mark.points(n), "
                              f"@pytest.mark.task(name) and its module's `pytestmark = pytest.mark.<exercise>`; "
                              f"it may be parametrized over a list of strings and have no other mark ({error})")
        for value in values:
            checks.append({"id": f"tests/hidden/{path.name}::{node.name}" + (f"[{value}]" if value else ""),
                           "exercise": exercise, "task": task, "points": points})
    return checks


@lru_cache(maxsize=1)
def rubric() -> tuple[dict, ...]:
    """Every hidden check with its exercise, task and points, in suite order."""
    checks = tuple(check for path in sorted(HIDDEN.glob("test_*.py")) for check in checks_of(path))
    if not checks:
        raise RubricError(f"no hidden check found in {HIDDEN}")
    return checks


def possible_points() -> dict[str, int]:
    totals = {name: 0 for name in EXERCISES}
    for check in rubric():
        totals[check["exercise"]] += check["points"]
    return totals


def task_points() -> dict[str, int]:
    """Points of each task (the sum of its hidden checks), in the order of the exercises' tasks."""
    totals = {region.task: 0 for region in all_regions()}
    for check in rubric():
        totals[check["task"]] += check["points"]
    return totals


@lru_cache(maxsize=1)
def task_uses() -> dict[str, set[str]]:
    """Task → the tasks its self-checks call (their `@pytest.mark.uses`), directly or through another."""
    direct: dict[str, set[str]] = {}
    for path in sorted(VISIBLE.glob("test_*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef):
                marks = dict(_mark(decorator) for decorator in node.decorator_list
                             if ast.unparse(decorator).startswith(("pytest.mark.task(", "pytest.mark.uses(")))
                if "task" in marks:
                    direct.setdefault(marks["task"][0], set()).update(marks.get("uses", ()))
    closed = {}
    for task in direct:
        found, todo = set(), list(direct[task])
        while todo:
            used = todo.pop()
            if used not in found and used != task:
                found.add(used)
                todo += direct.get(used, ())
        closed[task] = found
    return closed

"""What a submission's source reaches for beyond the exercises: TensorFlow's internals, private or
special attributes, and Python's ways to reach a name without writing it.

The tasks derived by hand run with TensorFlow's automatic differentiation refused
(`exercises.selfcheck.no_autodiff`), but that guard lives in the worker, which student code
controls: code that holds TensorFlow's internals can put them back for a moment. Holding them takes
one of the constructs found here, which no exercise needs. So such checks run in a worker that has
imported only the module under test and the modules it imports, and fail, on the trusted side and
before the call, when any of those uses one (grader/student.py `Student.observed`). Read, never run.
"""

import ast
from pathlib import Path

from grader.course import EXERCISES

INTERNAL_MODULES = ("tensorflow.python", "tensorflow.core", "keras.src", "importlib", "builtins", "inspect", "gc",
                    "ctypes", "exercises", "grader", "solutions", "tests")
CALLS = {"__import__", "eval", "exec", "compile", "globals", "locals", "vars", "setattr", "delattr"}
SPECIAL = {"__init__", "__call__", "__name__", "__doc__", "__len__", "__iter__", "__next__", "__getitem__",
           "__repr__", "__str__", "__enter__", "__exit__"}  # special names ordinary code defines or calls
OWN = {"self", "cls"}
NOTEBOOK_SETUP = "exercises.notebook"  # a released notebook's set-up cell imports it


def _imported(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [node.module]
    return []


def _finding(node: ast.AST) -> str:
    for name in _imported(node):
        if name == NOTEBOOK_SETUP:
            continue
        if name == "sys" or any(name == m or name.startswith(m + ".") for m in INTERNAL_MODULES):
            return f"import {name}"
    if isinstance(node, ast.Attribute):
        owner = node.value
        own = isinstance(owner, ast.Name) and owner.id in OWN or \
            isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name) and owner.func.id == "super"
        if node.attr.startswith("__") and node.attr.endswith("__") and node.attr not in SPECIAL:
            return f"the attribute {node.attr}"
        if node.attr.startswith("_") and not node.attr.startswith("__") and not own:
            return f"the private attribute {node.attr}"
    if isinstance(node, ast.Name) and node.id in CALLS:
        return f"{node.id}()"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "hasattr"):
        name = node.args[1] if len(node.args) > 1 else None
        if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
            return f"{node.func.id}() with a computed name"
        if name.value.startswith("_") and name.value not in SPECIAL:
            return f"{node.func.id}(…, {name.value!r})"
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and "tensorflow.python" in node.value:
        return "the name 'tensorflow.python'"
    return ""


def findings(source: str, filename: str) -> list[str]:
    """Each construct the source uses that reaches beyond the exercises, with its line."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []  # such a module does not import: its checks fail anyway
    found = []
    for node in ast.walk(tree):
        what = _finding(node)
        if what:
            found.append(f"{what} ({filename}:{getattr(node, 'lineno', '?')})")
    return sorted(set(found), key=found.index)


def imports(folder: Path, module: str) -> list[str]:
    """The module and the submission's modules it imports (`from .x import`), transitively."""
    found, todo = [], [module]
    while todo:
        name = todo.pop()
        path = folder / f"{name}.py"
        if name in found or name not in EXERCISES or not path.is_file():
            continue
        found.append(name)
        try:
            tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                todo += [node.module] if node.module else [alias.name for alias in node.names]
    return found


def scan(folder: Path, modules=EXERCISES) -> list[str]:
    """The findings of the named modules of a submission's folder."""
    found = []
    for name in modules:
        path = folder / f"{name}.py"
        if path.is_file():
            found += findings(path.read_text(encoding="utf-8", errors="replace"), path.name)
    return found

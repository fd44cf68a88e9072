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
import re
from pathlib import Path

from grader.course import EXERCISES

INTERNAL_MODULES = ("tensorflow.python", "tensorflow.core", "keras.src", "importlib", "builtins", "inspect", "gc",
                    "ctypes", "operator", "exercises", "grader", "solutions", "tests")
# TensorFlow's automatic differentiation by its public names: what a task derived by hand must not use
AUTODIFF = {"GradientTape", "gradients", "ForwardAccumulator", "jacobian", "batch_jacobian", "compute_gradient",
            "value_and_gradient"}
CALLS = {"__import__", "eval", "exec", "compile", "globals", "locals", "vars", "setattr", "delattr"}
SPECIAL = {"__init__", "__call__", "__name__", "__doc__", "__len__", "__iter__", "__next__", "__getitem__",
           "__repr__", "__str__", "__enter__", "__exit__"}  # special names ordinary code defines or calls
OWN = {"self", "cls"}
LOOKUPS = ("getattr", "hasattr")
DUNDER = re.compile(r"__\w+__")
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
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in LOOKUPS:
        name = node.args[1] if len(node.args) > 1 else None
        if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
            return f"{node.func.id}() with a computed name"
        if name.value.startswith("_") and name.value not in SPECIAL:
            return f"{node.func.id}(…, {name.value!r})"
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if "tensorflow.python" in node.value:
            return "the name 'tensorflow.python'"
        if DUNDER.fullmatch(node.value) and node.value not in SPECIAL:
            return f"the name {node.value!r}"
    return ""


def _lookups_passed_on(tree: ast.AST) -> list[ast.AST]:
    """getattr or hasattr used as a value (e.g. handed to functools.reduce), not called directly."""
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    return [node for node in ast.walk(tree) if isinstance(node, ast.Name) and node.id in LOOKUPS
            and id(node) not in called]


def findings(source: str, filename: str, by_hand: bool = False) -> list[str]:
    """Each construct the source uses that reaches beyond the exercises, with its line; `by_hand`:
    also every use of TensorFlow's automatic differentiation by name."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []  # such a module does not import: its checks fail anyway
    found = []
    for node in ast.walk(tree):
        what = _finding(node)
        if not what and by_hand and isinstance(node, ast.Attribute | ast.alias):  # tf.gradients, import of one
            name = node.attr if isinstance(node, ast.Attribute) else node.name
            what = f"TensorFlow's automatic differentiation ({name})" if name.split(".")[-1] in AUTODIFF else ""
        if what:
            found.append(f"{what} ({filename}:{getattr(node, 'lineno', '?')})")
    found += [f"{node.id} passed on ({filename}:{node.lineno})" for node in _lookups_passed_on(tree)]
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
        for node in ast.walk(tree):  # any import that names an exercise module, however it is written
            if isinstance(node, ast.Import | ast.ImportFrom):
                module = getattr(node, "module", None) or ""
                names = [*module.split("."), *(part for alias in node.names for part in alias.name.split("."))]
                todo += [name for name in names if name in EXERCISES]
    return found


def scan(folder: Path, modules=EXERCISES, by_hand: bool = False) -> list[str]:
    """The findings of the named modules of a submission's folder."""
    found = []
    for name in modules:
        path = folder / f"{name}.py"
        if path.is_file():
            found += findings(path.read_text(encoding="utf-8", errors="replace"), path.name, by_hand)
    return found

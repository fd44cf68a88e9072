"""The course's exercises, read from solutions/__init__.py without importing that package (which
loads TensorFlow), so that commands and processes that need no TensorFlow start at once."""

import ast
from pathlib import Path


def _exercises() -> tuple[str, ...]:
    source = (Path(__file__).resolve().parent.parent / "solutions" / "__init__.py").read_text(encoding="utf-8")
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "EXERCISES" for t in node.targets):
            return tuple(ast.literal_eval(node.value))
    raise RuntimeError("solutions/__init__.py defines no EXERCISES")


EXERCISES = _exercises()

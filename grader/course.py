"""The course's assignments and exercises, read from solutions/__init__.py without importing that
package (which loads TensorFlow), so that commands and processes that need no TensorFlow start at
once."""

import ast
from pathlib import Path


def _assignments() -> dict[str, tuple[str, ...]]:
    source = (Path(__file__).resolve().parent.parent / "solutions" / "__init__.py").read_text(encoding="utf-8")
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "ASSIGNMENTS" for t in node.targets):
            return {name: tuple(exercises) for name, exercises in ast.literal_eval(node.value).items()}
    raise RuntimeError("solutions/__init__.py defines no ASSIGNMENTS")


ASSIGNMENTS = _assignments()  # assignment → its exercises; each is graded out of 100
EXERCISES = tuple(name for names in ASSIGNMENTS.values() for name in names)
CORE = next(iter(ASSIGNMENTS))  # the thesis' course: what is graded unless another assignment is chosen

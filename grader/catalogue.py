"""What the course is: the kit's folders, the assignments and their exercises, and every task (a
solution region of solutions/), read from the source without importing solutions/ (which loads
TensorFlow), so that commands and processes that need no TensorFlow start at once."""

import ast
import re
from dataclasses import dataclass
from pathlib import Path

KIT = Path(__file__).resolve().parent.parent  # the kit's root: pyproject.toml, grader/, solutions/, …
SOLUTIONS = KIT / "solutions"  # the reference solutions (the source of the skeletons and notebooks)
VISIBLE = KIT / "exercises"  # the students' skeletons and visible self-checks
HIDDEN = KIT / "tests" / "hidden"  # the hidden suites the grader runs
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"  # nbgrader's markers around a solution region
# what a platform's autograder bundle holds of the kit (MNIST aside): grader, hidden suites, solutions
BUNDLED = ("pyproject.toml", "README.md", "grader", "solutions", "exercises", "data", "tests/__init__.py",
           "tests/conftest.py", "tests/hidden")
NOT_DONE = "is not implemented yet"  # in every skeleton's NotImplementedError
# a docstring's citation: "Thesis §The Simple Network", "Lecture notes §The ReLU function family", …
SECTION = re.compile(r"(?:\b(Thesis|Lecture notes|Workshop|Write-up) )?§([\w\- ]+(?:\.\w+)?)")


def _assignments() -> dict[str, tuple[str, ...]]:
    source = (SOLUTIONS / "__init__.py").read_text(encoding="utf-8")
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "ASSIGNMENTS" for t in node.targets):
            return {name: tuple(exercises) for name, exercises in ast.literal_eval(node.value).items()}
    raise RuntimeError("solutions/__init__.py defines no ASSIGNMENTS")


ASSIGNMENTS = _assignments()  # assignment → its exercises; each is graded out of 100
EXERCISES = tuple(name for names in ASSIGNMENTS.values() for name in names)
CORE = next(iter(ASSIGNMENTS))  # the thesis' course: what is graded unless another assignment is chosen


@dataclass(frozen=True)
class Region:
    """One solution region: the task it belongs to and its lines (1-based, markers included)."""

    task: str
    section: str
    first: int
    last: int


def _functions(tree: ast.Module):
    """(qualified name, node) for every function and method, outermost first."""
    def walk(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    yield name, child
                yield from walk(child, f"{name}.")
    yield from walk(tree, "")


def regions(source: str, module: str) -> list[Region]:
    """The solution regions of a solutions/ module's source, in order."""
    lines = source.splitlines()
    functions = list(_functions(ast.parse(source)))
    found, first = [], None
    for number, line in enumerate(lines, 1):
        if BEGIN in line:
            if first is not None:
                raise ValueError(f"{module}: line {number}: nested {BEGIN}")
            first = number
        elif END in line:
            if first is None:
                raise ValueError(f"{module}: line {number}: {END} without {BEGIN}")
            enclosing = [(n, f) for n, f in functions if f.lineno < first <= f.end_lineno]
            if not enclosing:
                raise ValueError(f"{module}: line {first}: a solution region must sit inside a function")
            name, function = enclosing[-1]
            section = SECTION.search(ast.get_docstring(function) or "")
            if not section:
                raise ValueError(f"{module}.{name}: its docstring must cite its source's section (§…)")
            source = (section.group(1) or "thesis").lower()
            found.append(Region(f"{module}.{name}", f"{source} §{section.group(2).strip()}", first, number))
            first = None
    if first is not None:
        raise ValueError(f"{module}: line {first}: {BEGIN} without {END}")
    return found


def task_source(task: str) -> dict:
    """The reference function of a task as source, with its decorators: what stands in for a
    submission's in a worker that grades another task with the reference's dependencies."""
    module, qualname = task.split(".", 1)
    source = (SOLUTIONS / f"{module}.py").read_text(encoding="utf-8")
    node = dict(_functions(ast.parse(source)))[qualname]
    first = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])
    return {"task": task, "module": module, "qualname": qualname,
            "source": "\n".join(source.splitlines()[first - 1:node.end_lineno]) + "\n"}


def all_regions() -> list[Region]:
    """Every task of the kit, in exercise order (the order of ASSIGNMENTS)."""
    return [region for module in EXERCISES
            for region in regions((SOLUTIONS / f"{module}.py").read_text(encoding="utf-8"), module)]

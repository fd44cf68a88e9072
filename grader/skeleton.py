"""Derive the student skeletons in exercises/ from the reference solutions in solutions/.

Every region between `### BEGIN SOLUTION` and `### END SOLUTION` (nbgrader's markers) is replaced
by a `raise NotImplementedError(...)` that names the task and the thesis section taken from the
enclosing function's docstring. `python -m grader.skeleton` writes exercises/;
`python -m grader.skeleton --check` exits 1 if exercises/ is out of date.
"""

import argparse
import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from grader import course

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
# a docstring's citation: "Thesis §Cost Function", "Lecture notes §The ReLU function family", …
SECTION = re.compile(r"(?:\b(Thesis|Lecture notes|Workshop|Write-up) )?§([\w\- ]+(?:\.\w+)?)")
NOT_DONE = "is not implemented yet"  # in every skeleton's NotImplementedError


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


def not_implemented_message(region: Region) -> str:
    return f"{region.task} {NOT_DONE} — {region.section}"


def strip_solutions(source: str, module: str) -> str:
    """The skeleton of a solutions/ module: every region replaced by a NotImplementedError."""
    lines = source.splitlines(keepends=True)
    out, position = [], 0
    for region in regions(source, module):
        begin_line = lines[region.first - 1]
        indent = begin_line[: len(begin_line) - len(begin_line.lstrip())]
        out += lines[position: region.first - 1]
        out += [f"{indent}# YOUR CODE HERE\n", f"{indent}raise NotImplementedError({not_implemented_message(region)!r})\n"]
        position = region.last
    return "".join(out + lines[position:])


def skeletons() -> dict[Path, str]:
    """exercises/ path → the text it must have, for every module of solutions/."""
    return {
        EXERCISES / path.name: strip_solutions(path.read_text(encoding="utf-8"), path.stem)
        for path in sorted(SOLUTIONS.glob("*.py"))
    }


def all_regions() -> list[Region]:
    """Every task of the kit, in exercise order (the order of solutions/__init__.EXERCISES)."""
    return [region for module in course.EXERCISES
            for region in regions((SOLUTIONS / f"{module}.py").read_text(encoding="utf-8"), module)]


def stale() -> list[Path]:
    """exercises/ files that differ from what the solutions give."""
    return [p for p, text in skeletons().items() if not p.exists() or p.read_text(encoding="utf-8") != text]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.skeleton", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that exercises/ is up to date")
    args = parser.parse_args(argv)
    if args.check:
        out_of_date = stale()
        for path in out_of_date:
            print(f"out of date: {path.relative_to(ROOT)} (run `python -m grader.skeleton`)")
        return 1 if out_of_date else 0
    for path, text in skeletons().items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

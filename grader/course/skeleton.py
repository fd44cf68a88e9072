"""Derive the student skeletons in exercises/ from the reference solutions in solutions/.

Every region between `### BEGIN SOLUTION` and `### END SOLUTION` (nbgrader's markers) is replaced
by a `raise NotImplementedError(...)` that names the task and the section its docstring cites.
"""

from pathlib import Path

from grader.catalogue import NOT_DONE, SOLUTIONS, VISIBLE, Region, regions


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
    return {VISIBLE / path.name: strip_solutions(path.read_text(encoding="utf-8"), path.stem)
            for path in sorted(SOLUTIONS.glob("*.py"))}

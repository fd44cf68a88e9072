"""The student distribution: a starter repository that holds no answer (`nn-kit release DIR`).

It holds the skeletons and the visible self-checks (exercises/) of the assignments released (one,
or all), the MNIST loader (data/), a pyproject.toml that installs only those two packages (its
extra `notebooks` adds what notebooks, Validate and the plots need), a README made from
docs/student-guide.md that says what the release holds and requires, and the GitHub Actions
workflow of its tasks' self-checks. Nothing of solutions/, tests/ or grader/ goes in; a kit test
proves it by content and by installing the release in a fresh environment.
"""

import json
import re
from pathlib import Path

from grader.catalogue import ASSIGNMENTS, EXERCISES, KIT, all_regions

COPIED = ("exercises", "data")
SKIPPED_SUFFIXES = (".pyc", ".npz")
PYPROJECT = '''[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "nn-tf-exercises"
version = "0.1.0"
description = "Exercises of Understanding Neural Networks with TensorFlow (Pojunas, 2021), with self-checks."
readme = "README.md"
requires-python = ">=3.11"
dependencies = ["tensorflow>=2.16", "numpy>=1.26", "pytest>=8", "pytest-timeout>=2.3"]

[project.optional-dependencies]
notebooks = ["jupyter", "nbgrader>=0.9", "matplotlib>=3.8"]  # notebooks, their Validate, the plots

[tool.setuptools]
packages = ["exercises", "data"]

[tool.setuptools.package-data]
exercises = ["hints.toml"]

[tool.pytest.ini_options]
testpaths = ["exercises"]
addopts = "-p no:cacheprovider"
markers = [
{markers}
]
filterwarnings = ["ignore::DeprecationWarning", "ignore::PendingDeprecationWarning"]
'''
GUIDE = KIT / "docs" / "student-guide.md"  # the starter's README is this guide under a title
TABLE_ROW = re.compile(r"\| \d+ \| `(\w+)\.py` \|")  # a row of the guide's table of exercises
ONLY = re.compile(r"<!-- only ([\w-]+) -->")  # the guide's part about one assignment, up to "<!-- end -->"


def examples_of(released: tuple[str, ...], guide: str) -> str:
    """The guide's commands and names, written for exercise 1, made examples of the first exercise
    released (its first two tasks; watch mode on a later one), their comments kept in line."""
    first = released[0]
    if first == "perceptron":
        return guide
    tasks = [region.task for region in all_regions() if region.task.startswith(f"{first}.")]
    for old, new in (("perceptron.step_fn", tasks[0]), ("perceptron.tf_step_fn", tasks[1]), ("-m perceptron", f"-m {first}"),
                     ("perceptron.ipynb", f"{first}.ipynb"), ("watch backprop", f"watch {released[min(2, len(released) - 1)]}")):
        guide = re.sub(re.escape(old) + "( *)", lambda m: new + " " * max(len(m[0]) - len(new), 1) if m[1] else new, guide)
    return guide


def readme(released: tuple[str, ...]) -> str:
    """The starter's README: what it holds and what is required, then the student guide (its table
    of exercises cut to those released)."""
    held = [(name, [e for e in exercises if e in released]) for name, exercises in ASSIGNMENTS.items()]
    held = [(name, exercises) for name, exercises in held if exercises]
    listed = "; ".join(f"`{name}`: {', '.join(f'`{e}.py`' for e in exercises)}" for name, exercises in held)
    required = ("Hand in every one of its modules." if len(held) == 1 else
                "Which assignments your course requires, and when each is due, your instructor says.")
    lines, kept = [], True
    for line in GUIDE.read_text(encoding="utf-8").splitlines():
        only = ONLY.fullmatch(line)
        if only or line == "<!-- end -->":  # a part about one assignment: kept if any of its exercises is released
            kept = not only or any(e in released for e in ASSIGNMENTS[only[1]])
        elif kept and not (TABLE_ROW.match(line) and TABLE_ROW.match(line)[1] not in released):
            lines.append(line)
    guide = examples_of(released, "\n".join(lines))
    return ("# Neural networks with TensorFlow: your exercises\n\n"
            "Exercises after *Understanding Neural Networks with TensorFlow* (Pojunas, 2021) and the course's "
            f"other sources, with self-checks. This repository holds {len(held)} assignment(s), "
            f"{sum(len(e) for _, e in held)} exercises ({listed}). {required}\n\n" + guide + "\n")


GITIGNORE = "__pycache__/\n*.egg-info/\n/data/*.npz\n"


def files(released: tuple[str, ...] = EXERCISES) -> dict[str, str]:
    """Path in the release → its text, for the exercises released."""
    import tomllib

    from grader.course.workflow import starter_workflow

    left_out = {f"{name}.py" for name in EXERCISES if name not in released} | \
               {f"test_{name}.py" for name in EXERCISES if name not in released} | \
               ({"my_network.py"} if not {"mlp", "training"} <= set(released) else set())  # it trains their code
    out = {}
    for package in COPIED:
        for path in sorted((KIT / package).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix not in SKIPPED_SUFFIXES and \
                    not (package == "exercises" and path.name in left_out):
                out[str(path.relative_to(KIT))] = path.read_text(encoding="utf-8")
    kit = tomllib.loads((KIT / "pyproject.toml").read_text(encoding="utf-8"))
    markers = [m for m in kit["tool"]["pytest"]["ini_options"]["markers"] if not m.startswith("slow:")]
    out["pyproject.toml"] = PYPROJECT.format(markers="\n".join(f"    {json.dumps(m, ensure_ascii=False)}," for m in markers))
    out["README.md"] = readme(released)
    out[".gitignore"] = GITIGNORE
    out[".github/workflows/self-checks.yml"] = starter_workflow(released)
    return out


def write_release(target: Path, released: tuple[str, ...] = EXERCISES) -> Path:
    """Write the starter repository of the exercises released into target (which must not exist,
    or be empty)."""
    if target.exists() and any(target.iterdir()):
        raise FileExistsError(f"{target} is not empty")
    for name, text in files(released).items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return target

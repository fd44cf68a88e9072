"""The student distribution: a starter repository that holds no answer (`nn-kit release DIR`).

It holds the skeletons and the visible self-checks (exercises/), the MNIST loader (data/), a
pyproject.toml that installs only those two packages, a README made from docs/student-guide.md and
the GitHub Actions workflow of the self-checks. Nothing of solutions/, tests/ or grader/ goes in; a kit test proves it by content and by
installing the release in a fresh environment.
"""

import json
from pathlib import Path

from grader.catalogue import ASSIGNMENTS, KIT

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


def readme() -> str:
    """The starter's README: what it holds, then the student guide."""
    held = ", ".join(f"`{name}` ({len(exercises)} exercises: {', '.join(exercises)})" for name, exercises in ASSIGNMENTS.items())
    return ("# Neural networks with TensorFlow: your exercises\n\n"
            "Exercises after *Understanding Neural Networks with TensorFlow* (Pojunas, 2021) and the course's "
            f"other sources, with self-checks. This repository holds the assignments {held}.\n\n"
            + GUIDE.read_text(encoding="utf-8"))


GITIGNORE = "__pycache__/\n*.egg-info/\n/data/*.npz\n"


def files() -> dict[str, str]:
    """Path in the release → its text."""
    import tomllib

    from grader.course.workflow import starter_workflow

    out = {}
    for package in COPIED:
        for path in sorted((KIT / package).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix not in SKIPPED_SUFFIXES:
                out[str(path.relative_to(KIT))] = path.read_text(encoding="utf-8")
    kit = tomllib.loads((KIT / "pyproject.toml").read_text(encoding="utf-8"))
    markers = [m for m in kit["tool"]["pytest"]["ini_options"]["markers"] if not m.startswith("slow:")]
    out["pyproject.toml"] = PYPROJECT.format(markers="\n".join(f"    {json.dumps(m, ensure_ascii=False)}," for m in markers))
    out["README.md"] = readme()
    out[".gitignore"] = GITIGNORE
    out[".github/workflows/self-checks.yml"] = starter_workflow()
    return out


def write_release(target: Path) -> Path:
    """Write the starter repository into target (which must not exist, or be empty)."""
    if target.exists() and any(target.iterdir()):
        raise FileExistsError(f"{target} is not empty")
    for name, text in files().items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return target

"""The student distribution: a starter repository that holds no answer (`nn-kit release DIR`).

It holds the skeletons and the visible self-checks (exercises/), the MNIST loader (data/), a
pyproject.toml that installs only those two packages, a student README and the GitHub Classroom
workflow. Nothing of solutions/, tests/ or grader/ goes in; a kit test proves it by content and by
installing the release in a fresh environment.
"""

import json
from pathlib import Path

from grader.sandbox import KIT

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
README = '''# Neural networks with TensorFlow: your exercises

Six exercises after *Understanding Neural Networks with TensorFlow* (Pojunas, 2021): the perceptron
and logic gates, a two-layer network for XOR, gradient descent and backpropagation by hand, an MLP
trained on MNIST, k-fold cross-validation and `tf.function`.

## Set up

```bash
pip install -e .                      # TensorFlow, NumPy, pytest
python -m data.mnist --download       # MNIST, checked against its published hashes
```

(Without internet: `python -m data.mnist --from /path/to/mnist.npz`, a copy your instructor gives you.)

## Work and check yourself

Fill in the functions in `exercises/` in order: `perceptron.py`, `mlp.py`, `backprop.py`,
`training.py`, `evaluation.py`, `speed.py`. Every place to fill in raises
`NotImplementedError`, and its docstring says the math, the shapes and the dtypes. Then:

```bash
pytest                          # every self-check, with a progress table at the end
pytest -m backprop              # one exercise: perceptron, mlp, backprop, training, evaluation, speed
```

What the self-checks print:

- `NOT DONE`: the task still raises NotImplementedError (one line, no traceback);
- a wrong answer: the call, what was expected, what came back, and a hint toward the idea;
- `CRASH`: your code raised an error, with the line of your code it came from;
- `TIMEOUT`: a check ran longer than 20 s (`pytest --timeout N` changes the limit).

The `next:` line at the end says which task to work on. Your instructor grades with other, hidden
checks on other inputs: passing the self-checks is a good sign, not a guarantee.

## Working in notebooks instead

If your course hands out notebooks (`perceptron.ipynb` … `speed.ipynb`), keep all six in one folder
and open them with a kernel where this repository is installed (`pip install -e .` above). Each
notebook's *Check yourself* cell runs that exercise's self-checks on the code in the notebook; a
later notebook uses your earlier ones (save them first), never code from this repository.
*Validate* (or `nbgrader validate perceptron.ipynb`) runs every graded cell's task through its
self-checks and fails with their message until the task is right.

## Submit

Hand in the six files of `exercises/` (perceptron.py … speed.py) as your instructor asks: push
this repository, or upload a zip of the `exercises/` folder.

MNIST: Y. LeCun, C. Cortes, C. J. C. Burges; CC BY-SA 3.0.
'''
GITIGNORE = "__pycache__/\n*.egg-info/\n/data/*.npz\n"


def files() -> dict[str, str]:
    """Path in the release → its text."""
    import tomllib

    from grader.scale_out import classroom_workflow

    out = {}
    for package in COPIED:
        for path in sorted((KIT / package).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix not in SKIPPED_SUFFIXES:
                out[str(path.relative_to(KIT))] = path.read_text(encoding="utf-8")
    kit = tomllib.loads((KIT / "pyproject.toml").read_text(encoding="utf-8"))
    markers = [m for m in kit["tool"]["pytest"]["ini_options"]["markers"]]
    out["pyproject.toml"] = PYPROJECT.format(markers="\n".join(f"    {json.dumps(m, ensure_ascii=False)}," for m in markers))
    out["README.md"] = README
    out[".gitignore"] = GITIGNORE
    out[".github/workflows/classroom.yml"] = classroom_workflow()
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

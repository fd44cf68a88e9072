"""The starter repository students get (`nn-kit release`) holds no answer, installs on its own, and
a student who finishes it scores full marks."""

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from grader.catalogue import ASSIGNMENTS, CORE, EXERCISES, HIDDEN, KIT
from grader.course.release import write_release
from grader.isolation.staging import find
from grader.scoring.run import Options, grade_all
from tests.kit.conftest import UID
from tests.kit.course.test_generate import shared_fraction, solution_lines
from tests.kit.course.test_selfchecks import TASKS, progress

pytestmark = pytest.mark.slow  # grades, trains or starts other processes


def test_the_release_holds_no_answer_and_no_hidden_check(tmp_path):
    root = write_release(tmp_path / "starter")
    texts = {p.relative_to(root): p.read_text(encoding="utf-8") for p in root.rglob("*") if p.is_file()}
    assert not {part for path in texts for part in path.parts} & {"solutions", "tests", "grader", "hidden"}
    secret = solution_lines()
    for path, text in texts.items():
        assert not [line for line in secret if line in text], f"{path} holds solution code"
    everything = "\n".join(texts.values())
    for suite in sorted(HIDDEN.glob("test_*.py")):
        assert shared_fraction(suite, everything) < 0.3, f"{suite.name} reaches the release"
    assert "pytest exercises/ --task backprop.update" in texts[Path(".github/workflows/self-checks.yml")]
    assert 'notebooks = ["jupyter", "nbgrader' in texts[Path("pyproject.toml")]


def test_a_release_of_one_assignment_holds_and_asks_for_that_assignment_only(tmp_path):
    core, advanced = ASSIGNMENTS[CORE], [name for name in EXERCISES if name not in ASSIGNMENTS[CORE]]
    root = write_release(tmp_path / "starter", core)
    held = {p.name for p in (root / "exercises").glob("*.py")}
    assert {f"{name}.py" for name in core} | {f"test_{name}.py" for name in core} <= held
    assert not held & ({f"{name}.py" for name in advanced} | {f"test_{name}.py" for name in advanced})
    workflow = (root / ".github" / "workflows" / "self-checks.yml").read_text()
    assert "--task speed.compile_step" in workflow and "--task activations." not in workflow
    readme = (root / "README.md").read_text()
    assert "1 assignment(s), 6 exercises" in readme and "Hand in every one of its modules" in readme
    assert "`speed.py` |" in readme and "`keras_mlp.py` |" not in readme  # the table of exercises: those released
    assert "my_network" in readme and (root / "exercises" / "my_network.py").exists()
    # the advanced track alone: nothing sends its students to the core's modules, tools or commands
    root = write_release(tmp_path / "advanced", tuple(advanced))
    texts = "\n".join(p.read_text() for p in root.rglob("*") if p.is_file() and p.suffix in (".md", ".py", ".toml", ".yml"))
    assert not (root / "exercises" / "my_network.py").exists()
    for core_name in ("my_network", "nn-kit", "training.preprocess", "the core's", "perceptron.py", "speed.py", "<!--"):
        assert core_name not in texts, core_name
    readme = (root / "README.md").read_text()  # its examples are of the exercises released
    assert "perceptron" not in readme and "backprop" not in readme and "cost_partial" not in readme
    assert "pytest exercises/ -m activations" in readme and "--task activations.sigmoid" in readme
    assert "activations.sigmoid_prime (the sigmoid, not its derivative)" in readme and "data/mnist.npz" in readme


def fresh_environment(tmp_path: Path) -> Path:
    """A new virtual environment that sees the installed libraries (TensorFlow, pytest) but not the
    kit: the site-packages folder is added as a plain path, so the kit's editable-install hook in it
    is never run."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next(venv.glob("lib/python3*/site-packages"))
    (site / "libraries.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv / "bin" / "python"


@pytest.mark.timeout(900)
def test_a_fresh_environment_with_only_the_release(tmp_path):
    root = write_release(tmp_path / "starter")
    python = fresh_environment(tmp_path)
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                              "--no-build-isolation", "-e", str(root)], capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stderr[-2000:]
    env = {**os.environ, "KIT_MNIST": str(KIT / "data" / "mnist.npz"), "PYTHONPATH": ""}
    env.pop("KIT_TARGET", None)
    for package in ("solutions", "grader", "tests.hidden"):
        found = subprocess.run([str(python), "-c", f"import {package}"], cwd=tmp_path, env=env, capture_output=True)
        assert found.returncode != 0, f"{package} is importable from the student's environment"
    # every skeleton fails, with one not-done line per task and no traceback
    blank = subprocess.run([str(python), "-m", "pytest"], cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert blank.returncode == 1 and progress(blank.stdout) == {task: "NOT DONE" for task in TASKS}, blank.stdout[-2000:]
    collected = int(re.search(r"collected (\d+) items", blank.stdout).group(1))
    assert re.search(rf"=+ {collected} not done in ", blank.stdout), blank.stdout[-2000:]
    assert "Traceback" not in blank.stdout and "tensorflow/python" not in blank.stdout
    assert f"0 of {len(TASKS)} tasks pass" in blank.stdout and f"next: {TASKS[0]}" in blank.stdout
    for module in EXERCISES:  # the student finishes every exercise: every self-check passes
        shutil.copy(KIT / "solutions" / f"{module}.py", root / "exercises" / f"{module}.py")
    done = subprocess.run([str(python), "-m", "pytest"], cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and "every task passes" in done.stdout, done.stdout[-2000:]
    assert f"{len(TASKS)} of {len(TASKS)} tasks pass" in done.stdout and progress(done.stdout) == {t: "ok" for t in TASKS}
    [report] = grade_all(find([root]), Options(seed=5, worker_uid=UID))
    assert report["score"]["earned"] == 100, report["warnings"]

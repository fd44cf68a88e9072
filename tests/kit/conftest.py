"""Shared pieces of the kit's tests: a student's folder made from the skeletons and the solutions,
and one graded class (its fixtures run in the xdist group "graded-class": one worker builds them)."""

import csv
import shutil
from pathlib import Path

import pytest

from grader.catalogue import EXERCISES, KIT as ROOT
from grader.isolation.policy import default_worker_uid
from grader.isolation.staging import find
from grader.scoring.run import Options, grade_all
from tests.kit.corpora.mistakes import TAPED_BACKWARD

POSSIBLE = {"perceptron": 15, "mlp": 15, "backprop": 25, "training": 25, "evaluation": 10, "speed": 10}  # nn-tf
ADVANCED = {"activations": 25, "optimizers": 25, "softmax_network": 25, "keras_mlp": 25}  # nn-tf-advanced
UID = default_worker_uid()
GRADED_CLASS = pytest.mark.xdist_group("graded-class")  # the modules that use the graded class


def submission(tmp_path: Path, name: str, finished=(), edits=None, modules=EXERCISES) -> Path:
    """A student's folder: the skeletons of `modules`, with some taken from the solutions and edited."""
    folder = tmp_path / name
    folder.mkdir()
    for module in modules:
        source = ROOT / ("solutions" if module in finished else "exercises") / f"{module}.py"
        shutil.copy(source, folder)
    for module, (old, new) in (edits or {}).items():
        path = folder / f"{module}.py"
        assert old in path.read_text()
        path.write_text(path.read_text().replace(old, new))
    return folder


def scores(report: dict) -> dict:
    return {name: e["earned"] for name, e in report["exercises"].items()}


@pytest.fixture(scope="session")
def class_folder(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("class")
    shutil.copytree(ROOT / "solutions", tmp / "reference", ignore=shutil.ignore_patterns("__pycache__"))
    submission(tmp, "blank")
    submission(tmp, "partial", finished=("perceptron", "backprop"))
    # two of the core course alone: an advanced module that is missing costs its exercise only, at once
    submission(tmp, "off-by-zero", finished=EXERCISES, edits={"perceptron": ("a > 0 else", "a >= 0 else")},
               modules=tuple(POSSIBLE))
    submission(tmp, "syntax-error", finished=EXERCISES, edits={"perceptron": ("def step_fn", "def oops(:\n\n\ndef step_fn")})
    # a correct train that cannot run inside tf.function (the MNIST check's fast path must not cost it a
    # point), and a backward that asks tf.GradientTape instead of deriving by hand (loses backward's 5)
    submission(tmp, "eager-train-taped-backward", finished=EXERCISES, edits={
        "training": ("variable.assign_sub(learning_rate * gradient)",
                     "variable.assign(variable.numpy() - learning_rate * gradient.numpy())"),
        "backprop": ("    activations = [tf.convert_to_tensor(x)]\n", TAPED_BACKWARD)}, modules=tuple(POSSIBLE))
    return tmp


@pytest.fixture(scope="session")
def parallel(class_folder) -> list[dict]:
    return grade_all(find([class_folder]), Options(seed=1234, jobs=2, worker_uid=UID, exercises=EXERCISES))


def gradebook_rows(out: Path) -> dict:
    with open(out / "gradebook.csv", newline="") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}



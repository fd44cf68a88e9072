"""Gradescope: the bundle in Gradescope's own layout (setup.sh run, run_autograder, results.json),
faults of the set-up reported and never scored, and seeds that follow the assignment and students."""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from data import mnist
from grader import cli
from grader.catalogue import ASSIGNMENTS, KIT
from grader.integrations import gradescope
from tests.kit.conftest import submission

pytestmark = pytest.mark.slow  # grades, trains or starts other processes

ADVANCED = "nn-tf-advanced"


def gradescope_root(tmp_path: Path, bundle: Path) -> tuple[Path, dict]:
    """/autograder as Gradescope lays it out (in tmp_path): the bundle unzipped into source/, setup.sh
    run there, run_autograder copied to the root; and the environment that moves the root there."""
    root = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
    for script in ("setup.sh", "run_autograder"):  # zipfile drops the mode bits Gradescope's unzip keeps
        (root / "source" / script).chmod(0o755)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "PIP_NO_BUILD_ISOLATION": "0",  # (offline: build here)
           "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    env.pop("KIT_MNIST", None)
    setup = subprocess.run([str(root / "source" / "setup.sh")], cwd=tmp_path, env=env, capture_output=True, text=True,
                           timeout=900)
    assert setup.returncode == 0, setup.stdout[-2000:] + setup.stderr[-3000:]
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    return root, env


def gradescope_submission(root: Path, edits: dict, users=(7,)) -> Path:
    """The reference solutions, edited, in <root>/submission, and its submission_metadata.json."""
    shutil.rmtree(root / "submission", ignore_errors=True)
    shutil.copytree(KIT / "solutions", root / "submission", ignore=shutil.ignore_patterns("__pycache__"))
    for module, (old, new) in edits.items():
        path = root / "submission" / f"{module}.py"
        path.write_text(new + path.read_text() if old is None else path.read_text().replace(old, new))
    metadata = root / "submission_metadata.json"
    metadata.write_text(json.dumps({"assignment": {"id": 41}, "users": [{"id": u, "name": "Carol"} for u in users],
                                    "created_at": "2026-12-01T10:00:00.000000-08:00", "previous_submissions": []}))
    return metadata


@pytest.mark.timeout(900)
def test_gradescope_bundle_in_gradescopes_own_layout(tmp_path):
    """setup.sh run in <root>/source as Gradescope runs it, then run_autograder from <root> on a
    submission with a wrong step_fn and a module that hangs at import, on the advanced bundle, and
    with the autograder's MNIST gone (a fault of the set-up: reported, never scored)."""
    bundle = gradescope.build_bundle(tmp_path / "autograder.zip", with_data=True)
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
    assert {"setup.sh", "run_autograder", "pyproject.toml", "tests/hidden/test_mlp.py", "data/mnist.npz"} <= names
    assert not [n for n in names if n.startswith("source/")]
    assert "sys.version_info >= (3, 11)" in zipfile.ZipFile(bundle).read("setup.sh").decode()
    root, env = gradescope_root(tmp_path, bundle)
    metadata = gradescope_submission(root, {"perceptron": ("return 1.0 if a > 0 else 0.0", "return 1.0"),
                                            "speed": (None, "while True:\n    pass\n")})
    run = subprocess.run([str(root / "run_autograder")], cwd=root, env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-2000:]
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 87 and sum(t["max_score"] for t in results["tests"]) == 100  # 3 + speed's 10
    assert {"name", "score", "max_score", "output", "visibility"} <= set(results["tests"][0])
    hung = [t for t in results["tests"] if t["tags"] == ["speed"]]
    assert all(t["score"] == 0 and "while importing speed.py: no answer within 30 s" in t["output"] for t in hung)
    assert f"seed {gradescope.submission_seed(metadata)}" in results["output"]  # a resubmission: the same seed
    assert results["tests"][0]["name"].startswith(results["tests"][0]["tags"][0] + ": ")
    advanced = gradescope.build_bundle(tmp_path / "advanced.zip", assignment=ADVANCED)
    (root / "run_autograder").write_bytes(zipfile.ZipFile(advanced).read("run_autograder"))
    gradescope_submission(root, {})
    run = subprocess.run([str(root / "run_autograder")], cwd=root, env=env, capture_output=True, text=True, timeout=900)
    results = json.loads((root / "results" / "results.json").read_text())
    assert run.returncode == 0 and results["score"] == sum(t["max_score"] for t in results["tests"]) == 100, run.stderr
    assert {t["tags"][0] for t in results["tests"]} == set(ASSIGNMENTS[ADVANCED])
    (root / "source" / "data" / "mnist.npz").unlink()  # the set-up broke: nothing is scored
    run = subprocess.run([str(root / "run_autograder")], cwd=root, env=env, capture_output=True, text=True, timeout=900)
    results = json.loads((root / "results" / "results.json").read_text())
    assert run.returncode == 1 and "score" not in results and "Grading fault" in results["output"]


def test_a_setup_fault_on_gradescope_is_reported_not_scored(tmp_path, monkeypatch):
    monkeypatch.setenv("KIT_MNIST", str(tmp_path / "missing.npz"))
    monkeypatch.setattr(mnist, "SHARED_COPY", tmp_path / "also-missing.npz")
    results = tmp_path / "results.json"
    assert cli.main(["gradescope-run", str(submission(tmp_path, "carol")), str(results)]) == 1
    written = json.loads(results.read_text())
    assert "Grading fault" in written["output"] and "MNIST" in written["output"]
    assert "score" not in written and written["tests"] == []


def test_a_gradescope_seed_follows_the_assignment_and_the_students(tmp_path):
    def seed(assignment, *users):
        path = tmp_path / "submission_metadata.json"
        path.write_text(json.dumps({"assignment": {"id": assignment}, "users": [{"id": u} for u in users]}))
        return gradescope.submission_seed(path)

    assert seed(7, 1, 2) == seed(7, 2, 1)  # a resubmission (of a group, in any order): the same seed
    assert len({seed(7, 1, 2), seed(7, 3), seed(8, 1, 2)}) == 3 and 0 <= seed(7, 3) < 2**31
    (tmp_path / "broken.json").write_text("{")
    assert gradescope.submission_seed(tmp_path / "broken.json") is None
    assert gradescope.submission_seed(tmp_path / "absent.json") is None

"""Classroom 50's contract, offline: the bundle in the config repository's layout, run as its
runner runs an autograder.py (the student's checkout as the current folder, the runner's
environment), and the result.json it writes checked field by field against the runner's own
validation rules (foundation50/classroom50, runner.py `validate_result`)."""

import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from grader import cli
from grader.catalogue import KIT
from data.mnist import mnist_path
from grader.course.release import write_release

pytestmark = pytest.mark.slow  # grades

SLUG = "perceptron-and-xor"
# GitHub's runner user owns the checkout; the grader runs as root (sudo on the runner; as CI runs)
RUNNER_UID = 1001 if os.geteuid() == 0 else os.getuid()
ENV = {"CLASSROOM": "nn-fall", "ASSIGNMENT": SLUG, "SUBMISSION_TAG": "submit/20261206T101500Z-1a2b3c4",
       "GITHUB_REPOSITORY": "nn-org/nn-fall-perceptron-and-xor-jdoe", "GITHUB_SHA": "1a2b3c4d",
       "GITHUB_SERVER_URL": "https://github.com", "USERNAME": "jdoe", "OWNER": "jdoe", "ASSIGNMENT_TYPE": "individual",
       "COMMIT_URL": "https://github.com/nn-org/nn-fall-perceptron-and-xor-jdoe/commit/1a2b3c4d",
       "RELEASE_URL": "https://github.com/nn-org/nn-fall-perceptron-and-xor-jdoe/releases/tag/submit%2F20261206T101500Z-1a2b3c4",
       "REVIEW_URL": "https://github.com/nn-org/nn-fall-perceptron-and-xor-jdoe/compare/0f0f...1a2b3c4d"}


def contract_problem(data, classroom: str, assignment: str, owner: str) -> str | None:
    """What of the v1 contract a result.json breaks (None: nothing), as the runner checks it."""
    if not isinstance(data, dict) or data.get("schema") != "classroom50/result/v1":
        return "schema"
    if (data.get("classroom"), data.get("assignment"), data.get("owner"), data.get("assignment_type")) != \
            (classroom, assignment, owner, "individual"):
        return "identity"
    if not str(data.get("submission", "")).startswith("submit/"):
        return "submission"
    if not all(isinstance(data.get(key), str) and data[key] for key in ("commit", "release", "review", "datetime")):
        return "links or datetime"
    score, maximum = data.get("score"), data.get("max-score")
    if any(type(v) is not int or v < 0 for v in (score, maximum)) or score > maximum:
        return "score"
    for test in data.get("tests") if isinstance(data.get("tests"), list) else [None]:
        if not isinstance(test, dict) or not (isinstance(test.get("test-name"), str) and test["test-name"]):
            return "test-name"
        if type(test.get("passed")) is not bool or any(type(test.get(k)) is not int or test[k] < 0
                                                       for k in ("score", "max-score")):
            return "test fields"
        if test["score"] > test["max-score"] or any(ord(c) < 0x20 for c in test["test-name"]):
            return "test values"
    return None


def checkout(tmp_path: Path, name: str, solved: bool) -> Path:
    """A student's repository made from the starter, its perceptron.py and mlp.py solved; or not, and
    then shaped like a class folder (exercises/ renamed beside data/) with a result.json folder."""
    root = write_release(tmp_path / name)
    if solved:
        for module in ("perceptron", "mlp"):
            shutil.copy(KIT / "solutions" / f"{module}.py", root / "exercises" / f"{module}.py")
    else:
        (root / "exercises").rename(root / "src")
        (root / "result.json").mkdir()
    return root


def test_nothing_in_the_checkout_runs_before_grading(tmp_path):
    """A runner without the kit's dependencies installs them: neither that check nor pip may import
    from the student's checkout (here a pip/ and a numpy/ of the student's that leave a mark)."""
    bundle = tmp_path / "autograders"
    assert cli.main(["classroom50-bundle", str(bundle), "--slug", SLUG, "--exercises", "perceptron"]) == 0
    student = write_release(tmp_path / "mallory")
    for package in ("pip", "numpy"):
        (student / package).mkdir()
        (student / package / "__init__.py").write_text(f"open({str(tmp_path / 'ran')!r}, 'a').write('{package}')")
        (student / package / "__main__.py").write_text("")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "bare")], check=True)  # no numpy, no pip
    run = subprocess.run([str(tmp_path / "bare" / "bin" / "python"), str(bundle / SLUG / "autograder.py")], cwd=student,
                         env={**os.environ, **ENV, "CLASSROOM50_BUNDLE_DIR": str(bundle / SLUG), "PYTHONPATH": ""},
                         capture_output=True, text=True, timeout=300)
    assert run.returncode != 0 and not (tmp_path / "ran").exists(), run.stderr[-2000:]


def test_the_bundle_runs_as_classroom_50s_runner_runs_it(tmp_path, capsys):
    config = tmp_path / "classroom50" / ENV["CLASSROOM"] / "autograders"
    assert cli.main(["classroom50-bundle", str(config), "--slug", SLUG, "--exercises", "perceptron,mlp"]) == 0
    bundle = config / SLUG
    assert (bundle / "autograder.py").is_file() and (bundle / "nn-kit" / "pyproject.toml").is_file()
    assert not list(bundle.rglob("*.npz")) and not list(bundle.rglob("__pycache__"))
    with tarfile.open(tmp_path / f"{SLUG}.tar.gz", "w:gz") as archive:  # as publish-pages packs it
        archive.add(bundle, arcname=SLUG)
    assert (tmp_path / f"{SLUG}.tar.gz").stat().st_size < 10 * 2**20  # the runner's fetch limit

    for name, solved, expected in (("jdoe", True, 30), ("rroe", False, 0)):
        student = checkout(tmp_path, name, solved)
        if solved:  # (the other checkout holds a folder of that name)
            (student / "result.json").write_text(json.dumps({"score": 30}))  # committed by the student: never read
        for path in (student, *student.rglob("*")):  # the checkout is the runner user's (uid 1001 on GitHub)
            os.lchown(path, RUNNER_UID, RUNNER_UID)
        env = {**os.environ, **ENV, "OWNER": name, "USERNAME": name, "CLASSROOM50_BUNDLE_DIR": str(bundle),
               "KIT_MNIST": str(mnist_path()), "PYTHONPATH": ""}  # a runner with MNIST cached
        if not solved:  # a set-up fault (here: no bundle) is an error, never the student's own result.json
            broken = subprocess.run([sys.executable, str(bundle / "autograder.py")], cwd=student, capture_output=True,
                                    env={**env, "CLASSROOM50_BUNDLE_DIR": str(tmp_path / "nothing")}, timeout=120)
            assert broken.returncode != 0 and not (student / "result.json").exists()
        run = subprocess.run([sys.executable, str(bundle / "autograder.py")], cwd=student, env=env,
                             capture_output=True, text=True, timeout=900)
        assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
        assert f"graded by the kit at {bundle / 'nn-kit'}" in run.stdout  # the bundle's kit, not the checkout's
        data = json.loads((student / "result.json").read_text())
        assert all((student / name).stat().st_uid == RUNNER_UID for name in ("result.json", "release-body.md"))
        assert contract_problem(data, ENV["CLASSROOM"], SLUG, name) is None, data
        assert (data["score"], data["max-score"]) == (expected, 30)
        assert len(data["tests"]) > 10 and all(t["passed"] == solved for t in data["tests"])
        body = (student / "release-body.md").read_text()
        assert ("not implemented" in body) != solved and "tests/hidden" not in body

"""Notebooks as a student works in them: the released notebooks answered and checked in a real
kernel (the self-check cell, the grade cells, later notebooks importing earlier ones), and
nbgrader's Validate. Their course is generated only (no submissions, no autograde), so these run
on any worker beside the nbgrader round trip (test_nbgrader.py)."""

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from grader import cli
from grader.catalogue import ASSIGNMENTS, CORE as ASSIGNMENT
from tests.kit.integrations.test_nbgrader import (ADVANCED, SEED, answered, broken_step, nbgrader, outputs, read,
                                                  run_in_one_kernel)

pytestmark = pytest.mark.slow  # grades, trains or starts other processes


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """An nbgrader course with both assignments generated (source and release notebooks)."""
    root = tmp_path_factory.mktemp("courses") / "nn"
    assert cli.main(["nbgrader-course", str(root), "--seed", str(SEED)]) == 0
    for assignment in (ASSIGNMENT, ADVANCED):
        nbgrader(root, "generate_assignment", assignment, "--force")
    return root


@pytest.mark.timeout(900)
def test_a_notebook_student_finishes_every_notebook_with_the_self_checks(course, tmp_path):
    """The released notebooks answered, each checked with its self-check cell and its grade cells
    in a real kernel: the later exercises import the student's earlier notebooks, not the kit."""
    solved = {m: answered(read(course, "release", m, a), read(course, "source", m, a))
              for a in (ASSIGNMENT, ADVANCED) for m in ASSIGNMENTS[a]}
    hanging = broken_step(solved["perceptron"])
    for cell in hanging.cells:
        cell.source = cell.source.replace("    return 1.0\n", "    while True:\n        a = a * 1\n").replace(
            "self_check('perceptron', globals())", "self_check('perceptron', globals(), timeout=3)")
        if cell.metadata.get("nbgrader", {}).get("grade"):
            cell.source = "# not run here"
    for name, notebook in {**solved, "hanging": hanging}.items():
        nbformat.write(notebook, str(tmp_path / f"{name}.ipynb"))
    executed = run_in_one_kernel(tmp_path, [*solved, "hanging"])
    for module in solved:
        checked = outputs(executed[module], "self_check(")
        assert "every task passes: well done!" in checked, (module, checked[-1500:])
        errors = [o for c in executed[module].cells for o in c.get("outputs", []) if o.output_type == "error"]
        assert not errors and "ExitCode" not in outputs(executed[module]), (module, errors[:1])
    hang = outputs(executed["hanging"], "self_check(")
    assert "TIMEOUT perceptron.step_fn: stopped after 3 s of the time it could run" in hang, hang  # (and the clock's, if busy)
    assert "\n  in this notebook: while True:" in hang, hang
    assert "Thread" not in hang and "Traceback" not in hang and hang.count("TIMEOUT") == 1
    assert "next: perceptron.step_fn — in perceptron.ipynb: fix it" in hang
    blamed = tmp_path / "blamed"  # a task of mlp.ipynb fails because of perceptron.ipynb: that one is named
    blamed.mkdir()
    wrong = nbformat.from_dict(json.loads(json.dumps(solved["perceptron"])))
    for cell in wrong.cells:
        cell.source = cell.source.replace("tf.where(a > 0, tf.ones_like(a), tf.zeros_like(a))",
                                          "tf.where(a > 0, tf.zeros_like(a), tf.ones_like(a))")
    nbformat.write(wrong, str(blamed / "perceptron.ipynb"))
    nbformat.write(solved["mlp"], str(blamed / "mlp.ipynb"))
    told = outputs(run_in_one_kernel(blamed, ["mlp"])["mlp"], "self_check(")
    assert "mlp.xor_network  (uses perceptron.tf_step_fn, which fails: fix that first)" in told, told[-2000:]
    assert "next: perceptron.tf_step_fn — in perceptron.ipynb: fix it" in told, told[-2000:]


@pytest.mark.timeout(600)
def test_validate_fails_a_blank_or_wrong_notebook_and_passes_a_right_one(course, tmp_path):
    release, source = read(course, "release", "perceptron"), read(course, "source", "perceptron")
    verdicts = {}
    for name, notebook in (("blank", release), ("wrong", broken_step(answered(release, source))),
                           ("right", answered(release, source))):
        (tmp_path / name).mkdir()
        nbformat.write(notebook, str(tmp_path / name / "perceptron.ipynb"))
        run = subprocess.run(["nbgrader", "validate", "perceptron.ipynb"], cwd=tmp_path / name, capture_output=True,
                             text=True, timeout=300)
        verdicts[name] = run.stdout + run.stderr
        ours = subprocess.run([sys.executable, "-m", "exercises.notebook", "validate", "perceptron.ipynb"],
                              cwd=tmp_path / name, capture_output=True, text=True, timeout=300)
        assert ours.returncode == (0 if name == "right" else 1), ours.stdout[-2000:] + ours.stderr[-2000:]
    assert "Success! Your notebook passes all the tests." in verdicts["right"], verdicts["right"][-2000:]
    for name in ("blank", "wrong"):
        assert "VALIDATION FAILED" in verdicts[name] and "Success" not in verdicts[name], verdicts[name][-2000:]
    assert "perceptron.step_fn is not implemented" in verdicts["blank"] or "not done" in verdicts["blank"].lower()
    assert "called   step_fn(" in verdicts["wrong"] and "hint:" in verdicts["wrong"]
    for verdict in verdicts.values():  # the self-checks' message alone: no pytest residue, no trace into the kit
        for residue in ("deselected", "stopping after", "notebook.py", "Traceback", "WARNING:tensorflow"):
            assert residue not in verdict, verdict[-2000:]

"""The grading policy of a task's dependencies: `own` (the default: a task is graded with the
submission's own tasks it uses) and `reference` (a check that fails where a task it uses fails is
graded again, in a worker of its own, with the reference's functions of those), both graded as an
instructor grades a class."""

import json
from pathlib import Path

import pytest

from grader import cli
from grader.catalogue import SOLUTIONS, task_source
from grader.isolation.policy import IsolationUnavailable
from grader.scoring import run

pytestmark = pytest.mark.slow  # grades

SLIP = ("return tf.convert_to_tensor(value) - learning_rate", "return tf.convert_to_tensor(value) + learning_rate")
REFERENCE_LINE = SLIP[0]  # of the reference's update: it must reach no output
OWN_BUG = ("outputs.append(float(a * w))", "outputs.append(float(a * w) + 1.0)")  # descend's own mistake
BLANK = (SLIP[0], 'raise NotImplementedError("backprop.update is not implemented yet — thesis §The Simple Network")\n    return tf.convert_to_tensor(value) - learning_rate')
LEAK = ("    for _ in range(steps):\n        w = update(",
        "    import inspect\n    raise ValueError(inspect.getsource(update))\n    for _ in range(steps):\n        w = update(")


def submission(folder: Path, name: str, *changes) -> None:
    (folder / name).mkdir(parents=True)
    text = (SOLUTIONS / "backprop.py").read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text
        text = text.replace(old, new)
    (folder / name / "backprop.py").write_text(text, encoding="utf-8")


def graded(folder: Path, out: Path, policy: str) -> dict[str, dict]:
    code = cli.main(["grade", str(folder), "--out", str(out), "--seed", "3", "--exercises", "backprop", "--jobs", "2",
                     "--dependencies", policy])
    assert code == 0
    reports = {path.parent.name: json.loads(path.read_text()) for path in out.glob("*/report.json")}
    assert all(r["dependencies"] == policy for r in reports.values())
    return reports


def earned(report: dict) -> dict[str, int]:
    tasks = {}
    for test in report["tests"]:
        tasks[test["task"]] = tasks.get(test["task"], 0) + test["earned"]
    return tasks


def test_a_task_is_graded_with_its_own_dependencies_or_the_references(tmp_path, capsys):
    folder = tmp_path / "class"
    submission(folder, "slip", SLIP)  # update climbs the gradient; descend and descend_two are right
    submission(folder, "both", SLIP, OWN_BUG)  # and descend has a mistake of its own
    submission(folder, "leak", SLIP, LEAK)  # descend tries to show the update it is given
    submission(folder, "blank", BLANK)  # update left as the skeleton has it; descend and descend_two done
    own, reference = graded(folder, tmp_path / "own", "own"), graded(folder, tmp_path / "reference", "reference")
    full = {task: sum(t["points"] for t in own["slip"]["tests"] if t["task"] == task) for task in earned(own["slip"])}
    lost = {"backprop.update", "backprop.descend", "backprop.descend_two"}
    assert earned(own["slip"]) == {task: 0 if task in lost else points for task, points in full.items()}
    assert earned(reference["slip"]) == {**full, "backprop.update": 0}
    assert earned(reference["both"]) == {**full, "backprop.update": 0, "backprop.descend": 0}
    assert earned(reference["leak"]) == {**full, "backprop.update": 0, "backprop.descend": 0}
    assert earned(own["blank"]) == {task: 0 if task in lost else points for task, points in full.items()}
    assert earned(reference["blank"]) == {**full, "backprop.update": 0}  # a used task not done is no reason either
    assert {t["category"] for t in own["blank"]["tests"] if t["task"] == "backprop.descend"} == {"not implemented"}
    passed = [t for t in reference["slip"]["tests"] if t["task"] == "backprop.descend"]
    assert all(t["message"].startswith("passes with the reference's backprop.update in place of yours") for t in passed)
    for out in (tmp_path / "own", tmp_path / "reference"):  # the reference's code reaches no output
        texts = [path.read_text(errors="replace") for path in out.rglob("*") if path.is_file() and path.suffix != ".sqlite"]
        assert texts and not any(REFERENCE_LINE in text for text in texts)


def test_the_reference_policy_needs_workers_kept_apart(monkeypatch):
    class Landlocked:  # a machine that gives Landlock but no namespaces
        isolation = "confined: landlock: reads only Python, system libraries and its own files (without root: not root)"

        def __init__(self, *args, **kwargs):
            pass

        def close(self):
            pass

    class Namespaced(Landlocked):  # namespaces but no Landlock: the host's world-writable folders stay writable
        isolation = "confined: namespaces: no network, no System V IPC shared (without root: not root)"

    for level in (Landlocked, Namespaced):
        monkeypatch.setattr(run, "Sandbox", level)
        assert run.GradingRun.prepare(1, ("backprop",)).level == level.isolation
        with pytest.raises(IsolationUnavailable, match="needs both the namespaces and the Landlock layer"):
            run.GradingRun.prepare(1, ("backprop",), dependencies="reference")


def test_a_task_source_is_the_reference_function_alone():
    entry = task_source("mlp.MLP.from_sizes")
    assert entry["source"].lstrip().startswith("@classmethod\n") and "def __call__" not in entry["source"]
    assert REFERENCE_LINE in task_source("backprop.update")["source"]
    assert "def descend" not in task_source("backprop.update")["source"]

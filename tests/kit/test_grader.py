"""The grader: full marks for the solutions, zero for the skeletons, exact partial credit, and
the same scores for the same seed whether graded serially or in parallel. Broken and hostile
submissions are the red team's corpus (test_redteam.py)."""

import json
import os
import shutil
from pathlib import Path

import pytest

from grader import cli, grade, reports, skeleton
from grader.grade import Options
from grader.plugin import sign
from grader.submissions import find
from solutions import EXERCISES
from tests.kit.mistakes import TAPED_BACKWARD

pytestmark = pytest.mark.xdist_group("graded-class")  # one worker builds the module's fixtures under pytest -n

ROOT = grade.KIT
POSSIBLE = {"perceptron": 15, "mlp": 15, "backprop": 25, "training": 25, "evaluation": 10, "speed": 10}
UID = cli.DEFAULT_WORKER_UID if os.geteuid() == 0 else None


def submission(tmp_path: Path, name: str, finished=(), edits=None) -> Path:
    """A student's folder: the skeletons, with some modules taken from the solutions and edited."""
    folder = tmp_path / name
    folder.mkdir()
    for module in EXERCISES:
        source = ROOT / ("solutions" if module in finished else "exercises") / f"{module}.py"
        shutil.copy(source, folder)
    for module, (old, new) in (edits or {}).items():
        path = folder / f"{module}.py"
        assert old in path.read_text()
        path.write_text(path.read_text().replace(old, new))
    return folder


def scores(report: dict) -> dict:
    return {name: e["earned"] for name, e in report["exercises"].items()}


def test_the_rubric_sums_to_round_totals():
    assert grade.possible_points() == POSSIBLE
    assert sum(grade.possible_points().values()) == 100


def test_every_task_has_hidden_checks_and_every_check_one_task():
    tasks = [region.task for region in skeleton.all_regions()]
    assert {check["task"] for check in grade.rubric()} == set(tasks)
    assert sum(grade.task_points().values()) == 100 and list(grade.task_points()) == tasks


@pytest.fixture(scope="module")
def class_folder(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("class")
    shutil.copytree(ROOT / "solutions", tmp / "reference", ignore=shutil.ignore_patterns("__pycache__"))
    submission(tmp, "blank")
    submission(tmp, "partial", finished=("perceptron", "backprop"))
    submission(tmp, "off-by-zero", finished=EXERCISES, edits={"perceptron": ("a > 0 else", "a >= 0 else")})
    # a correct train that cannot run inside tf.function (the MNIST check's fast path must not cost it a
    # point), and a backward that asks tf.GradientTape instead of deriving by hand (loses backward's 5)
    submission(tmp, "eager-train-taped-backward", finished=EXERCISES, edits={
        "training": ("variable.assign_sub(learning_rate * gradient)",
                     "variable.assign(variable.numpy() - learning_rate * gradient.numpy())"),
        "backprop": ("    activations = [tf.convert_to_tensor(x)]\n", TAPED_BACKWARD)})
    return tmp


@pytest.fixture(scope="module")
def parallel(class_folder) -> list[dict]:
    return grade.grade_all(find([class_folder]), Options(seed=1234, jobs=2, worker_uid=UID))


@pytest.mark.timeout(900)
def test_full_marks_zero_and_exact_partial_credit(parallel):
    by_name = {r["student"]: r for r in parallel}
    assert scores(by_name["reference"]) == POSSIBLE
    assert scores(by_name["blank"]) == dict.fromkeys(EXERCISES, 0)
    assert {t["category"] for t in by_name["blank"]["tests"]} == {"not implemented"}
    assert scores(by_name["partial"]) == {**dict.fromkeys(EXERCISES, 0), "perceptron": 15, "backprop": 25}
    wrong = [t for t in by_name["off-by-zero"]["tests"] if t["earned"] == 0]
    assert [t["id"].split("::")[1] for t in wrong] == ["test_step_fn_values"]
    assert wrong[0]["category"] == "value" and "step_fn(0.0)" in wrong[0]["message"]
    assert by_name["off-by-zero"]["score"]["earned"] == 98
    other = by_name["eager-train-taped-backward"]
    assert scores(other)["training"] == POSSIBLE["training"] and scores(other)["backprop"] == POSSIBLE["backprop"] - 5
    assert {t["category"] for t in other["tests"] if "backward" in t["id"] and not t["earned"]} == {"not by hand"}


@pytest.mark.timeout(900)
def test_the_same_seed_gives_the_same_scores_serially(parallel, class_folder):
    names = ["off-by-zero", "partial"]
    serial = grade.grade_all(find([class_folder / name for name in names]), Options(seed=1234, jobs=1, worker_uid=UID))
    assert [[t["earned"] for t in r["tests"]] for r in serial] == \
        [[t["earned"] for t in r["tests"]] for r in parallel if r["student"] in names]


def test_a_report_records_seed_isolation_versions_and_timings(parallel):
    report = parallel[0]
    assert report["schema"] == "nn-kit-report/1" and report["seed"] == 1234
    assert report["isolation"].startswith(("user:", "confined:"))
    assert report["versions"]["tensorflow"] and report["seconds"] > 0
    assert len(report["tests"]) == len(grade.rubric())


def test_outputs_for_a_class(parallel, tmp_path):
    reports.write_all(parallel, tmp_path)
    rows = (tmp_path / "gradebook.csv").read_text().splitlines()
    assert rows[0] == "student,perceptron,mlp,backprop,training,evaluation,speed,total,percent,seed"
    assert "reference,15,15,25,25,10,10,100,100.0,1234" in rows
    results = json.loads((tmp_path / "partial" / "results.json").read_text())
    assert results["score"] == 40 and {"name", "score", "max_score", "output", "visibility"} <= set(results["tests"][0])
    assert "not implemented" in (tmp_path / "blank" / "feedback.md").read_text()
    assert json.loads((tmp_path / "class.json").read_text())["total"]["max"] == 100
    assert (tmp_path / "histogram.png").read_bytes()[:4] == b"\x89PNG"


def test_forged_or_unsigned_results_count_as_nothing(tmp_path):
    payload = {"tests": [{"id": "x", "earned": 100}]}
    path = tmp_path / "results.json"
    path.write_text(json.dumps(payload))
    assert grade._verified(path, "key") is None
    path.write_text(json.dumps({**payload, "signature": sign(payload, "other key")}))
    assert grade._verified(path, "key") is None
    path.write_text(json.dumps({**payload, "signature": sign(payload, "key")}))
    assert grade._verified(path, "key") == payload


@pytest.mark.timeout(600)
def test_the_command_line_grades_and_writes_reports(tmp_path, capsys):
    folder = submission(tmp_path, "blank")
    assert cli.main(["grade", str(folder), "--out", str(tmp_path / "out"), "--seed", "3"]) == 0
    assert json.loads((tmp_path / "out" / "blank" / "report.json").read_text())["score"]["earned"] == 0
    output = capsys.readouterr().out
    assert "blank" in output and "with seed 3" in output


@pytest.mark.parametrize("make, problem", [
    (lambda tmp: [str(tmp / "nowhere")], "does not exist"),
    (lambda tmp: [str(tmp)], "is an empty folder"),
    (lambda tmp: [str(submission(tmp, "alice").parent), "--out", str(tmp / "reports")], "lies inside"),
    (lambda tmp: [str(submission(tmp, "bob")), "--out", str(ROOT / "reports")], "inside the kit"),
    (lambda tmp: [str(submission(tmp, "dan")), "--out", "/dev/null/reports"],
     "is not a folder you can write to"),
])
def test_instructor_mistakes_are_refused_before_grading(tmp_path, capsys, make, problem):
    assert cli.main(["grade", *make(tmp_path)]) == 2
    assert problem in capsys.readouterr().err


def test_a_setup_fault_on_gradescope_is_reported_not_scored(tmp_path, monkeypatch):
    monkeypatch.setenv("KIT_MNIST", str(tmp_path / "missing.npz"))
    monkeypatch.setattr(cli, "SHARED_MNIST", tmp_path / "also-missing.npz")
    results = tmp_path / "results.json"
    assert cli.main(["gradescope-run", str(submission(tmp_path, "carol")), str(results)]) == 1
    written = json.loads(results.read_text())
    assert "Grading fault" in written["output"] and "MNIST" in written["output"]
    assert "score" not in written and written["tests"] == []


def test_progress_is_one_line_per_submission_on_a_terminal_only():
    class Terminal(list):
        def isatty(self):
            return True

        def write(self, text):
            self.append(text)

        def flush(self):
            pass

    report = {"student": "dora", "score": {"earned": 40, "possible": 100}, "seconds": 5.0}
    terminal, log = Terminal(), Terminal()
    log.isatty = lambda: False
    for stream in (terminal, log):
        progress = reports.progress_printer(2, 0.0, stream)
        progress(report)
        progress(report)
    lines = "".join(terminal).splitlines()
    assert lines[0].startswith("[1/2] dora: 40/100 in 5 s") and lines[1].startswith("[2/2]") and log == []

"""The grading run: the rubric, full marks for the solutions, zero for the skeletons, exact partial
credit, the same scores for the same seed whether graded serially or in parallel, signed results,
pooled grading processes. Broken and hostile submissions are the red team's (isolation/test_redteam.py)."""

import json

import jsonschema
import pytest

from grader.catalogue import ASSIGNMENTS, CORE, EXERCISES, HIDDEN, all_regions
from grader.gradebook.feedback import feedback
from grader.isolation.staging import find
from grader.scoring import rubric
from grader.scoring.plugin import sign
from grader.scoring.report import schema
from grader.scoring.run import Options, _verified, grade_all
from grader.scoring.slot import SLOTS
from tests.kit.conftest import ADVANCED, GRADED_CLASS, POSSIBLE, ROOT, UID, scores

pytestmark = GRADED_CLASS


def test_the_rubric_sums_to_round_totals():
    assert rubric.possible_points() == {**POSSIBLE, **ADVANCED}
    assert sum(POSSIBLE.values()) == 100 and list(POSSIBLE) == list(ASSIGNMENTS[CORE])
    assert list(ADVANCED) == list(ASSIGNMENTS["nn-tf-advanced"])


def test_every_task_has_hidden_checks_and_every_check_one_task():
    tasks = [region.task for region in all_regions()]
    assert {check["task"] for check in rubric.rubric()} == set(tasks)
    assert sum(rubric.task_points().values()) == sum(rubric.possible_points().values())
    assert list(rubric.task_points()) == tasks


class Collected:
    def pytest_collection_finish(self, session):
        self.ids = [item.nodeid for item in session.items]


def test_the_rubric_read_from_source_is_what_pytest_collects():
    collected = Collected()  # the plugin refuses (exit 4) a check whose points, task or exercise differ
    assert pytest.main([str(HIDDEN), "--collect-only", "-q", "-p", "no:cacheprovider", "--rootdir", str(ROOT)],
                       plugins=[collected]) == 0
    assert collected.ids == [check["id"] for check in rubric.rubric()]


@pytest.mark.parametrize("test", [
    "@pytest.mark.points(2)\ndef test_x(student): pass",  # no task
    "@pytest.mark.task('perceptron.step_fn')\ndef test_x(student): pass",  # no points
    "@pytest.mark.points(2)\n@pytest.mark.task('perceptron.step_fn')\n@pytest.mark.parametrize('n', range(3))\n"
    "def test_x(student, n): pass",  # parameters that cannot be read without running the module
    "@pytest.mark.points(2)\n@pytest.mark.task('perceptron.step_fn')\n@pytest.mark.skip\ndef test_x(student): pass",
])
def test_a_hidden_test_the_rubric_cannot_read_is_refused(tmp_path, test):
    path = tmp_path / "test_perceptron.py"
    path.write_text(f"import pytest\npytestmark = pytest.mark.perceptron\n\n{test}\n")
    with pytest.raises(rubric.RubricError, match="test_x"):
        rubric.checks_of(path)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_full_marks_zero_and_exact_partial_credit(parallel):
    by_name = {r["student"]: r for r in parallel}
    assert scores(by_name["reference"]) == {**POSSIBLE, **ADVANCED}  # both assignments at once
    assert scores(by_name["blank"]) == dict.fromkeys(EXERCISES, 0)
    assert {t["category"] for t in by_name["blank"]["tests"]} == {"not implemented"}
    assert scores(by_name["partial"]) == {**dict.fromkeys(EXERCISES, 0), "perceptron": 15, "backprop": 25}
    wrong = [t for t in by_name["off-by-zero"]["tests"] if t["earned"] == 0 and t["exercise"] in POSSIBLE]
    assert [t["id"].split("::")[1] for t in wrong] == ["test_step_fn_values"]
    assert wrong[0]["category"] == "value" and "step_fn(0.0)" in wrong[0]["message"]
    assert by_name["off-by-zero"]["score"]["earned"] == 98
    assert {t["category"] for t in by_name["off-by-zero"]["tests"] if t["exercise"] in ADVANCED} == {"missing"}
    broken = by_name["syntax-error"]
    assert scores(broken) == {**POSSIBLE, **ADVANCED, "perceptron": 0, "mlp": 0}
    assert {t["category"] for t in broken["tests"] if not t["earned"]} == {"crash"}
    text = feedback(broken)  # one entry per module that does not import, not one per check
    assert text.count("### ") == 2 and "perceptron.py does not import: SyntaxError" in text
    assert "mlp.py does not import" in text and "fix this error first" in text
    other = by_name["eager-train-taped-backward"]
    # a GradientTape in backward costs backward's checks (5 points), seen in its graph; no other task's
    assert scores(other)["training"] == POSSIBLE["training"] and scores(other)["backprop"] == POSSIBLE["backprop"] - 5
    lost = [t for t in other["tests"] if "backprop" in t["id"] and not t["earned"]]
    assert {t["task"] for t in lost} == {"backprop.backward"} and {t["category"] for t in lost} == {"not by hand"}
    assert "gradient_tape" in lost[0]["message"] or "Grad" in lost[0]["message"]
    numpy_in_graph = [t for t in other["tests"] if not t["earned"] and "speed" in t["id"]]  # .numpy() in tf.function
    assert {t["category"] for t in numpy_in_graph} == {"crash"} and "/submission/" not in numpy_in_graph[0]["message"]


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_same_seed_gives_the_same_scores_serially(parallel, class_folder):
    names = ["off-by-zero", "partial"]
    serial = grade_all(find([class_folder / name for name in names]),
                             Options(seed=1234, jobs=1, worker_uid=UID, exercises=EXERCISES))
    assert [[t["earned"] for t in r["tests"]] for r in serial] == \
        [[t["earned"] for t in r["tests"]] for r in parallel if r["student"] in names]


@pytest.mark.slow
def test_a_report_records_seed_isolation_versions_and_timings(parallel):
    for report in parallel:  # the schema written in docs/ is the reports' own
        jsonschema.validate(report, schema())
    assert json.loads((ROOT / "docs" / "report.schema.json").read_text()) == schema(), \
        "run `python -m grader.scoring.report > docs/report.schema.json`"
    report = parallel[0]
    assert report["schema"] == "nn-kit-report/1" and report["seed"] == 1234
    assert report["isolation"].startswith(("user:", "confined:"))
    assert report["versions"]["tensorflow"] and report["seconds"] > 0
    assert len(report["tests"]) == len(rubric.rubric())


def test_forged_or_unsigned_results_count_as_nothing(tmp_path):
    payload = {"tests": [{"id": "x", "earned": 100}]}
    path = tmp_path / "results.json"
    path.write_text(json.dumps(payload))
    assert _verified(path, "key") is None
    path.write_text(json.dumps({**payload, "signature": sign(payload, "other key")}))
    assert _verified(path, "key") is None
    path.write_text(json.dumps({**payload, "signature": sign(payload, "key")}))
    assert _verified(path, "key") == payload


@pytest.mark.slow
def test_a_pooled_slot_serves_only_gradings_in_the_environment_it_started_in(monkeypatch):
    slot = SLOTS.take()
    SLOTS.give_back(slot)
    assert SLOTS.take() is slot  # the next grading of this process starts warm
    SLOTS.give_back(slot)
    monkeypatch.setenv("KIT_MNIST", "/elsewhere/mnist.npz")  # e.g. an instructor's other data
    other = SLOTS.take()
    assert other is not slot and not slot.alive and other.environment["KIT_MNIST"] == "/elsewhere/mnist.npz"
    other.close()



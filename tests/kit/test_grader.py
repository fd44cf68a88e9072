"""The grader: full marks for the solutions, zero for the skeletons, exact partial credit, and
the same scores for the same seed whether graded serially or in parallel. Broken and hostile
submissions are the red team's corpus (test_redteam.py)."""

import csv
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from grader import cli, course, grade, gradebook, reports, rubric, scale_out, skeleton
from grader.grade import Options
from grader.plugin import sign
from grader.submissions import find
from solutions import EXERCISES
from tests.kit.mistakes import TAPED_BACKWARD

pytestmark = pytest.mark.xdist_group("graded-class")  # one worker builds the module's fixtures under pytest -n

ROOT = grade.KIT
POSSIBLE = {"perceptron": 15, "mlp": 15, "backprop": 25, "training": 25, "evaluation": 10, "speed": 10}  # nn-tf
ADVANCED = {"activations": 25, "optimizers": 25, "softmax_network": 25, "keras_mlp": 25}  # nn-tf-advanced
UID = cli.DEFAULT_WORKER_UID if os.geteuid() == 0 else None


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


def test_the_rubric_sums_to_round_totals():
    assert rubric.possible_points() == {**POSSIBLE, **ADVANCED}
    assert sum(POSSIBLE.values()) == 100 and list(POSSIBLE) == list(course.ASSIGNMENTS[course.CORE])
    assert list(ADVANCED) == list(course.ASSIGNMENTS["nn-tf-advanced"])


def test_every_task_has_hidden_checks_and_every_check_one_task():
    tasks = [region.task for region in skeleton.all_regions()]
    assert {check["task"] for check in rubric.rubric()} == set(tasks)
    assert sum(rubric.task_points().values()) == sum(rubric.possible_points().values())
    assert list(rubric.task_points()) == tasks


class Collected:
    def pytest_collection_finish(self, session):
        self.ids = [item.nodeid for item in session.items]


def test_the_rubric_read_from_source_is_what_pytest_collects():
    collected = Collected()  # the plugin refuses (exit 4) a check whose points, task or exercise differ
    assert pytest.main([str(rubric.HIDDEN), "--collect-only", "-q", "-p", "no:cacheprovider", "--rootdir", str(ROOT)],
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


@pytest.fixture(scope="module")
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


@pytest.fixture(scope="module")
def parallel(class_folder) -> list[dict]:
    return grade.grade_all(find([class_folder]), Options(seed=1234, jobs=2, worker_uid=UID, exercises=EXERCISES))


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
    feedback = reports.feedback(broken)  # one entry per module that does not import, not one per check
    assert feedback.count("### ") == 2 and "perceptron.py does not import: SyntaxError" in feedback
    assert "mlp.py does not import" in feedback and "fix this error first" in feedback
    other = by_name["eager-train-taped-backward"]
    # a GradientTape anywhere in backprop.py costs every by-hand check (17 points), named at its line
    assert scores(other)["training"] == POSSIBLE["training"] and scores(other)["backprop"] == POSSIBLE["backprop"] - 17
    assert {t["category"] for t in other["tests"] if "backprop" in t["id"] and not t["earned"]} == {"not by hand"}
    numpy_in_graph = [t for t in other["tests"] if not t["earned"] and "speed" in t["id"]]  # .numpy() in tf.function
    assert {t["category"] for t in numpy_in_graph} == {"crash"} and "/submission/" not in numpy_in_graph[0]["message"]


@pytest.mark.timeout(900)
def test_the_same_seed_gives_the_same_scores_serially(parallel, class_folder):
    names = ["off-by-zero", "partial"]
    serial = grade.grade_all(find([class_folder / name for name in names]),
                             Options(seed=1234, jobs=1, worker_uid=UID, exercises=EXERCISES))
    assert [[t["earned"] for t in r["tests"]] for r in serial] == \
        [[t["earned"] for t in r["tests"]] for r in parallel if r["student"] in names]


def test_a_report_records_seed_isolation_versions_and_timings(parallel):
    report = parallel[0]
    assert report["schema"] == "nn-kit-report/1" and report["seed"] == 1234
    assert report["isolation"].startswith(("user:", "confined:"))
    assert report["versions"]["tensorflow"] and report["seconds"] > 0
    assert len(report["tests"]) == len(rubric.rubric())


def gradebook_rows(out: Path) -> dict:
    with open(out / "gradebook.csv", newline="") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def test_outputs_for_a_class(parallel, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("Name,Login\nR,reference\nB,blank\nD,dave\n")
    reports.write_all(parallel, tmp_path, gradebook.read_roster(roster))
    rows = gradebook_rows(tmp_path)
    full = {**POSSIBLE, **ADVANCED}  # both assignments, graded together
    assert list(rows["reference"].values())[:len(full) + 5] == [
        "reference", *map(str, full.values()), str(sum(full.values())), str(sum(full.values())), "100.0", "1234"]
    assert rows["reference"]["status"] == "graded" and rows["partial"]["status"] == "graded; not on the roster"
    assert rows["dave"]["status"] == "no submission" and rows["dave"]["total"] == ""
    results = json.loads((tmp_path / "partial" / "results.json").read_text())
    assert results["score"] == 40 and {"name", "score", "max_score", "output", "visibility"} <= set(results["tests"][0])
    assert "not implemented" in (tmp_path / "blank" / "feedback.md").read_text()
    stats = json.loads((tmp_path / "class.json").read_text())
    assert stats["total"]["max"] == sum(POSSIBLE.values()) + sum(ADVANCED.values()) and stats["missing"] == ["dave"] and stats["students"] == len(parallel)
    for chart in ("histogram.png", "checks.png"):
        assert (tmp_path / chart).read_bytes()[:4] == b"\x89PNG"
    with open(tmp_path / "checks.csv", newline="") as handle:
        checks = {row["check"]: row for row in csv.DictReader(handle)}
    assert len(checks) == len(rubric.rubric())
    step = checks["test_step_fn_values"]  # failed by off-by-zero and syntax-error; blank did not try it
    assert (step["task"], step["passed"], step["failed"]) == ("perceptron.step_fn", "3", "2")
    assert step["top_category"] in ("value", "crash") and step["top_message"]
    assert float(checks["test_backward_matches_gradient_tape_float64"]["pass_rate"]) == pytest.approx(4 / 5, abs=1e-3)


def test_a_regrade_replaces_the_students_row_and_keeps_the_history(parallel, tmp_path):
    reports.write_all(parallel, tmp_path)
    partial = next(r for r in parallel if r["student"] == "partial")
    regraded = {**partial, "seed": 99, "score": {**partial["score"], "earned": 55},
                "exercises": {**partial["exercises"], "mlp": {"earned": 15, "possible": 15}}}
    reports.write_all([regraded], tmp_path)
    rows = gradebook_rows(tmp_path)
    assert set(rows) == {r["student"] for r in parallel}
    assert (rows["partial"]["total"], rows["partial"]["mlp"], rows["partial"]["seed"]) == ("55", "15", "99")
    assert rows["reference"]["total"] == str(sum(POSSIBLE.values()) + sum(ADVANCED.values()))
    assert json.loads((tmp_path / "class.json").read_text())["gradings"] == len(parallel) + 1
    assert [g["earned"] for g in gradebook.history(tmp_path) if g["student"] == "partial"] == [40, 55]


def test_feedback_groups_one_cause_in_course_order_without_grader_internals(parallel):
    reference = next(r for r in parallel if r["student"] == "reference")
    broken = "perceptron.py raised SyntaxError: invalid syntax (line 3)"
    tests = [{**t, "earned": 0, "category": "crash", "message": broken} if t["exercise"] == "perceptron"
             else {**t, "earned": 0, "category": "value", "message": "speed.tf_step_fn (wrong value)"}
             if t["exercise"] == "speed" else t for t in reversed(reference["tests"])]
    text = reports.feedback({**reference, "tests": tests})
    assert text.count(broken) == text.count("speed.tf_step_fn") == 1
    assert text.index(broken) < text.index("speed.tf_step_fn")
    assert "isolation" not in text and "uid" not in text and str(ROOT) not in text


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
def test_the_command_line_grades_a_class_then_regrades_one(tmp_path, capsys):
    folder, out = tmp_path / "class", tmp_path / "out"
    folder.mkdir()
    for name in ("amy", "ben"):
        submission(folder, name)
    (tmp_path / "roster.csv").write_text("student\nAmy\nben\ncy\n")  # a roster's case need not match the folders'
    assert cli.main(["grade", str(folder), "--out", str(out), "--seed", "3", "--roster", str(tmp_path / "roster.csv")]) == 0
    assert json.loads((out / "amy" / "report.json").read_text())["score"]["earned"] == 0
    output = capsys.readouterr().out
    assert "amy" in output and "with seed 3" in output and "1 of 3 student(s) submitted nothing: cy" in output
    assert cli.main(["grade", str(folder / "ben"), "--out", str(out)]) == 0  # a regrade keeps the class's seed
    assert "seed 3: the class's" in capsys.readouterr().out
    rows = gradebook_rows(out)
    assert (rows["amy"]["seed"], rows["ben"]["seed"], rows["cy"]["status"]) == ("3", "3", "no submission")
    assert rows["amy"]["status"] == "graded" and rows["amy"]["possible"] == "100"
    assert [g["student"] for g in gradebook.history(out)] == ["amy", "ben", "ben"]
    # a grading of other exercises would overwrite the class's full grades: refused before grading
    assert cli.main(["grade", str(folder / "ben"), "--out", str(out), "--exercises", "mlp"]) == 2
    assert "one gradebook per assignment" in capsys.readouterr().err


@pytest.mark.parametrize("make, problem", [
    (lambda tmp: [str(tmp / "nowhere")], "does not exist"),
    (lambda tmp: [str(tmp)], "is an empty folder"),
    (lambda tmp: [str(submission(tmp, "alice").parent), "--out", str(tmp / "reports")], "lies inside"),
    (lambda tmp: [str(submission(tmp, "bob")), "--out", str(ROOT / "reports")], "inside the kit"),
    (lambda tmp: [str(submission(tmp, "dan")), "--out", "/dev/null/reports"],
     "is not a folder you can write to"),
    (lambda tmp: [str(submission(tmp, "eve")), "--exercises", "perceptron,mpl"], "--exercises: unknown mpl;"),
    (lambda tmp: [str(submission(tmp, "fay") / "perceptron.py")], "is a file: give a student's folder or .zip"),
    (lambda tmp: [str(submission(tmp, "gus")), "--jobs", "0"], "grade at least one submission at a time"),
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


def test_a_gradescope_seed_follows_the_assignment_and_the_students(tmp_path):
    def seed(assignment, *users):
        path = tmp_path / "submission_metadata.json"
        path.write_text(json.dumps({"assignment": {"id": assignment}, "users": [{"id": u} for u in users]}))
        return scale_out.submission_seed(path)

    assert seed(7, 1, 2) == seed(7, 2, 1)  # a resubmission (of a group, in any order): the same seed
    assert len({seed(7, 1, 2), seed(7, 3), seed(8, 1, 2)}) == 3 and 0 <= seed(7, 3) < 2**31
    (tmp_path / "broken.json").write_text("{")
    assert scale_out.submission_seed(tmp_path / "broken.json") is None
    assert scale_out.submission_seed(tmp_path / "absent.json") is None


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


def test_a_pooled_slot_serves_only_gradings_in_the_environment_it_started_in(monkeypatch):
    slot = grade.Slot.take()
    slot.give_back()
    assert grade.Slot.take() is slot  # the next grading of this process starts warm
    slot.give_back()
    monkeypatch.setenv("KIT_MNIST", "/elsewhere/mnist.npz")  # e.g. an instructor's other data
    other = grade.Slot.take()
    assert other is not slot and not slot.alive and other.environment["KIT_MNIST"] == "/elsewhere/mnist.npz"
    other.close()


@pytest.mark.timeout(600)
def test_no_file_of_one_submission_stops_the_class_or_reaches_an_output_unescaped(tmp_path, capsys):
    """Odd names and archives are graded (or set aside as needing attention) one by one; the honest
    submission beside them scores as alone, and nothing a student named reaches the console, a CSV
    cell or Markdown as anything but text."""
    folder, out = tmp_path / "class", tmp_path / "out"
    folder.mkdir()
    honest = submission(folder, "honest", finished=EXERCISES)
    os.mkdir(os.fsencode(folder) + b"/caf\xe9\x1b[2J")  # not UTF-8, with a terminal escape
    shutil.copy(honest / "perceptron.py", os.fsencode(folder) + b"/caf\xe9\x1b[2J/perceptron.py")
    shutil.copytree(honest, folder / "gradebook.csv")  # named as one of the class's outputs
    shutil.copytree(honest, folder / "=HYPERLINK(1)")  # a formula, as a folder's name
    with zipfile.ZipFile(folder / "zed.zip", "w") as archive:  # a member named NUL, one named like a formula
        member = zipfile.ZipInfo("x")
        member.filename = "\0"
        archive.writestr(member, "nothing")
        archive.writestr("perceptron.py", (honest / "perceptron.py").read_text())
        archive.writestr("exercises/perceptron.py", "x = 1")
    (folder / "empty").mkdir()  # nothing gradable: needs attention, not a graded zero
    (folder / "advanced").mkdir()  # holds none of the exercises graded: the wrong --assignment?
    shutil.copy(honest / "activations.py", folder / "advanced")
    (folder / "broken.zip").write_bytes(b"PK\x03\x04 not a zip")
    assert cli.main(["grade", str(folder), "--out", str(out), "--seed", "5", "--exercises", "perceptron"]) == 4
    console = capsys.readouterr()
    assert "\x1b" not in console.out + console.err and "caf\ufffd\\x1b[2J" in console.out
    rows = gradebook_rows(out)
    graded = {name: row for name, row in rows.items() if row["status"] == "graded"}
    assert {row["total"] for row in graded.values()} == {"15"} and len(graded) == 5
    attention = {name: row["status"] for name, row in rows.items() if name not in graded}
    assert set(attention) == {"empty", "advanced", "broken"} and all(s.startswith("needs attention: ") for s in
                                                                   attention.values())
    assert "wrong --assignment" in attention["advanced"] and "not a readable zip" in attention["broken"]
    assert "'=HYPERLINK(1)" in rows and "gradebook.csv" not in rows  # a formula is text; outputs keep their names
    stats = json.loads((out / "class.json").read_text())
    assert stats["students"] == 5 and sorted(stats["needs_attention"]) == ["advanced", "broken", "empty"]
    with open(out / "checks.csv", newline="") as handle:
        assert {row["passed"] for row in csv.DictReader(handle)} == {"5"}
    assert "\\\\x1b" in (out / "caf\ufffd\\x1b[2J" / "feedback.md").read_text()  # Markdown shows it as text

"""The class's outputs: reports, feedback, the gradebook and its history, statistics, per-check
analytics and what the console prints."""

import csv
import json

import pytest

from grader.gradebook import console, exports, feedback, store
from grader.scoring import rubric
from tests.kit.conftest import ADVANCED, GRADED_CLASS, POSSIBLE, ROOT, gradebook_rows

pytestmark = GRADED_CLASS


@pytest.mark.slow
def test_outputs_for_a_class(parallel, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("Name,Login\nR,reference\nB,blank\nD,dave\n")
    exports.write_all(parallel, tmp_path, store.read_roster(roster))
    rows = gradebook_rows(tmp_path)
    full = {**POSSIBLE, **ADVANCED}  # both assignments, graded together
    assert list(rows["reference"].values())[:len(full) + 8] == [
        "reference", "R", "", "", *map(str, full.values()), str(sum(full.values())), str(sum(full.values())), "100.0",
        "1234"]
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


@pytest.mark.slow
def test_a_regrade_replaces_the_students_row_and_keeps_the_history(parallel, tmp_path):
    exports.write_all(parallel, tmp_path)
    partial = next(r for r in parallel if r["student"] == "partial")
    regraded = {**partial, "seed": 99, "score": {**partial["score"], "earned": 55},
                "exercises": {**partial["exercises"], "mlp": {"earned": 15, "possible": 15}}}
    exports.write_all([regraded], tmp_path)
    rows = gradebook_rows(tmp_path)
    assert set(rows) == {r["student"] for r in parallel}
    assert (rows["partial"]["total"], rows["partial"]["mlp"], rows["partial"]["seed"]) == ("55", "15", "99")
    assert rows["reference"]["total"] == str(sum(POSSIBLE.values()) + sum(ADVANCED.values()))
    assert json.loads((tmp_path / "class.json").read_text())["gradings"] == len(parallel) + 1
    assert [g["earned"] for g in store.history(tmp_path) if g["student"] == "partial"] == [40, 55]


@pytest.mark.slow
def test_feedback_groups_one_cause_in_course_order_without_grader_internals(parallel):
    reference = next(r for r in parallel if r["student"] == "reference")
    broken = "perceptron.py raised SyntaxError: invalid syntax (line 3)"
    tests = [{**t, "earned": 0, "category": "crash", "message": broken} if t["exercise"] == "perceptron"
             else {**t, "earned": 0, "category": "value", "message": "speed.tf_step_fn (wrong value)"}
             if t["exercise"] == "speed" else t for t in reversed(reference["tests"])]
    text = feedback.feedback({**reference, "tests": tests})
    assert text.count(broken) == text.count("speed.tf_step_fn") == 1
    assert text.index(broken) < text.index("speed.tf_step_fn")
    assert "isolation" not in text and "uid" not in text and str(ROOT) not in text


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
        progress = console.progress_printer(2, 0.0, stream)
        progress(report)
        progress(report)
    lines = "".join(terminal).splitlines()
    assert lines[0].startswith("[1/2] dora: 40/100 in 5 s") and lines[1].startswith("[2/2]") and log == []




@pytest.mark.slow
def test_an_override_is_kept_across_regrades_and_shown_in_the_history(parallel, tmp_path, capsys):
    from grader import cli

    exports.write_all(parallel, tmp_path)
    partial = next(r for r in parallel if r["student"] == "partial")
    lost = next(t for t in partial["tests"] if t["earned"] < t["points"])
    name, out = lost["id"].split("::")[-1], str(tmp_path)
    assert cli.main(["override", "partial", name, str(lost["points"] + 1), "--out", out]) == 2  # above the check's points
    assert cli.main(["override", "partial", "test_no_such_check", "1", "--out", out]) == 2
    assert cli.main(["override", "partial", name, str(lost["points"]), "--comment", "=HYPERLINK(x) re-marked", "--out", out]) == 0
    raised = partial["score"]["earned"] + lost["points"]
    assert gradebook_rows(tmp_path)["partial"]["total"] == str(raised)
    report = json.loads((tmp_path / "partial" / "report.json").read_text())
    assert report["score"]["earned"] == raised and "re-marked" in feedback.feedback(report) + json.dumps(report)
    assert f"{name} ({lost['points']} / {lost['points']})" in feedback.feedback(report)  # the points it now earns
    exports.write_all([{**partial, "seed": 7}], tmp_path)  # a regrade: the override still counts
    assert gradebook_rows(tmp_path)["partial"]["total"] == str(raised)
    assert json.loads((tmp_path / "partial" / "report.json").read_text())["score"]["earned"] == raised
    capsys.readouterr()
    assert cli.main(["history", "PARTIAL", "--out", out]) == 0  # named in another case
    shown = capsys.readouterr().out
    assert "2 grading(s)" in shown and f"override {name}: {lost['points']:g} points" in shown
    assert shown.index(" override ") < shown.index("seed 7")  # one timeline: the override before the regrade
    assert cli.main(["history", "nobody", "--out", out]) == 2 and "the students: " in capsys.readouterr().err
    assert cli.main(["override", "partial", name, "--remove", "--out", out]) == 0
    assert gradebook_rows(tmp_path)["partial"]["total"] == str(partial["score"]["earned"])
    assert [g["earned"] for g in store.history(tmp_path) if g["student"] == "partial"] == [partial["score"]["earned"]] * 2

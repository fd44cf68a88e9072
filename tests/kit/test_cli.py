"""The command line: an instructor's class graded and regraded, mistakes refused before anything
runs, and no file of one submission stopping the class or reaching an output unescaped."""

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

from grader import cli
from grader.catalogue import EXERCISES
from grader.gradebook import store
from tests.kit.conftest import ROOT, gradebook_rows, submission


@pytest.mark.slow
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
    assert [g["student"] for g in store.history(out)] == ["amy", "ben", "ben"]
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


@pytest.mark.slow
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


def descendants(pid: int) -> set[int]:
    """Every process below pid, now."""
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_class_keeps_what_was_graded_leaves_nothing_behind_and_continues(tmp_path, number):
    folder, out = tmp_path / "class", tmp_path / "out"
    folder.mkdir()
    for name in "abcdef":  # c hangs until its calls' time limit: the interrupt comes while it is graded, however busy
        submission(folder, name, finished=("perceptron",), edits={"perceptron": (
            "return 1.0 if a > 0 else 0.0", "while True:\n        a = a * 1")} if name == "c" else None)
    scratch = Path(tempfile.mkdtemp(prefix="nnkit-interrupted-"))  # the run's temporary files, all of them
    scratch.chmod(0o711)
    command = [sys.executable, "-m", "grader", "grade", str(folder), "--out", str(out), "--seed", "4",
               "--exercises", "perceptron", "--call-timeout", "3"]
    env = {**os.environ, "TMPDIR": str(scratch)}
    try:
        run = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 600
        while len(list(out.glob("*/report.json"))) < 2 and time.monotonic() < deadline and run.poll() is None:
            time.sleep(0.1)
        started = descendants(run.pid)  # the grading processes, their zygotes and workers
        run.send_signal(number)
        said, err = run.communicate(timeout=120)
        graded = {path.parent.name for path in out.glob("*/report.json")}
        assert run.returncode == 128 + number and 2 <= len(graded) < 6, \
            f"exit {run.returncode}, {sorted(graded)} graded\n{said[-1500:]}\n{err[-1500:]}"
        assert f"{len(graded)} of 6 submission(s) graded and kept" in err and "run the same command again" in err
        assert set(gradebook_rows(out)) == graded and all(r["status"] == "graded" for r in gradebook_rows(out).values())
        time.sleep(2)
        assert not [pid for pid in started if Path(f"/proc/{pid}").exists()], "processes outlived the run"
        assert list(scratch.iterdir()) == [], "staged files outlived the run"
        again = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
        assert again.returncode == 0 and f"{len(graded)} submission(s) already graded" in again.stdout, again.stderr
        assert set(gradebook_rows(out)) == set("abcdef") and len(store.history(out)) == 6
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

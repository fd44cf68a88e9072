"""LMS downloads and exports in their real shapes: Canvas's "Download Submissions" flat files (late
flag, resubmissions, a zip), Moodle's per-student folders (the student's own zip inside),
Blackboard's attempts; rosters as Canvas and Moodle export them; the CSVs Canvas and Moodle import."""

import csv
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest

from grader import cli
from grader.catalogue import KIT
from grader.gradebook import store
from grader.isolation.staging import find, stage
from tests.kit.conftest import gradebook_rows

SOLVED, SKELETON = KIT / "solutions" / "perceptron.py", KIT / "exercises" / "perceptron.py"
OFF_BY_ZERO = SOLVED.read_text().replace("a > 0 else", "a >= 0 else")
CANVAS_ROSTER = """Student,ID,SIS User ID,SIS Login ID,Section,Neural networks (4821)
    Points Possible,,,,,100
"Doe, Jane",12345,S001,jdoe,Sec 1,
"Smith, Bob",23456,S002,bsmith,Sec 1,
"Lee, Ann",34567,S003,alee,Sec 2,
"Kim, Sam",45678,S004,skim,Sec 2,
"Park, Lou",56789,S005,lpark,Sec 2,
"Student, Test",99999,,,,
"""
MOODLE_ROSTER = """First name,Last name,Username,Email address
Jane,Roe,jroe,jroe@uni.example
Tom,Poe,tpoe,tpoe@uni.example
Kim,Doe,kdoe,kdoe@uni.example
"""


def canvas_download(folder: Path) -> Path:
    """Jane resubmitted (the first file a skeleton, the latest a solution), Bob was late, Ann sent a
    zip of exercises/ with a mistake; a file not named by Canvas is ignored."""
    folder.mkdir()
    shutil.copy(SKELETON, folder / "doejane_12345_9001_perceptron.py")
    shutil.copy(SOLVED, folder / "doejane_12345_9002_perceptron-1.py")
    shutil.copy(SOLVED, folder / "smithbob_LATE_23456_9003_perceptron.py")
    with zipfile.ZipFile(folder / "leeann_34567_9004_work.zip", "w") as archive:
        archive.writestr("work/exercises/perceptron.py", OFF_BY_ZERO)
    (folder / "notes.txt").write_text("the instructor's notes")
    shutil.copy(SOLVED, folder / "kimsam_45678_9005_perceptron (1).py")  # a browser's copy of the file's name
    return folder


def moodle_download(folder: Path) -> Path:
    """Jane Roe's folder holds only her own zip (and Moodle wrote her online text beside it); Tom
    Poe's holds the skeleton."""
    folder.mkdir()
    jane, tom = folder / "Jane Roe_501_assignsubmission_file_", folder / "Tom Poe_502_assignsubmission_file_"
    jane.mkdir()
    tom.mkdir()
    (folder / "Jane Roe_501_assignsubmission_onlinetext_").mkdir()
    (folder / "Jane Roe_501_assignsubmission_onlinetext_" / "onlinetext.html").write_text("<p>see my zip</p>")
    with zipfile.ZipFile(jane / "jroe-hw1.zip", "w") as archive:
        archive.writestr("perceptron.py", SOLVED.read_text())
    shutil.copy(SKELETON, tom)
    return folder


def blackboard_download(folder: Path) -> Path:
    """Kim Doe's two attempts: the first a skeleton, the latest a solution."""
    folder.mkdir()
    for when, source in (("2026-11-01-10-00-00", SKELETON), ("2026-11-02-09-30-00", SOLVED)):
        (folder / f"HW1_kdoe_attempt_{when}.txt").write_text(f"Name: Kim Doe (kdoe)\nAssignment: HW1\nDate Submitted: {when}\n")
        shutil.copy(source, folder / f"HW1_kdoe_attempt_{when}_perceptron.py")
    return folder


def staged_text(submission, tmp_path: Path) -> str:
    return (stage(submission, tmp_path / submission.name.replace(" ", "_")) / "perceptron.py").read_text()


def test_each_download_is_one_submission_per_student_with_the_lms_identity_and_latest_files(tmp_path):
    found = {s.name: s for s in find([canvas_download(tmp_path / "canvas"), moodle_download(tmp_path / "moodle"),
                                      blackboard_download(tmp_path / "bb")])}
    assert set(found) == {"doejane", "smithbob", "leeann", "kimsam", "Jane Roe", "Tom Poe", "Kim Doe"}
    assert found["doejane"].origin == {"lms": "canvas", "id": "12345", "name": "doejane", "late": "",
                                       "submitted_at": ""}
    assert found["smithbob"].origin["late"] == "yes"
    assert found["Jane Roe"].origin == {"lms": "moodle", "name": "Jane Roe", "id": "501"}
    assert found["Kim Doe"].origin["submitted_at"] == "2026-11-02-09-30-00"
    solved = staged_text(found["smithbob"], tmp_path)
    assert staged_text(found["doejane"], tmp_path) == solved  # the resubmission, not the first file
    assert staged_text(found["Kim Doe"], tmp_path) == solved  # the latest attempt
    assert staged_text(found["Jane Roe"], tmp_path) == solved  # the zip in her Moodle folder
    assert "a >= 0 else" in staged_text(found["leeann"], tmp_path)
    assert staged_text(found["kimsam"], tmp_path) == solved  # "perceptron (1).py" is perceptron.py
    assert not any(s.warnings or s.attention for s in found.values())


def test_rosters_as_canvas_and_moodle_export_them_name_the_submissions(tmp_path):
    (tmp_path / "canvas.csv").write_text(CANVAS_ROSTER)
    (tmp_path / "moodle.csv").write_text(MOODLE_ROSTER)
    canvas, moodle = store.read_roster(tmp_path / "canvas.csv"), store.read_roster(tmp_path / "moodle.csv")
    assert [row["student"] for row in canvas] == ["Doe, Jane", "Smith, Bob", "Lee, Ann", "Kim, Sam", "Park, Lou"]
    assert canvas[0] == {"student": "Doe, Jane", "id": "12345", "name": "Doe, Jane", "sis_user_id": "S001",
                         "sis_login_id": "jdoe", "section": "Sec 1"}
    assert moodle[0] == {"student": "jroe", "name": "Jane Roe", "email": "jroe@uni.example", "username": "jroe"}
    named = {s.name for s in find([canvas_download(tmp_path / "c")], canvas)}  # by Canvas's user id
    assert named == {"Doe, Jane", "Smith, Bob", "Lee, Ann", "Kim, Sam"}  # Canvas's test student is no student
    named = {s.name for s in find([moodle_download(tmp_path / "m"), blackboard_download(tmp_path / "b")], moodle)}
    assert named == {"jroe", "tpoe", "kdoe"}  # Moodle's by full name, Blackboard's by username


def test_a_gradebook_of_an_earlier_kit_keeps_its_roster(tmp_path):
    with sqlite3.connect(tmp_path / store.FILE) as connection:
        connection.execute("CREATE TABLE roster (student TEXT PRIMARY KEY)")
        connection.execute("INSERT INTO roster VALUES ('alice')")
    assert store.roster(tmp_path) == [{"student": "alice"}]


def read_csv(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


@pytest.mark.slow
def test_downloads_graded_with_rosters_and_exported_as_the_lms_imports(tmp_path, capsys):
    """One class from Canvas with Canvas's gradebook as roster, one from Moodle and Blackboard with
    Moodle's participants; each exported in the CSV its LMS imports."""
    (tmp_path / "canvas-roster.csv").write_text(CANVAS_ROSTER)
    (tmp_path / "moodle-roster.csv").write_text(MOODLE_ROSTER)
    common = ["--exercises", "perceptron", "--jobs", "2", "--seed", "5"]
    assert cli.main(["grade", str(canvas_download(tmp_path / "canvas")), "--roster", str(tmp_path / "canvas-roster.csv"),
                     "--out", str(tmp_path / "A"), *common]) == 0
    assert cli.main(["grade", str(moodle_download(tmp_path / "moodle")), str(blackboard_download(tmp_path / "bb")),
                     "--roster", str(tmp_path / "moodle-roster.csv"), "--out", str(tmp_path / "B"), *common]) == 0
    rows = gradebook_rows(tmp_path / "A")
    assert {name: (row["total"], row["late"], row["lms_id"], row["status"]) for name, row in rows.items()} == {
        "Doe, Jane": ("15", "", "12345", "graded"), "Smith, Bob": ("15", "yes", "23456", "graded"),
        "Lee, Ann": (rows["Lee, Ann"]["total"], "", "34567", "graded"), "Kim, Sam": ("15", "", "45678", "graded"),
        "Park, Lou": ("", "", "56789", "no submission")}
    assert int(rows["Lee, Ann"]["total"]) < 15
    rows = gradebook_rows(tmp_path / "B")
    assert {name: (row["total"], row["name"], row["email"]) for name, row in rows.items()} == {
        "jroe": ("15", "Jane Roe", "jroe@uni.example"), "tpoe": ("0", "Tom Poe", "tpoe@uni.example"),
        "kdoe": ("15", "Kim Doe", "kdoe@uni.example")}
    assert rows["kdoe"]["submitted_at"] == "2026-11-02-09-30-00"
    capsys.readouterr()

    assert cli.main(["export", "canvas", "--out", str(tmp_path / "A"), "--title", "nn-tf=Neural networks (4821)",
                     "--per-exercise"]) == 0
    header, points, *body = read_csv(tmp_path / "A" / "canvas.csv")
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Neural networks (4821)",
                      "Neural networks (4821): perceptron"]
    assert points == ["Points Possible", "", "", "", "", "15", "15"]
    assert ["Smith, Bob", "23456", "S002", "bsmith", "Sec 1", "15", "15"] in body
    assert len(body) == 4 and "Student, Test" not in str(body)  # nor who submitted nothing
    assert cli.main(["export", "canvas", "--out", str(tmp_path / "A"), "--title", "nn-tf-advanced=Other (1)"]) == 2
    assert cli.main(["export", "moodle", "--out", str(tmp_path / "B")]) == 0
    header, *body = read_csv(tmp_path / "B" / "moodle.csv")
    assert header == ["Full name", "Email address", "Username", "ID number", "nn-tf"]
    assert sorted(body) == [["Jane Roe", "jroe@uni.example", "jroe", "", "15"],
                            ["Kim Doe", "kdoe@uni.example", "kdoe", "", "15"],
                            ["Tom Poe", "tpoe@uni.example", "tpoe", "", "0"]]
    assert "without the id" not in capsys.readouterr().out

"""Finding and staging submissions: the usual shapes of an LMS download are accepted, and nothing
in a folder or archive can make the trusted side read outside it."""

import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

import nbformat
import pytest

from grader.catalogue import KIT
from grader.course import notebooks
from grader.isolation import staging
from grader.isolation.staging import RESERVED, find, stage

SOLUTION = (KIT / "solutions" / "perceptron.py").read_text()


def staged(tmp_path: Path, source: Path) -> tuple[dict, list]:
    [submission] = find([source])
    target = stage(submission, tmp_path / "staged" / submission.name)
    return {p.name: p.read_text() for p in target.iterdir()}, submission.warnings


def test_modules_at_the_top_in_exercises_or_in_a_wrapper_folder(tmp_path):
    for i, folder in enumerate(("top", "top/exercises", "top/hw3-submission", "top/hw3/exercises")):
        root = tmp_path / str(i)
        (root / folder).mkdir(parents=True)
        (root / folder / "perceptron.py").write_text(SOLUTION)
        (root / "top" / "__MACOSX").mkdir(exist_ok=True)
        (root / "top" / "__MACOSX" / "mlp.py").write_text("junk")
        files, warnings = staged(tmp_path / f"s{i}", root / "top")
        assert files == {"perceptron.py": SOLUTION}, folder
        assert warnings == []


def test_a_zip_with_a_wrapper_folder_grades_like_the_folder(tmp_path):
    archive = tmp_path / "erin.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("hw3-submission/perceptron.py", SOLUTION)
        out.writestr("__MACOSX/hw3-submission/._perceptron.py", "junk")
        out.writestr("hw3-submission/exercises/mlp.py", "deeper: not graded")
    files, _ = staged(tmp_path, archive)
    assert files == {"perceptron.py": SOLUTION}


def test_links_are_never_followed(tmp_path):
    victim = tmp_path / "classmate"
    victim.mkdir()
    (victim / "perceptron.py").write_text(SOLUTION)
    cls = tmp_path / "class"
    (cls / "mallory").mkdir(parents=True)
    os.symlink(victim, cls / "mallory" / "exercises")  # a folder link inside a submission
    os.symlink(KIT / "solutions", cls / "trudy")  # a class entry that is a link
    (cls / "eve").mkdir()
    os.symlink(KIT / "solutions" / "mlp.py", cls / "eve" / "mlp.py")  # a file link
    os.link(victim / "perceptron.py", cls / "eve" / "perceptron.py")  # a hard link
    os.mkfifo(cls / "eve" / "backprop.py")  # a FIFO must not block staging
    by_name = {s.name: s for s in find([cls])}
    assert set(by_name) == {"eve", "mallory", "trudy"}
    for name, submission in by_name.items():
        target = stage(submission, tmp_path / "staged" / name)
        assert list(target.iterdir()) == [], name
        assert submission.warnings, name
    assert any("symbolic link" in w for w in by_name["trudy"].warnings)
    assert any("hard links" in w for w in by_name["eve"].warnings)
    assert any("not a regular file" in w for w in by_name["eve"].warnings)


def test_hostile_zip_member_names_are_left_out_with_a_warning(tmp_path):
    archive = tmp_path / "mallory.zip"
    with zipfile.ZipFile(archive, "w") as out:
        member = zipfile.ZipInfo("x")
        member.filename = "exercises/speed.py\0.txt"  # ZipInfo() itself would cut the name at the NUL
        out.writestr(member, "x = 1")
        out.writestr("../perceptron.py", SOLUTION)
        out.writestr("mlp.py", "y = 2")
    files, warnings = staged(tmp_path, archive)
    assert files == {"mlp.py": "y = 2"}
    assert any("control characters" in w for w in warnings) and any("leaves the submission" in w for w in warnings)


def test_notebooks_are_graded_as_the_modules_they_stand_for(tmp_path):
    notebook = notebooks.module_to_notebook("perceptron", [{"id": "t::test_x", "points": 1, "task": "perceptron.step_fn"}])
    folder = tmp_path / "nora"
    folder.mkdir()
    nbformat.write(notebook, str(folder / "perceptron.ipynb"))
    (folder / "mlp.ipynb").write_text("{not a notebook")
    files, warnings = staged(tmp_path, folder)
    assert "def step_fn" in files["perceptron.py"] and "mlp.py" not in files
    assert any("mlp.ipynb is not a readable notebook" in w for w in warnings)


def test_nothing_found_says_where_it_looked(tmp_path):
    folder = tmp_path / "empty"
    (folder / "deep" / "er" / "still" / "deeper").mkdir(parents=True)
    (folder / "deep" / "er" / "still" / "deeper" / "perceptron.py").write_text(SOLUTION)
    [submission] = find([folder])
    target = stage(submission, tmp_path / "staged")
    assert list(target.iterdir()) == [] and "perceptron.py" in submission.warnings[-1] and "3 deep" in submission.warnings[-1]
    assert submission.attention == ["nothing gradable was found in it"]


def test_a_member_named_nul_and_a_notebook_of_odd_json_are_read_around(tmp_path):
    archive = tmp_path / "nina.zip"
    odd = {"nbformat": 4, "nbformat_minor": 4, "metadata": [], "cells": [
        {"cell_type": "code", "metadata": {"nbgrader": "answer"}, "source": SOLUTION},
        {"cell_type": "code", "metadata": "none", "source": ["x = 1\n", 2]}, 7]}
    with zipfile.ZipFile(archive, "w") as out:
        member = zipfile.ZipInfo("x")
        member.filename = "\0"
        out.writestr(member, "nothing")
        out.writestr("perceptron.ipynb", json.dumps(odd))
    files, warnings = staged(tmp_path, archive)
    assert "def step_fn" in files["perceptron.py"] and warnings == []


@pytest.mark.skipif(os.geteuid() != 0, reason="becomes a normal user to stage as one")
def test_a_file_the_grader_cannot_open_is_left_out_with_a_warning(tmp_path):
    """As a grader that is not root: a module of mode 000 (as `unzip` restores one stored so)."""
    tmp_path = Path(tempfile.mkdtemp(prefix="nnkit-test-"))  # a folder the normal user can enter
    folder = tmp_path / "olga"
    folder.mkdir()
    (folder / "perceptron.py").write_text(SOLUTION)
    (folder / "mlp.py").write_text("x = 1")
    (folder / "perceptron.py").chmod(0)
    tmp_path.chmod(0o777)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # a normal user, as an instructor on a laptop grades
        os.close(read)
        try:
            os.setgid(65534)
            os.setuid(65534)
            [submission] = find([folder])
            target = stage(submission, tmp_path / "staged")
            os.write(write, json.dumps([sorted(p.name for p in target.iterdir()), submission.warnings]).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as answer:
        files, warnings = json.loads(answer.read() or "null")
    os.waitpid(child, 0)
    shutil.rmtree(tmp_path)
    assert files == ["mlp.py"] and warnings == ["perceptron.py: could not be read (Permission denied), left out"]


def test_names_are_printable_and_never_an_output_of_the_class(tmp_path):
    cls = tmp_path / "class"
    for name in (os.fsdecode(b"caf\xe9\x1b[2J"), "gradebook.csv", "Ann", "ann"):
        (cls / name).mkdir(parents=True)
        (cls / name / "perceptron.py").write_text(SOLUTION)
    names = [s.name for s in find([cls])]
    assert "caf\ufffd\\x1b[2J" in names and not [n for n in names if n in RESERVED or n.casefold() == "ann"]
    assert len({n.casefold() for n in names}) == 4 and all(n.isprintable() for n in names)


def test_modules_beside_fifty_thousand_other_files_are_found(tmp_path):
    folder = tmp_path / "pia"
    (folder / "images").mkdir(parents=True)
    for i in range(50_000):
        (folder / f"digit-{i}.png").touch()
    (folder / "exercises").mkdir()
    (folder / "exercises" / "perceptron.py").write_text(SOLUTION)
    files, warnings = staged(tmp_path, folder)
    assert files == {"perceptron.py": SOLUTION} and warnings == []


def test_staging_whatever_goes_wrong_names_it_and_returns(tmp_path, monkeypatch):
    folder = tmp_path / "quinn"
    folder.mkdir()
    (folder / "perceptron.py").write_text(SOLUTION)
    monkeypatch.setattr(staging, "_read_regular", lambda *args: 1 / 0)
    [submission] = find([folder])
    target = stage(submission, tmp_path / "staged")
    assert list(target.iterdir()) == [] and submission.attention == ["could not be read (ZeroDivisionError: division by zero)"]

"""Finding and staging submissions: the usual shapes of an LMS download are accepted, and nothing
in a folder or archive can make the trusted side read outside it."""

import os
import zipfile
from pathlib import Path

import nbformat

from grader import notebooks
from grader.sandbox import KIT
from grader.submissions import find, stage

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
    files, warnings = staged(tmp_path, folder)
    assert files == {} and "perceptron.py" in warnings[-1] and "3 deep" in warnings[-1]

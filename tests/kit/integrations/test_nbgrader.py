"""The nbgrader workflow end to end with the real nbgrader.

generate the course → nbgrader generate_assignment → files placed in submitted/ → nbgrader
autograde → nbgrader generate_feedback → nbgrader export, then the CSV is compared with what the
grader gives the same code as .py files.
"""

import csv
import json
import subprocess
from pathlib import Path

import nbformat
import pytest

from grader import cli
from grader.catalogue import ASSIGNMENTS, CORE as ASSIGNMENT, HIDDEN, KIT
from grader.course import notebooks
from grader.isolation.staging import find
from grader.scoring.run import Options, grade_all
from tests.kit.conftest import UID
from tests.kit.course.test_generate import shared_fraction

pytestmark = [pytest.mark.xdist_group("nbgrader-course"), pytest.mark.slow]  # one worker builds the module's fixtures under pytest -n

SEED = 2021
CHEAT_CELL = """import numpy, builtins
numpy.allclose = lambda *a, **k: True            # a kernel-level cheat
try:
    get_ipython().input_transformers_cleanup.append(lambda lines: [l.replace('assert ', 'pass #') for l in lines])
except NameError:
    pass
"""


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    run = subprocess.run(["nbgrader", *args], cwd=course, capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    return run


ADVANCED = "nn-tf-advanced"
MODULES = ASSIGNMENTS[ASSIGNMENT]


def submit(course: Path, student: str, notebooks_by_module: dict, assignment: str = ASSIGNMENT) -> None:
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True)
    for module, notebook in notebooks_by_module.items():
        if isinstance(notebook, bytes):
            (folder / f"{module}.ipynb").write_bytes(notebook)
        else:
            nbformat.write(notebook, str(folder / f"{module}.ipynb"))


def read(course: Path, kind: str, module: str, assignment: str = ASSIGNMENT) -> nbformat.NotebookNode:
    return nbformat.read(str(course / kind / assignment / f"{module}.ipynb"), as_version=4)


def broken_step(notebook: nbformat.NotebookNode, extra_cell: str = "") -> nbformat.NotebookNode:
    """The solution notebook with step_fn answering 1.0 everywhere, and an extra cell."""
    notebook = nbformat.from_dict(json.loads(json.dumps(notebook)))
    for cell in notebook.cells:
        cell.source = cell.source.replace("return 1.0 if a > 0 else 0.0", "return 1.0")
    if extra_cell:
        notebook.cells.insert(1, nbformat.v4.new_code_cell(extra_cell))
    return notebook


def answered(release: nbformat.NotebookNode, source: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The released notebook with every answer cell filled in from the source: a student's solution."""
    notebook = nbformat.from_dict(json.loads(json.dumps(release)))
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")}
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") in answers:
            cell.source = answers[cell.metadata["nbgrader"]["grade_id"]]
    return notebook


def forged_cells(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Grade cells deleted and re-added as markdown, an answer cell made a grade cell worth 50
    points, and a new grade cell worth 100."""
    notebook = nbformat.from_dict(json.loads(json.dumps(notebook)))
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            cell.cell_type, cell.source = "markdown", "graded elsewhere"
            cell.pop("outputs", None), cell.pop("execution_count", None)
        elif meta.get("solution") and "def step_fn" in cell.source:
            meta.update(grade=True, points=50)
    notebook.cells.append(nbformat.v4.new_code_cell("# bonus", metadata={"nbgrader": {
        "grade": True, "grade_id": "hidden-bonus", "locked": True, "points": 100, "schema_version": 3,
        "solution": False, "task": False}}))
    return notebook


def edited_locked_cells(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A locked cell rewritten and a grade cell duplicated."""
    notebook = nbformat.from_dict(json.loads(json.dumps(notebook)))
    for cell in notebook.cells:
        if "XOR_WEIGHTS = " in cell.source and cell.metadata["nbgrader"].get("locked"):
            cell.source = cell.source.replace("2.0", "7.0")
    grade = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade"))
    notebook.cells.append(nbformat.from_dict(json.loads(json.dumps(grade))))
    return notebook


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("courses") / "fall" / "nn"  # nn-kit nbgrader-course makes the folder
    assert cli.main(["nbgrader-course", str(root), "--seed", str(SEED)]) == 0
    nbgrader(root, "generate_assignment", ASSIGNMENT, "--force")
    source = {m: read(root, "source", m) for m in MODULES}
    release = {m: read(root, "release", m) for m in MODULES}
    solved = {m: answered(release[m], source[m]) for m in MODULES}
    # forged notebooks graded first and last, with honest classmates in between
    submit(root, "aaa-forged-cells", {**solved, "perceptron": forged_cells(broken_step(solved["perceptron"]))})
    submit(root, "solutions", solved)
    submit(root, "blank", release)
    submit(root, "partial", {**release, "perceptron": solved["perceptron"], "backprop": solved["backprop"]})
    submit(root, "cheater", {**solved, "perceptron": broken_step(solved["perceptron"], CHEAT_CELL)})
    submit(root, "corrupt", {**solved, "mlp": b"{this is not a notebook"})
    submit(root, "zzz-edited-locked", {**solved, "mlp": edited_locked_cells(solved["mlp"])})
    nbgrader(root, "generate_assignment", ADVANCED, "--force")  # the advanced track: its own assignment
    advanced = {m: answered(read(root, "release", m, ADVANCED), read(root, "source", m, ADVANCED))
                for m in ASSIGNMENTS[ADVANCED]}
    submit(root, "solutions", advanced, ADVANCED)
    submit(root, "blank", {m: read(root, "release", m, ADVANCED) for m in ASSIGNMENTS[ADVANCED]}, ADVANCED)
    assert cli.main(["nbgrader-pregrade", str(root), "--jobs", "2"]) == 0  # autograde then reuses the reports
    autograde = nbgrader(root, "autograde", ASSIGNMENT, "--force")
    (root / "autograde.log").write_text(autograde.stdout + autograde.stderr)
    nbgrader(root, "autograde", ADVANCED, "--force")
    nbgrader(root, "generate_feedback", ASSIGNMENT, "--force")
    nbgrader(root, "export")
    return root


def exported(course: Path, assignment: str = ASSIGNMENT) -> dict:
    with open(course / "grades.csv", newline="") as handle:
        return {row["student_id"]: float(row["score"]) for row in csv.DictReader(handle) if row["assignment"] == assignment}


@pytest.mark.timeout(1800)
def test_nbgrader_round_trip_scores(course):
    assert exported(course) == {"solutions": 100.0, "blank": 0.0, "partial": 40.0, "cheater": 97.0, "corrupt": 85.0,
                                "aaa-forged-cells": 97.0, "zzz-edited-locked": 100.0}
    advanced = exported(course, ADVANCED)  # who submitted nothing has 0
    assert (advanced["solutions"], advanced["blank"], sum(advanced.values())) == (100.0, 0.0, 100.0)


def test_autograde_reuses_the_parallel_pregrading(course):
    log = (course / "autograde.log").read_text()
    assert log.count("was pre-graded; its report is reused") == 7, log[-3000:]


def test_forged_cells_are_restored_and_reported_to_the_instructor_only(course):
    warnings = {}
    for student in ("aaa-forged-cells", "zzz-edited-locked"):
        notebook = nbformat.read(str(course / "autograded" / student / ASSIGNMENT / "perceptron.ipynb"), 4)
        warnings[student] = " ".join(notebook.metadata["nn_kit"]["warnings"])
    assert "a locked or grade cell was changed" in warnings["aaa-forged-cells"]
    assert "not in the release" in warnings["aaa-forged-cells"]
    assert "answer cell 'perceptron-step_fn'" in warnings["aaa-forged-cells"]
    assert "a locked or grade cell was changed" in warnings["zzz-edited-locked"]
    assert "a second copy" in warnings["zzz-edited-locked"]
    feedback = (course / "feedback" / "aaa-forged-cells" / ASSIGNMENT / "perceptron.html").read_text()
    assert "restored" not in feedback


@pytest.mark.timeout(900)
def test_nbgrader_scores_equal_the_grader_cli_on_the_same_code(course, tmp_path):
    folder = tmp_path / "partial"
    folder.mkdir()
    for module in MODULES:
        notebook = notebooks.read_notebook(course / "submitted" / "partial" / ASSIGNMENT / f"{module}.ipynb")
        (folder / f"{module}.py").write_text(notebooks.notebook_to_module(notebook))
    [report] = grade_all(find([folder]), Options(seed=SEED, worker_uid=UID))
    assert report["score"]["earned"] == exported(course)["partial"]


def test_feedback_names_the_problem_and_hides_the_hidden_suites(course):
    feedback = (course / "feedback" / "cheater" / ASSIGNMENT / "perceptron.html").read_text()
    assert "step_fn" in feedback and "tampering detected" in feedback
    for suite in HIDDEN.glob("test_*.py"):
        assert shared_fraction(suite, feedback) < 0.1, suite.name
    corrupt = nbformat.read(str(course / "autograded" / "corrupt" / ASSIGNMENT / "perceptron.ipynb"), 4)
    assert "mlp.ipynb is not a readable notebook" in " ".join(corrupt.metadata["nn_kit"]["warnings"])


def test_release_holds_only_the_notebooks_without_solutions(course):
    files = sorted(p.name for p in (course / "release" / ASSIGNMENT).iterdir())
    assert files == sorted(f"{m}.ipynb" for m in MODULES)
    release = "".join((course / "release" / ASSIGNMENT / f).read_text() for f in files)
    assert "tf.where(a > 0" not in release and "raise NotImplementedError()" in release


def test_notebook_round_trip_gives_back_the_module():
    source = (KIT / "solutions" / "mlp.py").read_text()
    notebook = notebooks.module_to_notebook("mlp", [{"id": "t::test_x", "points": 1, "task": "perceptron.step_fn"}])
    module = notebooks.notebook_to_module(notebook)
    assert "from .perceptron import as_batch, tf_step_fn" in module and "def xor_network" in module
    assert "Hidden check" not in module and "check_task" not in module and "exercises.notebook" not in module
    assert [line for line in module.splitlines() if "BEGIN SOLUTION" in line] == \
        [line for line in source.splitlines() if "BEGIN SOLUTION" in line]


def run_in_one_kernel(folder: Path, names: list[str]) -> dict:
    """Execute the notebooks of a folder one after another in one kernel started there (its
    namespace reset before each), as a student runs them; returns name → executed notebook."""
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    kernel = KernelManager(kernel_name="python3")
    kernel.start_kernel(cwd=str(folder))
    executed = {}
    try:
        for name in names:
            notebook = nbformat.read(str(folder / f"{name}.ipynb"), 4)
            notebook.cells.insert(0, nbformat.v4.new_code_cell("%reset -f"))
            NotebookClient(notebook, km=kernel, timeout=300, allow_errors=True).execute()
            executed[name] = notebook
    finally:
        kernel.shutdown_kernel(now=True)
    return executed


def outputs(notebook, kind: str = "") -> str:
    """The text of the outputs of a notebook's cells (those whose source holds `kind`)."""
    return "".join(o.get("text", "") + o.get("evalue", "") + "".join(o.get("traceback", []))
                   for c in notebook.cells if c.cell_type == "code" and kind in c.source for o in c.get("outputs", []))

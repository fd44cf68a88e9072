"""What students get is generated from the kit's sources (skeletons from solutions/, copies of the
judges, hints and notebook reader), stays in sync and leaks nothing."""

from pathlib import Path

import pytest

from grader import catalogue
from grader.catalogue import KIT as ROOT, SOLUTIONS, all_regions, regions
from grader.course import generate, skeleton
from grader.scoring.judges import HINTS

# Lines the thesis itself prints and the self-checks use as the judge of gradients.
THESIS_PUBLIC = {"with tf.GradientTape() as tape:"}


def solution_lines() -> set[str]:
    """Every substantial line inside a solution region (what must never reach a student)."""
    lines = set()
    for path in SOLUTIONS.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        text = source.splitlines()
        outside = {line.strip() for line in text}
        for region in regions(source, path.stem):
            inside = [line.strip() for line in text[region.first: region.last - 1]]
            outside -= set(inside)
            lines |= {line for line in inside if len(line) >= 12 and not line.startswith("#")}
    return lines - outside - THESIS_PUBLIC


def student_files() -> list[Path]:
    return [p for p in (ROOT / "exercises").rglob("*") if p.is_file() and "__pycache__" not in p.parts]


def test_exercises_are_in_sync_with_the_kits_sources():
    assert generate.stale() == [], "run `python -m grader.course.generate` and commit exercises/"
    for source, copy in generate.COPIES.items():  # a copy says where to edit it
        assert copy.read_text(encoding="utf-8").splitlines()[0].startswith(f"# Generated from {source.relative_to(ROOT)}")


def test_every_solution_module_has_a_skeleton_and_tasks():
    modules = {p.stem for p in SOLUTIONS.glob("*.py")} - {"__init__"}
    from solutions import EXERCISES

    assert modules == set(EXERCISES)
    assert {r.task.split(".")[0] for r in all_regions()} == modules


def test_no_solution_code_reaches_exercises():
    secret = solution_lines()
    assert len(secret) > 40  # the check has something to look for
    for path in student_files():
        text = path.read_text(encoding="utf-8")
        leaked = sorted(line for line in secret if line in text)
        assert not leaked, f"{path.relative_to(ROOT)} contains solution code: {leaked[:3]}"


def shared_fraction(hidden: Path, student_text: str) -> float:
    """How much of a hidden suite's substantive lines stand in the student's files (0 to 1)."""
    lines = [line.strip() for line in hidden.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if len(line) >= 20 and not line.startswith(("import ", "from ", "#", "@", '"""'))]
    return sum(line in student_text for line in lines) / max(len(lines), 1)


def test_no_hidden_test_content_reaches_exercises():
    """The self-checks share the thesis' judges (GradientTape, the message helpers) with the hidden
    suites, so a few lines coincide; a hidden suite copied in would share all of them."""
    student_text = "\n".join(p.read_text(encoding="utf-8") for p in student_files())
    suites = sorted((ROOT / "tests" / "hidden").glob("test_*.py"))
    assert [p.stem for p in suites] == sorted(f"test_{name}" for name in catalogue.EXERCISES)
    for suite in suites:
        assert shared_fraction(suite, student_text) < 0.3, f"{suite.name} reaches exercises/"
        assert shared_fraction(suite, student_text + suite.read_text(encoding="utf-8")) == 1.0


def test_skeleton_replaces_each_region_with_a_named_not_implemented_error():
    source = '''def f(x):
    """Thesis §Gradient Descent: a docstring."""
    y = 1
    ### BEGIN SOLUTION
    return x + y
    ### END SOLUTION
'''
    out = skeleton.strip_solutions(source, "demo")
    assert "return x + y" not in out and "y = 1" in out
    assert "raise NotImplementedError('demo.f is not implemented yet — thesis §Gradient Descent')" in out
    namespace = {}
    exec(out, namespace)
    with pytest.raises(NotImplementedError, match="demo.f"):
        namespace["f"](1)


@pytest.mark.parametrize("source, problem", [
    ("def f():\n    '''§X'''\n    ### BEGIN SOLUTION\n    return 1\n", "without"),
    ("def f():\n    '''§X'''\n    ### END SOLUTION\n", "without"),
    ("### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n", "inside a function"),
    ("def f():\n    '''no section'''\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n", "cite its source's section"),
])
def test_skeleton_rejects_malformed_regions(source, problem):
    with pytest.raises(ValueError, match=problem):
        regions(source, "demo")


def test_every_hint_belongs_to_a_task():
    """A hint or a named mistake under a key no task has is never shown (a crash's mistake filed in
    an exercise's table instead of [mistakes.any] was dead for a while)."""
    tasks = {r.task for r in all_regions()}
    hints = {module: table for module, table in HINTS.items() if module != "mistakes"}
    assert set(hints) == {task.split(".")[0] for task in tasks}
    assert [f"{module}.{key}" for module, table in hints.items() for key in table if f"{module}.{key}" not in tasks] == []
    assert [f"{module}: {key}" for module, table in HINTS["mistakes"].items() if module != "any" for key in table
            if f"{module}.{key.split(': ')[0]}" not in tasks] == []

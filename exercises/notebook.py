"""Notebooks as exercises: the self-check cell, the grade cells, and imports between notebooks.

Importing this module lets a notebook import the code of the other notebooks in its folder:
`from notebooks.perceptron import tf_step_fn` runs the code cells of perceptron.ipynb (as last
saved; not its self-check or grade cells) as the module `notebooks.perceptron`. `self_check` runs
an exercise's visible self-checks on the code of the running notebook, and `check_task` (the
released grade cells) on one task, so that `nbgrader validate` fails where a self-check fails.

    python -m exercises.notebook validate perceptron.ipynb …   # nbgrader's Validate, exit 1 when one fails
"""

import contextlib
import importlib.abc
import importlib.util
import io
import json
import os
import re
import sys
import types
from pathlib import Path

import pytest

from exercises.cells import PACKAGE, module_source


class _NotebookLoader(importlib.abc.Loader):
    def __init__(self, path: Path | None):
        self.path = path

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        if self.path is None:  # the package itself
            module.__path__ = []
            return
        source = module_source(json.loads(self.path.read_text(encoding="utf-8")))
        exec(compile(source, str(self.path), "exec"), module.__dict__)  # noqa: S102  (the student's own code)


class _NotebookFinder(importlib.abc.MetaPathFinder):
    """`notebooks.<name>` is <name>.ipynb in the current folder (the running notebook's)."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname == PACKAGE:
            return importlib.util.spec_from_loader(fullname, _NotebookLoader(None), is_package=True)
        package, _, name = fullname.partition(".")
        notebook = Path.cwd() / f"{name}.ipynb"
        if package != PACKAGE or "." in name:
            return None
        if not notebook.is_file():
            raise ModuleNotFoundError(f"no {name}.ipynb in {Path.cwd()}: keep the course's notebooks together in one "
                                      f"folder (and save them)", name=fullname)
        return importlib.util.spec_from_file_location(fullname, notebook, loader=_NotebookLoader(notebook))


if not any(isinstance(finder, _NotebookFinder) for finder in sys.meta_path):
    sys.meta_path.insert(0, _NotebookFinder())


@contextlib.contextmanager
def _as_module(exercise: str, namespace: dict):
    """The running notebook's code as `notebooks.<exercise>` while the checks run; the other
    notebooks are loaded afresh from their files, so what was saved since the last check counts."""
    def forget():
        for name in [m for m in sys.modules if m.startswith(PACKAGE + ".")]:
            del sys.modules[name]

    forget()
    importlib.import_module(PACKAGE)
    module = types.ModuleType(f"{PACKAGE}.{exercise}")
    module.__dict__.update({k: v for k, v in namespace.items() if not k.startswith("_")})
    sys.modules[module.__name__] = module
    os.environ["KIT_TARGET"] = PACKAGE
    try:
        yield
    finally:
        forget()


@contextlib.contextmanager
def _kit_plugins_only():
    """No pytest plugin autoloaded while the checks run: one installed in the kernel's environment
    could reorder or slow them (pytest-benchmark runs git every time)."""
    before = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"]
        else:
            os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = before


class CheckFailed(AssertionError):
    """A grade cell's failure: IPython and nbgrader show its message, not a traceback into the kit."""

    def _render_traceback_(self):
        return str(self).splitlines()


def _marks(exercise: str) -> list[list]:
    """The pytest marks of each self-check of an exercise."""
    tests = importlib.import_module(f"exercises.test_{exercise}")
    return [getattr(f, "pytestmark", []) for f in vars(tests).values() if callable(f)]


def _tasks_and_uses(exercise: str) -> tuple[set, dict]:
    """(the exercise's tasks, task → the tasks its self-checks use)."""
    tasks, uses = set(), {}
    for marks in _marks(exercise):
        for task in (m.args[0] for m in marks if m.name == "task"):
            tasks.add(task)
            uses.setdefault(task, set()).update(u for m in marks if m.name == "uses" for u in m.args)
    return tasks, uses


def _run(exercise: str, namespace: dict, *options: str, others=()) -> tuple[int, str]:
    """(pytest's exit code, what a notebook shows: each failure's message and the progress); `others`
    are the test files of other exercises that `options` select tasks from."""
    tests = Path(__file__).with_name(f"test_{exercise}.py")
    output, errors = io.StringIO(), io.StringIO()  # stderr too: nbgrader fails a grade cell that writes to it
    with _as_module(exercise, namespace), _kit_plugins_only(), contextlib.redirect_stdout(output), \
            contextlib.redirect_stderr(errors):
        # signal: a check that runs too long is stopped inside this kernel, without a dump of every thread
        code = pytest.main([str(tests), *map(str, others), "-q", "--no-header", "--color=no", "-o", "addopts=",
                            "-p", "pytest_timeout", "-p", "no:cacheprovider",
                            "-p", "no:unraisableexception",  # its gc.collect()s take ~1 s
                            "-p", "no:warnings", "--timeout-method", "signal", "--rootdir", str(tests.parent.parent),
                            *options])
    sections = re.split(r"^=+ (.*?) =+$", output.getvalue(), flags=re.M)
    kept = []
    for title, body in zip(sections[1::2], sections[2::2]):
        if title == "FAILURES":  # each message once, however many checks of a task gave it
            messages = re.split(r"^_+ .* _+$", body, flags=re.M)
            kept.append("\n".join(dict.fromkeys(m.strip("\n") for m in messages if m.strip())))
        elif title.startswith("progress of"):
            lines = [line for line in body.splitlines() if line.strip() and not re.match(r"\d+ \w.* in [\d.]+s", line)
                     and not line.startswith("!")]  # pytest's count line and its --exitfirst banner
            kept.append("\n".join([title.replace(f"{PACKAGE}/", "this notebook"), *lines]))
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):  # pytest itself failed: show why
        kept.append(f"the self-checks could not run (pytest exit code {int(code)}):\n{output.getvalue()}{errors.getvalue()}")
    return code, "\n\n".join(kept)


def self_check(exercise: str, namespace: dict, timeout: float | None = None) -> None:
    """Run the visible self-checks of an exercise on the functions defined in this notebook; the
    other exercises come from their notebooks in the same folder, and the checks of the tasks this
    one uses from them run too, so that a failure they cause is blamed on them."""
    tasks, uses = _tasks_and_uses(exercise)
    used = sorted({u for task in tasks for u in uses[task]} - tasks)
    options = ["--timeout", str(timeout)] if timeout else []
    if used:  # e.g. mlp.xor_network uses perceptron.tf_step_fn, from perceptron.ipynb
        options += [f"--task={task}" for task in sorted(tasks) + used]
    others = sorted({Path(__file__).with_name(f"test_{task.split('.')[0]}.py") for task in used})
    print(_run(exercise, namespace, *options, others=others)[1])


def check_task(task: str, namespace: dict) -> None:
    """A released grade cell: pass quietly when the task's self-checks pass, else raise their
    message (so that `nbgrader validate` names what to fix). Grading ignores this cell."""
    exercise = task.split(".")[0]
    uses = {u for u in _tasks_and_uses(exercise)[1][task] if u.startswith(exercise + ".")}
    code, text = _run(exercise, namespace, *[f"--task={t}" for t in sorted({task, *uses})])
    if code != pytest.ExitCode.OK:  # its own failures, the ones of the tasks it uses, and its progress line
        lines = [line for line in text.splitlines() if not line.startswith(("progress of", "next:", "  ok"))]
        raise CheckFailed(f"the self-checks of {task} fail:\n" + "\n".join(lines))
    print(f"{task}: its self-checks pass (the graded checks run when your work is graded)")


def validate(paths: list[str]) -> int:
    """nbgrader's Validate on each notebook, said per notebook; 1 if any fails (`nbgrader validate`
    itself exits 0 whatever it finds), 0 if every one passes."""
    from nbgrader.validator import Validator

    failed = 0
    for path in paths:
        found = Validator(ignore_checksums=True).validate(path)
        failed += bool(found)
        print(f"{path}: {'passes' if not found else 'VALIDATION FAILED'}")
        for kind, cells in found.items():
            for cell in cells:
                print(f"  {kind}: {(cell.get('error') or cell.get('source', ''))[:2000]}")
    return 1 if failed else 0


if __name__ == "__main__":
    if sys.argv[1:2] != ["validate"] or len(sys.argv) < 3:
        sys.exit("usage: python -m exercises.notebook validate NOTEBOOK.ipynb …")
    sys.exit(validate(sys.argv[2:]))

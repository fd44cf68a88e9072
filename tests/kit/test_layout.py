"""The house keeps its shape: each home of grader/ imports only the homes below it (an AST walk of
every import, wherever it is written), the worker side only the wire, confinement and the public
judges, nothing trusted imports the students' tree, and the code follows the rules ruff is set to."""

import ast
import functools
import subprocess
import sys

import pytest

from grader.catalogue import KIT

HOMES = ("__main__", "catalogue", "text", "cli", "isolation.worker", "isolation", "scoring", "course", "gradebook", "integrations",
         "lab")
# a home → the homes its modules may import (its own always)
MAY_IMPORT = {
    "catalogue": set(),
    "text": set(),
    "isolation": {"catalogue", "text", "isolation.worker"},
    "isolation.worker": {"catalogue"},  # and the three modules below
    "scoring": {"catalogue", "text", "isolation", "isolation.worker"},
    "gradebook": {"catalogue", "text", "scoring"},
    "course": {"catalogue", "text", "isolation", "scoring"},
    "integrations": {"catalogue", "text", "isolation", "scoring", "gradebook", "course"},
    "lab": {"catalogue", "text", "isolation", "isolation.worker", "scoring", "gradebook", "course"},
    "cli": set(HOMES),
    "__main__": {"cli"},
}
WORKER_MAY_IMPORT = {"grader.isolation.wire", "grader.isolation.confine", "grader.scoring.judges"}


def home_of(module: str) -> str:
    """The home of a module of grader/ (grader.isolation.worker.zygote → isolation.worker)."""
    name = module.removeprefix("grader.")
    return next(home for home in HOMES if name == home or name.startswith(home + "."))


def imports_of(path) -> set[str]:
    """Every absolute module a file imports, at any depth of its code (`from a import b`: a and a.b)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
    return found


@functools.cache
def modules_under(folder: str) -> dict[str, set[str]]:
    return {".".join(path.relative_to(KIT).with_suffix("").parts).removesuffix(".__init__"): imports_of(path)
            for path in sorted((KIT / folder).rglob("*.py"))}


PACKAGES = {".".join(path.relative_to(KIT).parent.parts) for path in (KIT / "grader").rglob("__init__.py")}


def grader_modules(imported: set[str]) -> set[str]:
    """The modules of grader/ among imported names, packages aside (they hold only a docstring:
    `from grader.scoring import judges` imports judges)."""
    return {name for name in imported if name in modules_under("grader") and name not in PACKAGES}


def test_each_home_imports_only_the_homes_below_it():
    wrong = []
    for module, imported in modules_under("grader").items():
        if module in PACKAGES:
            continue
        home = home_of(module)
        for name in grader_modules(imported):
            target = home_of(name)
            allowed = target == home or target in MAY_IMPORT[home] or \
                home == "isolation.worker" and name in WORKER_MAY_IMPORT
            if not allowed:
                wrong.append(f"{module} ({home}) imports {name} ({target})")
    assert not wrong, "\n".join(wrong)


def test_nothing_trusted_imports_the_students_tree():
    trusted = {**modules_under("grader"), **modules_under("tests/hidden")}
    wrong = [f"{module} imports {name}" for module, imported in trusted.items() for name in imported
             if name == "exercises" or name.startswith("exercises.")]
    assert not wrong, "\n".join(wrong)


def test_the_worker_side_imports_only_the_wire_confinement_and_the_public_judges():
    reached, todo = set(), [m for m in modules_under("grader") if m not in PACKAGES and home_of(m) == "isolation.worker"]
    while todo:  # what the worker side imports, and what those import in turn
        module = todo.pop()
        if module not in reached:
            reached.add(module)
            todo += grader_modules(modules_under("grader").get(module, set()))
    allowed = {m for m in reached if home_of(m) == "isolation.worker"} | WORKER_MAY_IMPORT | {"grader.catalogue"}
    assert reached <= allowed, sorted(reached - allowed)


@pytest.mark.timeout(120)
def test_the_code_follows_the_rules_ruff_is_set_to():
    run = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=KIT, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-1000:]

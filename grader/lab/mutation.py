"""Mutation score of the hidden suites: every small change to a solution region must lose points.

    python -m grader.lab.mutation [--exercise NAME …] [--seed N]

A small AST mutator (operators, comparisons, constants, reductions, signs, a returned value times
NaN) changes one thing at a time inside the `### BEGIN SOLUTION` regions of solutions/; each mutant
is imported as the package `mutant` and graded in-process by its exercise's hidden suite with the
given seed. A mutant that passes every check survives. Prints each survivor and the score (killed / all).
"""

import argparse
import ast
import copy
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pytest

from grader.catalogue import EXERCISES, HIDDEN, SOLUTIONS, regions
from grader.lab.in_process import OwnTaskFirst, run_suite

SWAPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.Pow: ast.Mult,
         ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq,
         ast.And: ast.Or, ast.Or: ast.And}
CALL_SWAPS = {"reduce_sum": "reduce_mean", "reduce_mean": "reduce_sum", "ones_like": "zeros_like",
              "zeros_like": "ones_like", "sigmoid": "tanh", "transpose": "identity", "argmax": "argmin",
              "insert": "append", "mean": "sum", "var": "std", "concatenate": "stack"}


def _in_regions(node, solved) -> bool:
    line = getattr(node, "lineno", None)
    return line is not None and any(r.first < line < r.last for r in solved)


def _mutations(node):
    """(description, mutate(node) -> None) for one node."""
    if isinstance(node, (ast.BinOp, ast.BoolOp)) and type(node.op) in SWAPS:
        new = SWAPS[type(node.op)]
        yield f"{type(node.op).__name__} → {new.__name__}", lambda n: setattr(n, "op", new())
    if isinstance(node, ast.Compare) and type(node.ops[0]) in SWAPS:
        new = SWAPS[type(node.ops[0])]
        yield f"{type(node.ops[0]).__name__} → {new.__name__}", lambda n: n.ops.__setitem__(0, new())
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        yield f"{node.value!r} → {node.value + 1!r}", lambda n: setattr(n, "value", n.value + 1)
    if isinstance(node, ast.Constant) and type(node.value) is bool:
        yield f"{node.value} → {not node.value}", lambda n: setattr(n, "value", not n.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        yield "-x → x", lambda n: setattr(n, "op", ast.UAdd())
    if isinstance(node, ast.Return) and node.value is not None:  # a judge that fails open would pass NaN
        nan = ast.Call(func=ast.Name("float", ast.Load()), args=[ast.Constant("nan")], keywords=[])
        yield "return x → return x·NaN", lambda n: setattr(n, "value", ast.BinOp(left=n.value, op=ast.Mult(), right=nan))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in CALL_SWAPS:
        new = CALL_SWAPS[node.func.attr]
        yield f".{node.func.attr}() → .{new}()", lambda n: setattr(n.func, "attr", new)


def mutants(module: str):
    """(line, description, mutated source, task) for every mutant of a solutions/ module."""
    source = (SOLUTIONS / f"{module}.py").read_text(encoding="utf-8")
    solved = regions(source, module)
    tree = ast.parse(source)
    targets = [n for n in ast.walk(tree) if _in_regions(n, solved)]
    for index, node in enumerate(targets):
        task = next(r.task for r in solved if r.first < node.lineno < r.last)
        for description, mutate in _mutations(node):
            mutated = copy.deepcopy(tree)
            mutate([n for n in ast.walk(mutated) if _in_regions(n, solved)][index])
            yield node.lineno, description, ast.unparse(mutated), task


def survives(package: Path, module: str, source: str, exercise: str, seed: int, task: str = "") -> bool:
    """Grade one mutant in-process with its exercise's hidden suite (the mutated task's checks
    first); True if it loses no point."""
    (package / f"{module}.py").write_text(source, encoding="utf-8")
    for name in [m for m in sys.modules if m == "mutant" or m.startswith("mutant.")]:
        del sys.modules[name]
    code = run_suite([str(HIDDEN), "-x", "-m", exercise, "--submission", "mutant", "--in-process", "--grading-seed",
                      str(seed), "--timeout", "120"], OwnTaskFirst(task))
    return code == pytest.ExitCode.OK


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.lab.mutation", description=__doc__.splitlines()[0])
    parser.add_argument("--exercise", nargs="*", default=list(EXERCISES), choices=EXERCISES)
    parser.add_argument("--seed", type=int, default=2021)
    args = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="nnkit-mutants-"))
    package = scratch / "mutant"
    shutil.copytree(SOLUTIONS, package, ignore=shutil.ignore_patterns("__pycache__"))
    sys.path.insert(0, str(scratch))
    start, total, survivors = time.perf_counter(), 0, []
    try:
        for module in args.exercise:
            original = (package / f"{module}.py").read_text(encoding="utf-8")
            for line, description, source, task in mutants(module):
                total += 1
                if survives(package, module, source, module, args.seed, task):
                    survivors.append(f"{module}.py:{line}: {description}")
                    print(f"SURVIVED {survivors[-1]}", flush=True)
            (package / f"{module}.py").write_text(original, encoding="utf-8")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    killed = total - len(survivors)
    print(f"mutation score: {killed}/{total} killed ({100.0 * killed / max(total, 1):.1f} %) "
          f"in {time.perf_counter() - start:.0f} s, seed {args.seed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

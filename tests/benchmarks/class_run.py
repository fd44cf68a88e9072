"""A class as an instructor gets it, graded and regraded with the command line.

30 submissions in the shapes of an LMS download (folders, zips, a wrapper folder, `exercises/`
inside, `__MACOSX`, notebooks), most with one realistic mistake from the corpus
(tests/kit/corpora/mistakes.py), a few broken (a syntax error, nothing found, a corrupt zip); a roster with
two students who submitted nothing. Graded with `nn-kit grade --jobs 2 --roster`, then one student
fixes the mistake and is regraded alone. Prints the timings, the gradebook's rows for that student
before and after, the history, and the checks the class failed most.

    python -m tests.benchmarks.class_run [--size 30] [--jobs 2]
"""

import argparse
import csv
import io
import json
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import nbformat

from grader.catalogue import EXERCISES, KIT
from grader.gradebook import store
from tests.kit.corpora.mistakes import CORPUS


def modules(mistake=None) -> dict[str, str]:
    """The reference modules, with one mistake planted."""
    sources = {name: (KIT / "solutions" / f"{name}.py").read_text() for name in EXERCISES}
    if mistake:
        sources[mistake.module] = sources[mistake.module].replace(mistake.old, mistake.new, 1)
    return sources


def write(folder: Path, sources: dict, notebooks=False) -> None:
    folder.mkdir(parents=True)
    for name, source in sources.items():
        if notebooks:
            notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
            nbformat.write(notebook, folder / f"{name}.ipynb")
        else:
            (folder / f"{name}.py").write_text(source)


def zipped(target: Path, sources: dict, prefix="") -> None:
    with zipfile.ZipFile(target, "w") as archive:
        for name, source in sources.items():
            archive.writestr(f"{prefix}{name}.py", source)
        if prefix:
            archive.writestr(f"__MACOSX/{prefix}._perceptron.py", b"\x00\x05")


def make_class(folder: Path, size: int) -> list[str]:
    """The class folder; returns the names of its students."""
    names = []
    for i in range(size):
        name = f"student{i:02d}"
        names.append(name)
        sources = modules(CORPUS[(7 * i) % len(CORPUS)] if i % 5 else None)  # every fifth is right
        if i == 7:
            sources["perceptron"] = "def step_fn(a)\n    return a\n" + sources["perceptron"]
        shape = i % 6
        if i == 13:
            (folder / name).mkdir(parents=True)
            (folder / name / "notes.txt").write_text("I ran out of time")
        elif i == 19:
            (folder / f"{name}.zip").write_bytes(b"PK\x03\x04 not really a zip")
        elif shape == 0:
            write(folder / name, sources)
        elif shape == 1:
            folder.mkdir(exist_ok=True)
            zipped(folder / f"{name}.zip", sources)
        elif shape == 2:
            write(folder / name / "hw3-submission", sources)
        elif shape == 3:
            write(folder / name / "exercises", sources)
        elif shape == 4:
            zipped(folder / f"{name}.zip", sources, prefix=f"{name}-hw3/")
        else:
            write(folder / name, sources, notebooks=True)
    return names


def grade(*args: str) -> float:
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "grader", "grade", *args], cwd=KIT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if run.returncode != 0:
        print(run.stdout[-2000:], run.stderr[-2000:], sep="\n")
    return seconds


def row(out: Path, student: str) -> str:
    with open(out / "gradebook.csv", newline="") as handle:
        found = next(r for r in csv.DictReader(handle) if r["student"] == student)
    return f"total {found['total']}, seed {found['seed']}, status {found['status']}"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        folder, out = Path(scratch) / "class", Path(scratch) / "reports"
        names = make_class(folder, args.size)
        roster = Path(scratch) / "roster.csv"
        roster.write_text("student\n" + "\n".join([*names, "absent1", "absent2"]) + "\n")
        seconds = grade(str(folder), "--jobs", str(args.jobs), "--out", str(out), "--roster", str(roster), "--seed", "7")
        print(f"class of {args.size}, --jobs {args.jobs}: {seconds:.0f} s ({seconds / args.size:.1f} s per submission)")
        fixed = next(n for i, n in enumerate(names) if i % 5 and i % 6 == 0 and i not in (7, 13, 19))
        print(f"{fixed} before the regrade: {row(out, fixed)}")
        shutil.rmtree(folder / fixed)
        write(folder / fixed, modules())
        seconds = grade(str(folder / fixed), "--out", str(out), "--seed", "8")
        print(f"regrade of {fixed} alone: {seconds:.0f} s; after: {row(out, fixed)}")
        history = store.history(out)
        missing = json.loads((out / "class.json").read_text())["missing"]
        print(f"gradebook: {len(store.latest(out))} students, {len(history)} gradings; missing: {missing}")
        with open(out / "checks.csv", newline="") as handle:
            checks = sorted(csv.DictReader(handle), key=lambda c: float(c["pass_rate"]))
        text = io.StringIO()
        for check in checks[:8]:
            print(f"  {float(check['pass_rate']):5.0%}  {check['task']:<28} {check['top_category']:<16} "
                  f"{check['top_message'][:70]}", file=text)
        print("checks the class failed most:\n" + text.getvalue(), end="")


if __name__ == "__main__":
    main()

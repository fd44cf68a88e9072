"""Red team: hostile and broken submissions earn nothing, break nothing, and are told why.

The corpus (tests/kit/corpora/redteam.py) is graded with --jobs 2 beside two honest submissions, each case on
the exercises it involves (`Case.exercises`): at the user level (workers run as unprivileged uids;
needs root) and, for the attacks whose outcome depends on it, at the confined level with the grader
run as a normal user (what an instructor on a laptop or JupyterHub gets) and at the process level
(same user as the grader).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from grader.catalogue import KIT
from grader.isolation import sandbox
from grader.isolation.policy import DEFAULT_WORKER_UID
from grader.isolation.staging import find
from grader.scoring.run import Options, grade_all
from tests.kit.corpora.redteam import ADVANCED, CASES, FULL

FULL_EXERCISES = tuple(FULL)

CALL_SECONDS = 4.0  # load never turns into a timeout (see sandbox._DeadlineReader)
MAX_SECONDS_PER_CASE = 240
PROCESS_LEVEL = ("tamper-numpy", "forge-reports", "snoop-solutions", "os-exit-in-function", "memory-bomb",
                 "loop-in-function", "inherited-memory")
# the attacks on what confinement hides, graded by a grader that is not root (namespaces and Landlock
# alone: what an instructor on a laptop or JupyterHub gets), from the instructor's own copy of the kit
CONFINED_LEVEL = ("fork-bomb", "snoop-solutions", "snoop-hidden-tests", "snoop-environment", "snoop-labels", "walk-filesystem",
                  "forge-reports", "atexit-and-signals", "shared-places", "disk-flood", "network",
                  "delete-working-directory", "forge-frames", "class-entry-link", "inherited-memory",
                  "notebook-metadata-of-another-type", "zip-member-named-nul", "module-of-mode-000")
# one worker runs the three batches one after another under pytest -n: the process level leaves its
# forged files in /tmp for a moment, which the other levels' leftover checks would count
pytestmark = [pytest.mark.xdist_group("redteam"), pytest.mark.slow]
# a uid block of its own, so that other tests grading at the same time (pytest -n) never look like leftovers
REDTEAM_UID = DEFAULT_WORKER_UID + 500
USER_LEVEL = os.geteuid() == 0 and not sandbox.python_runs_as(DEFAULT_WORKER_UID)
INSTRUCTOR_UID = DEFAULT_WORKER_UID + 900  # the normal user who grades in the confined-level test (run as root)
KIT_PARTS = ("pyproject.toml", "grader", "tests", "solutions", "exercises", "data")
# the confined-level batches, run by the instructor's Python in the instructor's copy of the kit
AS_INSTRUCTOR = """import json, sys
from grader.isolation.staging import find
from grader.scoring.run import Options, grade_all
reports = [r for exercises, folder in json.loads(sys.argv[1]) for r in grade_all(
    find([folder]), Options(seed=99, jobs=2, call_timeout=float(sys.argv[3]), exercises=tuple(exercises)))]
open(sys.argv[2], 'w').write(json.dumps(reports))"""


def make_classes(root: Path, cases) -> list[tuple[tuple, str]]:
    """One class folder per set of exercises the cases are graded on, each with an honest classmate
    (two in the one graded on every exercise), who must score as if graded alone: [(exercises, folder)]."""
    groups = {FULL_EXERCISES: []}
    for case in cases:
        groups.setdefault(case.exercises, []).append(case)
    classes = []
    for exercises, group in groups.items():
        folder = root / f"class-{len(classes)}"
        for case in group:
            case.make(folder / case.name)
        honest = ("honest-1", "honest-2") if exercises == FULL_EXERCISES else (f"honest-of-class-{len(classes)}",)
        for name in honest:
            shutil.copytree(KIT / "solutions", folder / name, ignore=shutil.ignore_patterns("__pycache__"))
        classes.append((exercises, str(folder)))
    return classes


def batch(tmp_path: Path, cases, uid, isolation: str = "auto") -> tuple[dict, float]:
    start = time.perf_counter()
    reports = [report for exercises, folder in make_classes(tmp_path, cases) for report in grade_all(
        find([folder]), Options(seed=99, jobs=2, worker_uid=uid, call_timeout=CALL_SECONDS, isolation=isolation,
                                exercises=exercises))]
    return {r["student"]: r for r in reports}, time.perf_counter() - start


def check(reports: dict, cases, level: str) -> None:
    assert {n: e["earned"] for n, e in reports["honest-1"]["exercises"].items()} == FULL
    for name in (name for name in reports if name.startswith("honest")):
        assert all(e["earned"] == e["possible"] for e in reports[name]["exercises"].values()), name
    problems = []
    for case in cases:
        report = reports[case.name]
        scores = {n: e["earned"] for n, e in report["exercises"].items() if e["possible"]}
        categories = {t["category"] for t in report["tests"] if t["earned"] < t["points"]}
        if scores != case.score(level):
            problems.append(f"{case.name}: {scores} != {case.score(level)}")
        elif case.score(level) != {n: {**FULL, **ADVANCED}[n] for n in case.exercises} and categories != case.categories_at(level):
            problems.append(f"{case.name}: categories {categories} != {case.categories_at(level)}")
        if case.warning_at(level) not in " ".join(report["warnings"]):
            problems.append(f"{case.name}: warnings {report['warnings']} lack {case.warning_at(level)!r}")
        if report["seconds"] > MAX_SECONDS_PER_CASE:
            problems.append(f"{case.name}: {report['seconds']} s")
    assert not problems, "\n".join(problems)


def leftovers(uids) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid in uids:
                    found.append(f"process {entry.name}")
            except OSError:
                continue
    for folder in (Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"), Path("/run/lock")):
        found += [str(p) for p in (folder.iterdir() if folder.is_dir() else ()) if p.name.startswith("nnkit-redteam")
                  or (p.exists() and p.lstat().st_uid in uids)]
    for kind in ("shm", "msg", "sem"):  # System V objects of the shared-places case (key 0x6E6B)
        rows = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()[1:]
        found += [f"System V {kind} {row.split()[0]}" for row in rows if row.split()[0] == str(0x6E6B)]
    return found


@pytest.mark.skipif(not USER_LEVEL, reason="the user level needs root and a Python the worker uid can run")
@pytest.mark.timeout(1800)
def test_hostile_submissions_at_the_user_level(tmp_path):
    assert len(CASES) >= 25
    uids = set(range(REDTEAM_UID, REDTEAM_UID + 100))
    before = leftovers(uids)  # what an interrupted earlier run may have left
    reports, seconds = batch(tmp_path, CASES, REDTEAM_UID)
    check(reports, CASES, "user")
    assert all(r["isolation"].startswith("user:") for r in reports.values() if not r["attention"])
    assert leftovers(uids) == before
    print(f"\n{len(CASES)} hostile cases + 2 honest at the user level: {seconds:.0f} s, worst case "
          f"{max(r['seconds'] for r in reports.values()):.0f} s")


def as_instructor(cases) -> tuple[dict, float]:
    """Grade the cases as a normal user would: not root, from their own copy of the kit."""
    home = Path(tempfile.mkdtemp(prefix="nnkit-instructor-"))
    try:
        home.chmod(0o711)
        kit = home / "kit"
        kit.mkdir()
        for part in KIT_PARTS:
            source = KIT / part
            if source.is_dir():
                shutil.copytree(source, kit / part, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
            else:
                shutil.copy2(source, kit / part)
        classes = make_classes(home / "classes", cases)
        for path in (home, *home.rglob("*")):
            os.chown(path, INSTRUCTOR_UID, INSTRUCTOR_UID, follow_symlinks=False)
        start = time.perf_counter()
        run = subprocess.run([sys.executable, "-c", AS_INSTRUCTOR, json.dumps(classes), str(home / "reports.json"),
                              str(CALL_SECONDS)], user=INSTRUCTOR_UID, group=INSTRUCTOR_UID, extra_groups=[],
                             cwd=kit, env={"PATH": "/usr/bin:/bin", "HOME": str(home)}, capture_output=True,
                             text=True, timeout=1500)
        seconds = time.perf_counter() - start
        assert run.returncode == 0, run.stderr[-3000:]
        return {r["student"]: r for r in json.loads((home / "reports.json").read_text())}, seconds
    finally:
        shutil.rmtree(home, ignore_errors=True)


@pytest.mark.skipif(os.geteuid() != 0 or bool(sandbox.python_runs_as(INSTRUCTOR_UID)),
                    reason="run as root, with a Python a normal user can run, to grade as that user")
@pytest.mark.timeout(1800)
def test_hostile_submissions_graded_by_a_normal_user():
    cases = [case for case in CASES if case.name in CONFINED_LEVEL]
    before = leftovers({INSTRUCTOR_UID})
    reports, seconds = as_instructor(cases)
    check(reports, cases, "confined")
    assert all(r["isolation"].startswith("confined:") for r in reports.values() if not r["attention"])
    deadline = time.monotonic() + 10  # workers die with their grader, an instant after it
    while leftovers({INSTRUCTOR_UID}) != before and time.monotonic() < deadline:
        time.sleep(0.5)
    assert leftovers({INSTRUCTOR_UID}) == before
    print(f"\n{len(cases)} hostile cases + 2 honest graded by a normal user (confined level): {seconds:.0f} s")


@pytest.mark.timeout(1800)
def test_hostile_submissions_at_the_process_level(tmp_path):
    cases = [case for case in CASES if case.name in PROCESS_LEVEL]
    before = set(Path("/tmp").glob("nnkit-redteam*"))
    try:
        reports, seconds = batch(tmp_path, cases, None, isolation="process")
        check(reports, cases, "process")
        assert all(r["isolation"].startswith("process:") for r in reports.values() if not r["attention"])
    finally:
        for stale in set(Path("/tmp").glob("nnkit-redteam*")) - before:
            stale.unlink()  # at the process level the worker can write where the grader can (see grader/isolation/README.md)

"""Red team: hostile and broken submissions earn nothing, break nothing, and are told why.

The corpus (tests/kit/redteam.py) is graded in one batch with --jobs 2 beside two honest
submissions, at the user level (workers run as unprivileged uids; needs root) and, for the attacks
whose outcome depends on it, at the process level (same user as the grader).
"""

import os
import shutil
import time
from pathlib import Path

import pytest

from grader import grade, sandbox
from grader.cli import DEFAULT_WORKER_UID
from grader.grade import Options
from grader.submissions import find
from tests.kit.redteam import CASES, FULL

CALL_SECONDS = 4.0  # load never turns into a timeout (see sandbox._DeadlineReader)
MAX_SECONDS_PER_CASE = 240
PROCESS_LEVEL = ("tamper-numpy", "forge-reports", "snoop-solutions", "os-exit-in-function", "memory-bomb",
                 "loop-in-function", "inherited-memory")
# the attacks on what confinement hides, graded at the confined level (no worker uid: namespaces and
# Landlock alone, which is what a grader who is not root gets). Not the fork bomb: run as root here,
# the worker would be uid 0, which the kernel exempts from every process limit.
CONFINED_LEVEL = ("snoop-solutions", "snoop-hidden-tests", "snoop-environment", "snoop-labels", "walk-filesystem",
                  "forge-reports", "atexit-and-signals", "shared-places", "disk-flood", "network",
                  "delete-working-directory", "forge-frames", "class-entry-link", "inherited-memory")
# one worker runs the three batches one after another under pytest -n: the process level leaves its
# forged files in /tmp for a moment, which the other levels' leftover checks would count
pytestmark = pytest.mark.xdist_group("redteam")
# a uid block of its own, so that other tests grading at the same time (pytest -n) never look like leftovers
REDTEAM_UID = DEFAULT_WORKER_UID + 500
USER_LEVEL = os.geteuid() == 0 and not sandbox.python_runs_as(DEFAULT_WORKER_UID)


def batch(tmp_path: Path, cases, uid, isolation: str = "auto") -> tuple[dict, float]:
    folder = tmp_path / "class"
    for case in cases:
        case.make(folder / case.name)
    for name in ("honest-1", "honest-2"):
        shutil.copytree(grade.KIT / "solutions", folder / name, ignore=shutil.ignore_patterns("__pycache__"))
    start = time.perf_counter()
    reports = grade.grade_all(find([folder]), Options(seed=99, jobs=2, worker_uid=uid, call_timeout=CALL_SECONDS,
                                                      isolation=isolation))
    return {r["student"]: r for r in reports}, time.perf_counter() - start


def check(reports: dict, cases, level: str) -> None:
    for name in ("honest-1", "honest-2"):
        assert {n: e["earned"] for n, e in reports[name]["exercises"].items()} == FULL, name
    problems = []
    for case in cases:
        report = reports[case.name]
        scores = {n: e["earned"] for n, e in report["exercises"].items()}
        categories = {t["category"] for t in report["tests"] if t["earned"] < t["points"]}
        if scores != case.score(level):
            problems.append(f"{case.name}: {scores} != {case.score(level)}")
        elif case.score(level) != FULL and categories != case.categories:
            problems.append(f"{case.name}: categories {categories} != {case.categories}")
        if case.warning not in " ".join(report["warnings"]):
            problems.append(f"{case.name}: warnings {report['warnings']} lack {case.warning!r}")
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
    assert all(r["isolation"].startswith("user:") for r in reports.values())
    assert leftovers(uids) == before
    print(f"\n{len(CASES)} hostile cases + 2 honest at the user level: {seconds:.0f} s, worst case "
          f"{max(r['seconds'] for r in reports.values()):.0f} s")


@pytest.mark.skipif(not sandbox.available_layers(None), reason="neither Landlock nor user namespaces work here")
@pytest.mark.timeout(1800)
def test_hostile_submissions_at_the_confined_level(tmp_path):
    cases = [case for case in CASES if case.name in CONFINED_LEVEL]
    before = leftovers(set())
    reports, seconds = batch(tmp_path, cases, None)
    check(reports, cases, "confined")
    assert all(r["isolation"].startswith("confined:") for r in reports.values())
    assert leftovers(set()) == before
    print(f"\n{len(cases)} hostile cases + 2 honest at the confined level: {seconds:.0f} s")


@pytest.mark.timeout(1800)
def test_hostile_submissions_at_the_process_level(tmp_path):
    cases = [case for case in CASES if case.name in PROCESS_LEVEL]
    before = set(Path("/tmp").glob("nnkit-redteam*"))
    try:
        reports, seconds = batch(tmp_path, cases, None, isolation="process")
        check(reports, cases, "process")
        assert all(r["isolation"].startswith("process:") for r in reports.values())
    finally:
        for stale in set(Path("/tmp").glob("nnkit-redteam*")) - before:
            stale.unlink()  # at the process level the worker can write where the grader can (see the README)

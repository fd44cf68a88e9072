"""pytest plugin of the hidden suites: the `student` fixture, the grading seed, points, results.

    pytest tests/hidden                                     # reference solutions, in-process
    pytest tests/hidden --submission exercises              # the skeletons, in-process
    pytest tests/hidden --submission DIR --results r.json   # a student's files, in a worker

Every hidden test carries `@pytest.mark.points(n)` and one exercise marker. The results file
lists every test with its points, what it earned, and for a failure the category and the message
meant for the student (never the test's source).
"""

import ctypes
import functools
import hashlib
import hmac
import inspect
import json
import os
import platform
import secrets
import time
import traceback
import zlib
from pathlib import Path

import numpy as np
import pytest

from grader.catalogue import EXERCISES, HIDDEN, KIT
from grader.isolation.policy import Limits
from grader.scoring.rubric import rubric, task_points, task_uses
from grader.scoring.student import Student
from grader.scoring.report import GRADER_FAULT
from grader.scoring.verdicts import JUDGE_ERRORS, verdict

PACKAGES = ("solutions", "exercises")
DEPENDENCIES = ("own", "reference")  # the grading policy of a task's dependencies (README: instructor guide)
# the layers that keep what one worker held from the next: its System V IPC (namespaces), its writes (Landlock)
NEEDS_OWN_WORKERS = ("namespaces", "landlock")
RESULTS_KEY = "NNKIT_RESULTS_KEY"


def pytest_addoption(parser):
    group = parser.getgroup("nn-kit grading")
    group.addoption("--submission", default="solutions",
                    help="'solutions' or 'exercises' (run in-process), or a directory of modules (run in a worker)")
    group.addoption("--in-process", action="store_true",
                    help="import --submission as a package in this process (trusted code only, e.g. mutants)")
    group.addoption("--grading-seed", type=int, default=None, help="seed of the randomized inputs (default: random)")
    group.addoption("--results", default=None, help="write the graded results as JSON to this file")
    group.addoption("--worker-uid", type=int, default=None, help="as root: run the worker as this unprivileged uid")
    group.addoption("--call-timeout", type=float, default=Limits.call_seconds, help="seconds per call into student code")
    group.addoption("--hide", action="append", default=[], help="a folder no worker may read (repeatable)")
    group.addoption("--isolation", choices=("auto", "process"), default="auto",
                    help="auto: the strongest level available (refused if only the process level is); process: that level")
    group.addoption("--dependencies", choices=DEPENDENCIES, default="own",
                    help="own: a task is graded with the submission's own tasks it uses; reference: a check that "
                         "fails where a task it uses fails is graded again with the reference's functions of those")


def pytest_configure(config):
    config.addinivalue_line("markers", "points(n): what a hidden test is worth")
    if config.getoption("--grading-seed") is None:
        config.option.grading_seed = secrets.randbelow(2**31)
    if not in_process(config):
        _not_dumpable()
    config._nnkit_results = []


def _not_dumpable() -> None:
    """Make this trusted process's memory, fds and environment unreadable through /proc for a
    worker of the same user (PR_SET_DUMPABLE 0), and adopt what outlives a zygote that died
    (PR_SET_CHILD_SUBREAPER; a live zygote adopts and ends what its workers leave running)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(4, 0, 0, 0, 0)
        libc.prctl(36, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def pytest_report_header(config):
    return f"grading seed: {config.getoption('--grading-seed')}, submission: {config.getoption('--submission')}"


def in_process(config) -> bool:
    return config.getoption("--submission") in PACKAGES or config.getoption("--in-process")


@pytest.fixture(scope="session")
def student(request):
    submission = request.config.getoption("--submission")
    if in_process(request.config):
        access = Student.in_process(submission)
    else:
        limits = Limits(call_seconds=request.config.getoption("--call-timeout"),
                        isolation=request.config.getoption("--isolation"), hidden=tuple(request.config.getoption("--hide")))
        access = Student.isolated(Path(submission), limits, request.config.getoption("--worker-uid"))
    request.config._nnkit_isolation = access.isolation
    request.config._nnkit_student = access
    yield access
    access.close()


def check_rng(seed: int, nodeid: str) -> np.random.Generator:
    """The generator of one hidden test under one grading seed: same seed, same inputs."""
    return np.random.default_rng([seed, zlib.crc32(nodeid.encode())])


@pytest.fixture
def rng(request) -> np.random.Generator:
    return check_rng(request.config.getoption("--grading-seed"), request.node.nodeid)


def is_hidden(item) -> bool:
    return Path(str(item.path)).parent.name == "hidden"


def exercise_of(item) -> str:
    names = [m.name for m in item.iter_markers() if m.name in EXERCISES]
    return names[0] if names else "?"


def task_of(item) -> str:
    marker = item.get_closest_marker("task")
    return marker.args[0] if marker else "?"


def pytest_collection_modifyitems(config, items):
    """Every hidden check collected must be in the rubric (read from the source) as collected. With
    the reference's dependencies, the checks run in the order of the tasks (a task's after those of
    the tasks it uses)."""
    if config.getoption("--dependencies") == "reference":
        if in_process(config):
            raise pytest.UsageError("--dependencies reference grades a submission in workers (not --in-process)")
        order = {task: index for index, task in enumerate(task_points())}
        items.sort(key=lambda item: order.get(task_of(item), len(order)))
    checks = {check["id"]: check for check in rubric()}
    for item in filter(is_hidden, items):
        points = item.get_closest_marker("points")
        where = f"{Path(str(item.path)).relative_to(HIDDEN.parent.parent).as_posix()}::{item.name}"
        collected = {"id": where, "exercise": exercise_of(item), "task": task_of(item),
                     "points": points.args[0] if points else None}
        if checks.get(where) != collected or not collected["task"].startswith(collected["exercise"] + "."):
            raise pytest.UsageError(f"{item.nodeid}: collected as {collected}, but the rubric read from the source "
                                    f"has {checks.get(where)}; a hidden test needs @pytest.mark.points(n), "
                                    f"its module's exercise marker and @pytest.mark.task(name) of a task of that exercise")
        item.repr_failure = functools.partial(failure_text, item)


def failure_text(item, excinfo) -> str:
    """What a failed hidden check shows: its verdict, or for a fault of the grader the traceback.
    (pytest's own long form re-parses the source of every frame: ~0.3 s a failure.)"""
    category, message = item_verdict(item, excinfo)
    if category == GRADER_FAULT:
        return f"{GRADER_FAULT}: " + "".join(traceback.format_exception(excinfo.value))
    return f"{category}: {message}"


GRADER = KIT / "grader"  # an error raised in here (the sandbox, the wire) is the grader's …
JUDGES = GRADER / "scoring" / "judges.py"  # … but not one a judge raises on what it was given


def item_verdict(item, excinfo, judging: bool = True) -> tuple[str, str]:
    """The verdict of a failed hidden check (see `verdict`), found once per failure. A check whose
    own code raised, while `judging` (the test's call, not its set-up), on what the student's code
    returned (a string in a list of weights, a ragged list) is the student's failure if the reference
    solutions pass the same check with the same seed; an error raised inside the grader's own code
    (grader/: the sandbox, the wire), or a check that fails the reference too, is the grader's fault."""
    cached = getattr(item, "_nnkit_verdict", None)
    if cached and cached[0] is excinfo.value:
        return cached[1]
    tampered = getattr(getattr(item.config, "_nnkit_student", None), "tampered", ())
    result = verdict(excinfo, tampered)
    error = excinfo.value
    kind = isinstance(error, JUDGE_ERRORS) or type(error).__name__ == "InvalidArgumentError"
    inside = any(Path(str(entry.path)).resolve().is_relative_to(GRADER) and Path(str(entry.path)).resolve() != JUDGES
                 for entry in excinfo.traceback)
    if result[0] == GRADER_FAULT and judging and kind and not inside and _reference_passes(item):
        result = "type", (f"the check could not use what {task_of(item)} returned ({excinfo.typename}: "
                          f"{str(excinfo.value)[:200]}); the reference solutions pass this same check\n"
                          f"  hint: return what the task's docstring says, of the types and shapes it names")
    item._nnkit_verdict = (excinfo.value, result)
    return result


def _reference_passes(item) -> bool:
    """Does the check pass when the reference solutions answer it, with the same inputs?"""
    if item.config.getoption("--submission") == "solutions" or not hasattr(item, "obj"):
        return False
    if not hasattr(item.config, "_nnkit_reference"):
        item.config._nnkit_reference = Student.in_process("solutions")
    args = {name: item.funcargs[name] for name in inspect.signature(item.obj).parameters if name in item.funcargs}
    args.update({"student": item.config._nnkit_reference} if "student" in args else {})
    args.update({"rng": check_rng(item.config.getoption("--grading-seed"), item.nodeid)} if "rng" in args else {})
    try:
        item.obj(**args)
    except Exception:  # noqa: BLE001  (any failure of the reference leaves the verdict a grader fault)
        return False
    return True


def _failing_uses(item) -> list[str]:
    """The tasks the check's task uses whose checks have failed so far, in the tasks' order."""
    failed = {entry["task"] for entry in item.config._nnkit_results[:-1] if entry["category"] not in (None, GRADER_FAULT)}
    return [task for task in task_points() if task in failed and task in task_uses().get(task_of(item), set())]


def _passes_with_references(item, tasks: list[str]) -> bool:
    """Does the check pass when the reference's functions of `tasks` stand in for the submission's
    (in a worker of its own, ended after this check: it held reference code)? Nothing of this run
    reaches the student but that one bit: the message shown is the check's own."""
    own = item.config._nnkit_student
    if not all(f"{layer}:" in own.isolation for layer in NEEDS_OWN_WORKERS):
        return False
    student = own.with_references(tasks)
    args = {name: item.funcargs[name] for name in inspect.signature(item.obj).parameters if name in item.funcargs}
    args.update({"student": student} if "student" in args else {})
    args.update({"rng": check_rng(item.config.getoption("--grading-seed"), item.nodeid)} if "rng" in args else {})
    try:
        item.obj(**args)
    except KeyboardInterrupt:
        raise
    except BaseException:  # noqa: BLE001  (whatever failed, a check's time limit included: not passed this way)
        return False
    finally:
        student.backend.close()
        own.backend.used = max(own.backend.used, student.backend.used)
    return True


def _waited(config) -> float:
    return getattr(getattr(config, "_nnkit_student", None), "waited", 0.0)


def pytest_runtest_setup(item):
    item._nnkit_waited = _waited(item.config)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    report = (yield).get_result()
    if not is_hidden(item):
        return
    if report.failed:
        seed = item.config.getoption("--grading-seed")
        report.sections.append(("grading seed", f"{seed}; reproduce with: pytest {item.nodeid} --grading-seed {seed}"))
    results = item.config._nnkit_results
    if call.when == "setup":
        points = item.get_closest_marker("points").args[0]
        results.append({"id": item.nodeid, "exercise": exercise_of(item), "task": task_of(item), "points": points,
                        "earned": 0, "category": None, "message": "", "seconds": 0.0})
    entry = results[-1]
    entry["seconds"] = round(entry["seconds"] + report.duration, 3)
    waited = _waited(item.config)  # the time this phase waited on workers
    entry["worker_seconds"] = round(entry.get("worker_seconds", 0.0) + waited - item._nnkit_waited, 3)
    item._nnkit_waited = waited
    if report.failed and entry["category"] is None:
        entry["category"], entry["message"] = item_verdict(item, call.excinfo, call.when == "call") \
            if call.excinfo else (GRADER_FAULT, "")
        if entry["category"] == GRADER_FAULT and call.excinfo:  # for the instructor's report only
            entry["detail"] = f"{call.excinfo.typename}: {str(call.excinfo.value)[:300]}"
    if call.when == "call" and report.passed:
        entry["earned"] = entry["points"]
    own_task_blank = f"{task_of(item)} is not implemented" in entry["message"]  # (a used task's blank is no reason)
    if (call.when == "call" and report.failed and item.config.getoption("--dependencies") == "reference"
            and entry["category"] != GRADER_FAULT and not own_task_blank):
        used = _failing_uses(item)
        if used and _passes_with_references(item, used):
            entry["earned"], entry["category"] = entry["points"], None
            entry["message"] = (f"passes with the reference's {', '.join(used)} in place of yours (each task is "
                                f"graded on its own); with yours:\n{entry['message']}")
    if call.when == "teardown" and entry["category"] is not None:
        entry["earned"] = 0


def sign(payload: dict, key: str) -> str:
    body = json.dumps(payload, sort_keys=True).encode()
    return hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


def pytest_sessionfinish(session):
    config = session.config
    path = config.getoption("--results")
    if not path:
        return
    payload = {
        "submission": config.getoption("--submission"),
        "seed": config.getoption("--grading-seed"),
        "isolation": getattr(config, "_nnkit_isolation", "none: no test reached student code"),
        "versions": {"python": platform.python_version(), "tensorflow": _version("tensorflow"),
                     "numpy": np.__version__, "pytest": pytest.__version__},
        "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "tests": config._nnkit_results,
        "dependencies": config.getoption("--dependencies"),
    }
    key = os.environ.get(RESULTS_KEY)
    if key:
        payload["signature"] = sign(payload, key)
    Path(path).write_text(json.dumps(payload, indent=1), encoding="utf-8")


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "?"

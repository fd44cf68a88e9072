"""Grade submissions with the hidden suites.

Each job slot is a trusted process (grader/slot.py) that runs the hidden suites (tests/hidden with
grader.plugin) for one submission after another; every call into student code goes to a sandboxed
worker. The trusted process signs its results with a key only it and this process know; results that are missing, unsigned or forged count as
nothing, and every check of the rubric appears in the report whatever happened.
"""

import atexit
import json
import os
import queue
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from grader.plugin import FAULT_MESSAGE, GRADER_FAULT, RESULTS_KEY, sign
from grader.rubric import HIDDEN, rubric, task_points, task_uses
from grader.sandbox import KIT, Limits
from grader.submissions import Submission, stage
from grader.course import ASSIGNMENTS, CORE, EXERCISES

SCHEMA = "nn-kit-report/1"
NOT_READ = "not read"  # the category of every check of a submission of which nothing gradable was read


@dataclass(frozen=True)
class Options:
    seed: int
    jobs: int = 1
    worker_uid: int | None = None  # as root: workers run as the first free uid from this one on
    call_timeout: float = Limits.call_seconds
    submission_timeout: float = 900.0
    isolation: str = "auto"  # or "process": the bare process level, for trusted code (see README)
    exercises: tuple[str, ...] = ASSIGNMENTS[CORE]  # the exercises graded (an assignment, or part of one)


def _verified(path: Path, key: str) -> dict | None:
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        signature = payload.pop("signature")
    except (OSError, ValueError, KeyError, AttributeError):
        return None
    return payload if secrets.compare_digest(str(signature), sign(payload, key)) else None


class Slot:
    """A trusted grading process (grader/slot.py) that grades submission after submission, with a
    results key of its own; a slot that dies or overruns is replaced by a fresh one.

    Slots are kept in a pool: one that outlives a `grade_all` waits for the next in this process
    (a regrade, another class), which then starts without importing TensorFlow again; only a
    grading in the environment the slot was started with takes it."""

    _idle: list["Slot"] = []
    _lock = threading.Lock()

    def __init__(self):
        self.key = secrets.token_hex(32)
        # the slot's temporary files (its workers' scratch folders, TensorFlow's autograph files) go in a
        # folder removed when it closes, however it ends; workers may pass through it to their scratch
        self.tmp = tempfile.mkdtemp(prefix="nnkit-slot-")
        os.chmod(self.tmp, 0o711)
        # only the kit's plugins (pytest-timeout, grader.plugin): no installed plugin takes part in grading
        self.environment = self._environment()
        env = self.environment | {RESULTS_KEY: self.key, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "TMPDIR": self.tmp}
        self.process = subprocess.Popen([sys.executable, "-m", "grader.slot"], cwd=KIT, env=env, text=True,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True)
        atexit.register(self.close)  # a slot kept for a whole run (nbgrader autograde's) is closed at its end

    def run(self, args: list[str], log: Path, seconds: float) -> int | None:
        """pytest's exit code for one grading, or None if the slot died or ran out of time."""
        try:
            self.process.stdin.write(json.dumps({"args": args, "log": str(log)}) + "\n")
            self.process.stdin.flush()
            if select.select([self.process.stdout], [], [], seconds)[0]:
                return int(json.loads(self.process.stdout.readline())["exit"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
        self.close()
        return None

    @staticmethod
    def _environment() -> dict:
        return {k: v for k, v in os.environ.items() if k != "KIT_TARGET"}

    @classmethod
    def take(cls) -> "Slot":
        with cls._lock:
            while cls._idle:
                slot = cls._idle.pop()
                if slot.alive and slot.environment == cls._environment():
                    return slot
                slot.close()
        return cls()

    def give_back(self) -> None:
        if self.alive:
            with self._lock:
                self._idle.append(self)
        else:
            self.close()

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        if self.alive:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        shutil.rmtree(self.tmp, ignore_errors=True)


def run_suites(staged: Path, options: Options, private: Path, slot: Slot) -> tuple[dict | None, str]:
    """(signed results of the trusted run, or None, and what went wrong if anything)."""
    results, log = private / "results.json", private / "pytest.log"
    args = [str(HIDDEN), "-q", "-p", "no:cacheprovider", "-p", "no:unraisableexception", "-p", "pytest_timeout",
            "--rootdir", str(KIT), "--submission", str(staged), "--grading-seed", str(options.seed),
            "--results", str(results), "--call-timeout", str(options.call_timeout), "--isolation", options.isolation]
    if options.worker_uid is not None:
        args += ["--worker-uid", str(options.worker_uid)]
    if set(options.exercises) != set(EXERCISES):
        args += ["-m", " or ".join(options.exercises)]
    code = slot.run(args, log, options.submission_timeout)
    if code is None:
        return None, f"the grading process stopped, or took longer than {options.submission_timeout:g} s"
    payload = _verified(results, slot.key)
    if payload is None:
        tail = log.read_text(errors="replace").strip().splitlines()[-3:] if log.exists() else []
        return None, f"the grading run ended without valid results (exit {code}): {' / '.join(tail)}"
    return payload, ""


def build_report(submission: Submission, payload: dict | None, problem: str, seconds: float,
                 options: Options) -> dict:
    """The report of one submission: every rubric check of the graded exercises, points per exercise
    (0 of 0 for an exercise not graded), total."""
    found = {t["id"]: t for t in (payload or {}).get("tests", [])}
    unread = {"earned": 0, "category": NOT_READ, "message": "; ".join(submission.attention), "seconds": 0.0}
    tests = []
    for check in (check for check in rubric() if check["exercise"] in options.exercises):
        result = unread if submission.attention else found.get(check["id"]) or {
            "earned": 0, "category": GRADER_FAULT, "message": FAULT_MESSAGE, "seconds": 0.0}
        earned = result["earned"] if result["earned"] in (0, check["points"]) else 0
        tests.append({**check, "earned": earned, "category": result["category"], "message": result["message"],
                      "seconds": result["seconds"]})
    _blame_used_tasks(tests)
    exercises = {name: {"earned": 0, "possible": 0} for name in EXERCISES if name in options.exercises}
    for test in tests:
        exercises[test["exercise"]]["earned"] += test["earned"]
        exercises[test["exercise"]]["possible"] += test["points"]
    earned, possible = sum(t["earned"] for t in tests), sum(t["points"] for t in tests)
    details = {t["id"]: t.get("detail", "") for t in (payload or {}).get("tests", [])}
    faults = [f"{t['id'].split('::')[-1]} {details.get(t['id'], '')}".strip()
              for t in tests if t["category"] == GRADER_FAULT] + ([f"the grading run: {problem}"] if problem else [])
    status = (f"needs attention: {'; '.join(submission.attention)}" if submission.attention else
              GRADER_FAULT + ": incomplete, regrade" if faults else "graded")
    return {
        "schema": SCHEMA,
        "student": submission.name,
        "seed": options.seed,
        "isolation": (payload or {}).get("isolation", "none: no grading run finished"),
        "versions": (payload or {}).get("versions", {}),
        "seconds": round(seconds, 2),
        "score": {"earned": earned, "possible": possible, "percent": round(100.0 * earned / possible, 2)},
        "exercises": exercises,
        "status": status,  # graded; needs attention: why nothing was graded; grader fault: incomplete, regrade
        "warnings": submission.warnings,  # for the student; what failed in the grader is in grader_faults
        "attention": submission.attention,  # for the instructor: why this is not a graded score
        "grader_faults": faults,
        "tests": tests,
    }


def _blame_used_tasks(tests: list[dict]) -> None:
    """Start the message of a failed check whose task uses another failing task (as its self-checks
    say) with that: the used task is the one to fix first. A module that does not import, or a
    message they share, already names the cause."""
    failed: dict[str, set] = {}
    for test in tests:
        if test["earned"] < test["points"] and test["category"] != GRADER_FAULT:
            failed.setdefault(test["task"], set()).add(test["message"])
    order = list(task_points())
    for test in tests:
        broken = sorted((used for used in task_uses().get(test["task"], set())
                         if used in failed and test["message"] not in failed[used]), key=order.index)
        imports = " does not import: " in test["message"]
        if test["task"] in failed and test["earned"] < test["points"] and broken and not imports:
            test["message"] = (f"{test['task']} uses {', '.join(broken)}, which {'fail' if len(broken) > 1 else 'fails'}"
                               f" too: fix that first, then look here again\n{test['message']}")


def _other_assignment(staged: Path, options: Options) -> str:
    """Why a submission that holds exercise modules, none of them graded, needs attention ('' if it
    does not): e.g. a class graded with the wrong --assignment."""
    held = [name for name in EXERCISES if (staged / f"{name}.py").exists()]
    if not held or set(held) & set(options.exercises):
        return ""
    return (f"it holds {', '.join(f'{name}.py' for name in held)}, none of the exercises graded "
            f"({', '.join(options.exercises)}): graded with the wrong --assignment?")


def grade_one(submission: Submission, options: Options, slot: Slot | None = None) -> dict:
    """The report of one submission, graded by `slot` (or by a slot of its own). A submission of
    which nothing gradable was read is not run at all: its report says why it needs attention."""
    own = slot is None
    start = time.perf_counter()
    payload, problem = None, ""
    try:
        with tempfile.TemporaryDirectory(prefix="nnkit-grade-") as private:
            staged = stage(submission, Path(private) / "submission")
            wrong = _other_assignment(staged, options)
            if wrong:
                submission.needs_attention(wrong)
            if not submission.attention:
                slot = slot or Slot.take()
                payload, problem = run_suites(staged, options, Path(private), slot)
    finally:
        if own and slot is not None:
            slot.give_back()
    return build_report(submission, payload, problem, time.perf_counter() - start, options)


def grade_all(submissions: list[Submission], options: Options, progress=None) -> list[dict]:
    """Reports in the order of `submissions`; `options.jobs` slots grade them, each one submission
    after another; `progress` is called with each report as it is finished."""
    rubric()
    slots = queue.Queue()
    for _ in range(max(1, min(options.jobs, len(submissions)))):
        slots.put(Slot.take())

    def one(submission):
        slot = slots.get()
        start = time.perf_counter()
        try:
            report = grade_one(submission, options, slot)
        except Exception as error:  # noqa: BLE001  (a fault of the grader's, contained to this submission)
            problem = f"{type(error).__name__}: {str(error)[:300]}"
            report = build_report(submission, None, problem, time.perf_counter() - start, options)
        finally:
            slots.put(slot if slot.alive else Slot())
        if progress:
            progress(report)
        return report

    try:
        with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
            return list(pool.map(one, submissions))
    finally:
        while not slots.empty():
            slots.get().give_back()

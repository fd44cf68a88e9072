"""One grading run: grade submissions with the hidden suites under one policy, as every entry point
does (`nn-kit grade` and `setup`, Gradescope, nbgrader's pre-grading and autograde).

`GradingRun.prepare` applies the policy once: the worker uid (as root), the folders closed to
workers, the isolation level (refused when only the process level is available and it was not
asked for). Each job slot is a trusted process (slot.py) that runs the hidden suites for one
submission after another; every call into student code goes to a sandboxed worker. The slot signs
its results with a key only it and this process know; results that are missing, unsigned or forged
count as nothing, and every check of the rubric appears in the report whatever happened.
"""

import dataclasses
import json
import queue
import secrets
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from grader.catalogue import ASSIGNMENTS, CORE, EXERCISES, HIDDEN, KIT
from grader.isolation.policy import PROCESS_LEVEL, IsolationUnavailable, Limits, default_worker_uid
from grader.isolation.sandbox import Sandbox, lock
from grader.isolation.staging import Submission, digest, printable, seen_folders, stage
from grader.scoring.plugin import NEEDS_OWN_WORKERS, sign
from grader.scoring.report import build_report
from grader.scoring.rubric import rubric
from grader.scoring.slot import SLOTS, Slot


@dataclass(frozen=True)
class Options:
    seed: int
    jobs: int = 1
    worker_uid: int | None = None  # as root: workers run as the first free uid from this one on
    call_timeout: float = Limits.call_seconds
    submission_timeout: float = 900.0
    isolation: str = "auto"  # or "process": the bare process level, for trusted code (see README)
    exercises: tuple[str, ...] = ASSIGNMENTS[CORE]  # the exercises graded (an assignment, or part of one)
    hidden: tuple[str, ...] = ()  # folders no worker may read besides the kit (reports; the class's are added)
    dependencies: str = "own"  # or "reference": a task graded with the reference's functions of the tasks it uses


class GradingRun:
    """Options under a policy applied once, and the level of isolation they grade at."""

    def __init__(self, options: Options, level: str):
        self.options, self.level = options, level

    @classmethod
    def prepare(cls, seed: int, exercises, *, jobs: int = 1, call_timeout: float = Limits.call_seconds,
                worker_uid: int | None = None, allow_process_level: bool = False, closed=(),
                hidden=(), dependencies: str = "own") -> "GradingRun":
        """The run's options and level: workers as `worker_uid` (default: a dedicated uid when root);
        the `closed` folders (an nbgrader course) made unreadable to them as the kit is, and the
        `hidden` ones (the reports) out of their sight as the class's folders are; raises
        IsolationUnavailable (saying why) where only the process level is available, unless allowed,
        or where the reference's dependencies are asked for and workers cannot be kept apart."""
        uid = worker_uid if worker_uid is not None else default_worker_uid()
        try:
            probe = Sandbox(KIT, Limits(), uid)
            probe.close()
            level, isolation = probe.isolation, "auto"
        except IsolationUnavailable:
            if not allow_process_level:
                raise
            level, isolation = f"{PROCESS_LEVEL}; allowed with --allow-process-level", "process"
        if dependencies == "reference" and not all(f"{layer}:" in level for layer in NEEDS_OWN_WORKERS):
            raise IsolationUnavailable(
                f"grading with the reference's dependencies puts reference code in a worker ended after one check, "
                f"which needs both the namespaces and the Landlock layer (its System V IPC and its writes die with "
                f"it), which this machine does not give ({level}); grade with --dependencies own")
        if uid is not None:
            for folder in closed:
                lock(folder)
        chosen = tuple(name for name in EXERCISES if name in exercises)
        return cls(Options(seed=seed, jobs=jobs, worker_uid=uid, call_timeout=call_timeout, isolation=isolation,
                           exercises=chosen, hidden=tuple(str(Path(folder).resolve()) for folder in hidden),
                           dependencies=dependencies), level)

    def grade(self, submissions: list[Submission], progress=None) -> list[dict]:
        return grade_all(submissions, self.options, progress)

    def grade_one(self, submission: Submission, slot: Slot | None = None) -> dict:
        return grade_one(submission, self.options, slot)


def _verified(path: Path, key: str) -> dict | None:
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        signature = payload.pop("signature")
    except (OSError, ValueError, KeyError, AttributeError):
        return None
    return payload if secrets.compare_digest(str(signature), sign(payload, key)) else None


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
    for folder in options.hidden:
        args += ["--hide", folder]
    if options.dependencies != "own":
        args += ["--dependencies", options.dependencies]
    code = slot.run(args, log, options.submission_timeout)
    if code is None:
        return None, f"the grading process stopped, or took longer than {options.submission_timeout:g} s"
    payload = _verified(results, slot.key)
    if payload is None:
        tail = log.read_text(errors="replace").strip().splitlines()[-3:] if log.exists() else []
        return None, f"the grading run ended without valid results (exit {code}): {' / '.join(tail)}"
    return payload, ""


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
    payload, problem, graded = None, "", ""
    try:
        with tempfile.TemporaryDirectory(prefix="nnkit-grade-") as private:
            staged = stage(submission, Path(private) / "submission")
            graded = digest(staged)
            wrong = _other_assignment(staged, options)
            if wrong:
                submission.needs_attention(wrong)
            if not submission.attention:
                slot = slot or SLOTS.take()
                payload, problem = run_suites(staged, options, Path(private), slot)
    finally:
        if own and slot is not None:
            SLOTS.give_back(slot)
    return build_report(submission, payload, problem, time.perf_counter() - start, options.exercises, options.seed,
                        graded)


class Interrupted(Exception):
    """The grading was stopped (Ctrl-C, SIGTERM) before every submission was graded: `reports` are
    those finished before it; every process it started has been ended, its staged files removed."""

    def __init__(self, reports: list[dict]):
        super().__init__(f"stopped after {len(reports)} submission(s)")
        self.reports = reports


def grade_all(submissions: list[Submission], options: Options, progress=None) -> list[dict]:
    """Reports in the order of `submissions`; `options.jobs` slots grade them, each one submission
    after another; `progress` is called with each report as it is finished. A KeyboardInterrupt
    (Ctrl-C, or a signal handler's) stops the grading at once and raises Interrupted with the
    finished reports; a grading it cut short counts as nothing. (The Python API; the entry points
    call it through GradingRun.)"""
    rubric()
    if not submissions:
        return []
    options = dataclasses.replace(options, hidden=tuple(sorted({*options.hidden, *seen_folders(submissions)})))
    slots, busy, stopping = queue.Queue(), set(), threading.Event()
    for _ in range(max(1, min(options.jobs, len(submissions)))):
        slots.put(SLOTS.take())

    def one(submission):
        if stopping.is_set():
            return None
        slot = slots.get()
        busy.add(slot)
        start = time.perf_counter()
        try:
            report = grade_one(submission, options, slot)
        except Exception as error:  # noqa: BLE001  (a fault of the grader's, contained to this submission)
            problem = f"{type(error).__name__}: {str(error)[:300]}"
            report = build_report(submission, None, problem, time.perf_counter() - start, options.exercises,
                                  options.seed)
        finally:
            busy.discard(slot)
            slots.put(slot if slot.alive or stopping.is_set() else Slot())
        if stopping.is_set():
            return None  # cut short by the stop: not a grading
        if progress:
            progress(report)
        return report

    pool = ThreadPoolExecutor(max_workers=max(1, options.jobs))
    futures = [pool.submit(one, submission) for submission in submissions]
    try:
        return [future.result() for future in futures]
    except KeyboardInterrupt:
        stopping.set()
        for slot in list(busy):  # its process group goes, and with it its zygotes and their workers
            slot.close()
        pool.shutdown(wait=True, cancel_futures=True)
        raise Interrupted([f.result() for f in futures if f.done() and not f.cancelled() and f.result()]) from None
    finally:
        pool.shutdown(wait=True)
        while not slots.empty():
            SLOTS.give_back(slots.get())


class GradingFault(Exception):
    """A fault of the set-up, never a score: `reason` is what a student may be shown, `detail` what
    the instructor's log gets."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}{': ' + detail if detail else ''}")
        self.reason, self.detail = reason, detail


def grade_hand_in(folder: Path, seed: int, exercises, fetch_mnist: bool = False,
                  dependencies: str = "own") -> tuple[dict, str]:
    """One hand-in graded on a platform's runner (Gradescope, Classroom 50): (its report, the level
    of isolation); raises GradingFault when MNIST is missing, student code cannot be isolated or the
    grader failed on a check."""
    from data import mnist

    if not mnist.provide(fetch=fetch_mnist):
        raise GradingFault("MNIST is missing or not verified on the grading machine")
    try:
        grading = GradingRun.prepare(seed, exercises, dependencies=dependencies)
    except IsolationUnavailable as error:
        raise GradingFault("the grading machine cannot isolate student code", str(error)) from None
    [report] = grading.grade([Submission(printable(folder.name), folder.resolve())])
    if report["grader_faults"]:
        raise GradingFault(f"the grader failed on {len(report['grader_faults'])} check(s)",
                           "; ".join(report["grader_faults"]))
    return report, grading.level

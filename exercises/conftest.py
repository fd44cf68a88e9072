"""Plumbing of the visible self-checks (`pytest exercises/`): short messages and a progress summary.

A task whose code still raises NotImplementedError is reported as NOT DONE (one line per task at
the end, no traceback); a failed check prints its own message; a crash prints the error and the
line of your code it came from; a check that runs too long is stopped and reported as TIMEOUT.
The limit counts the time a check could run: what other programs on a busy machine take from it
is added (loadclock.py; Linux), so correct code is never stopped because the machine is busy.
"""

import difflib
import functools
import importlib
import os
import re
import signal
import threading
import time
from pathlib import Path

import pytest

from exercises import EXERCISES
from exercises.loadclock import BUSY_FACTOR, LoadClock
from exercises.selfcheck import HINTS, SelfCheckFailure, crash_mistake, hint

TIMEOUT_SECONDS = 20
NOT_DONE = "not done"


def target_package() -> str:
    """The package under test: `exercises` (your work) unless $KIT_TARGET names another package
    with the same modules, e.g. KIT_TARGET=solutions."""
    return os.environ.get("KIT_TARGET", "exercises")


class Kit:
    """Attribute access to the modules under test: `kit.perceptron` imports <target>.perceptron."""

    def __getattr__(self, module: str):
        name = f"{target_package()}.{module}"
        try:
            return importlib.import_module(name)
        except Exception as error:  # noqa: BLE001  (whatever the import raised is shown)
            advice = (f"keep {module}.ipynb, saved, in the folder of this notebook, and run its cells to see the error"
                      if target_package() == "notebooks" else f"run `python -c \"import {name}\"` to see the whole error")
            raise SelfCheckFailure(f"could not import {name}: {type(error).__name__}: {error}\n  hint: {advice}") from None


@pytest.fixture
def kit() -> Kit:
    return Kit()


def _task(item) -> str:
    marker = item.get_closest_marker("task")
    return marker.args[0] if marker else item.name


_TASK_ORDER: dict[str, int] = {}
_USES: dict[str, set[str]] = {}  # task → the tasks its checks call (@pytest.mark.uses)


def pytest_addoption(parser):
    parser.addoption("--task", action="append", default=[], metavar="NAME",
                     help="run only the self-checks of this task, e.g. perceptron.step_fn (repeatable)")


class CheckTimeout(BaseException):
    """A check used up the time it could run (not an Exception: the code under test cannot catch it
    with `except Exception`)."""


def _load_aware() -> bool:
    """Whether checks here are timed by the time they could run (Linux, pytest in the main thread);
    elsewhere the limit is pytest-timeout's wall clock."""
    return (hasattr(signal, "pthread_kill") and Path("/proc/self/task").is_dir()
            and threading.current_thread() is threading.main_thread())


_LIMIT = pytest.StashKey[float]()  # a check's limit, in seconds of the time it could run
_PHASE = pytest.StashKey[str]()  # the phase (setup, call, teardown) whose report is being made


def _unknown(kind: str, name: str, known: set[str]) -> pytest.UsageError:
    near = difflib.get_close_matches(name, sorted(known), n=1)
    return pytest.UsageError(f"there is no {kind} {name!r}" + (f": did you mean {near[0]!r}?" if near else ""))


def pytest_collection_modifyitems(config, items):
    """--task and -m take task and exercise names: one misspelt is said, not run as an empty selection."""
    tasks = {_task(item) for item in items} | {f"{module}.{name}" for module in EXERCISES for name in HINTS.get(module, {})}
    for name in config.getoption("task"):
        if name not in tasks:
            raise _unknown("task", name, tasks)
    markers = set(EXERCISES) | {line.split(":")[0].split("(")[0].strip() for line in config.getini("markers")}
    if re.fullmatch(r"\w+", config.option.markexpr or "") and config.option.markexpr not in markers:
        raise _unknown("exercise", config.option.markexpr, set(EXERCISES))
    given = config.getoption("timeout", None)  # `pytest --timeout N` overrides every limit
    if config.getoption("task"):
        chosen = [item for item in items if _task(item) in config.getoption("task")]
        config.hook.pytest_deselected(items=[item for item in items if item not in chosen])
        items[:] = chosen
    for item in items:
        item.repr_failure = functools.partial(_failure_text, item, item.repr_failure)
        _TASK_ORDER.setdefault(_task(item), len(_TASK_ORDER))
        for marker in item.iter_markers("uses"):
            _USES.setdefault(_task(item), set()).update(marker.args)
        own = item.get_closest_marker("timeout")  # a check that needs longer says so
        limit = given or (own.args[0] if own and own.args else TIMEOUT_SECONDS)
        if _load_aware():  # pytest-timeout only for code stuck outside Python, which no signal reaches
            item.stash[_LIMIT] = limit
            item.add_marker(pytest.mark.timeout(BUSY_FACTOR * limit + 60, method="thread"), append=False)
        else:
            item.add_marker(pytest.mark.timeout(limit), append=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    """Time the check by the time it could run: a watcher interrupts it once that is used up."""
    if _LIMIT not in item.stash:
        yield  # a platform without /proc, or pytest not in the main thread: pytest-timeout's wall clock
        return
    clock, finished, main = LoadClock(item.stash[_LIMIT], os.getpid(), os.getpid()), threading.Event(), threading.get_ident()

    def stop(signum, frame):
        if not finished.is_set():
            raise CheckTimeout(clock)

    def watch():  # past the deadline, again every second: code that swallows one interruption gets the next
        while not finished.wait(min(max(clock.deadline() - time.monotonic(), 0.05), 0.5)):
            if time.monotonic() >= clock.deadline():
                signal.pthread_kill(main, signal.SIGALRM)
                finished.wait(1.0)

    previous = signal.signal(signal.SIGALRM, stop)
    watcher = threading.Thread(target=watch, name="selfcheck-timeout", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        finished.set()
        watcher.join()
        signal.signal(signal.SIGALRM, previous)


def _where_in_student_code(excinfo) -> str:
    package = Path(__file__).resolve().parent.parent / target_package()
    for entry in reversed(excinfo.traceback):
        path = Path(str(entry.path))
        module = str(entry.frame.f_globals.get("__name__", ""))
        if target_package() == "notebooks" and (module == "__main__" or path.suffix == ".ipynb"):
            where = "this notebook" if module == "__main__" else path.name
            return f"\n  in {where}: {str(entry.statement).strip()}"
        if package in path.parents and not path.name.startswith(("test_", "selfcheck", "conftest")):
            return f"\n  at {path.relative_to(package.parent)}:{entry.lineno + 1}: {str(entry.statement).strip()}"
    return ""


_USER_FRAME = re.compile(r'File "([^"]+)", line (\d+), in [^\n]*\n\s*([^\n]*)')


def _short(text: str, limit: int = 600) -> str:
    text = re.sub(r"\{\{function_node [^}]*\}\}\s*", "", str(text)).strip()  # TensorFlow's op-location prefix
    text = re.sub(r"\. Received args: .*? for signature: ", ". The signature: ", text, flags=re.S)  # no tensors' values
    where = ""
    if text.startswith("in user code:"):  # raised inside tf.function: TensorFlow's trace, then the error's own line
        said = re.sub(r"^\w+(Error|Exception): ", "", text.splitlines()[-1].strip())
        frames = [f for f in _USER_FRAME.findall(text) if not Path(f[0]).name.startswith(("test_", "selfcheck", "conftest"))]
        text, where = said, (f"\n  at {_shown_path(frames[-1][0])}:{frames[-1][1]}: {frames[-1][2].strip()}" if frames else "")
    return (text if len(text) <= limit else text[:limit] + " …") + where


def _shown_path(path: str) -> str:
    """A student file's path as the other crash lines show it: from the package's folder on."""
    package = Path(__file__).resolve().parent.parent / target_package()
    path = Path(path).resolve()
    return str(path.relative_to(package.parent)) if package in path.parents else path.name


_TIMED_OUT: set[str] = set()  # tasks stopped for taking too long: their other checks are skipped


def pytest_sessionstart(session):
    _TIMED_OUT.clear()  # a notebook's kernel runs many sessions


def pytest_runtest_setup(item):
    if _task(item) in _TIMED_OUT:
        pytest.skip(f"{_task(item)} already ran out of time")


def _failure_text(item, default, excinfo):
    """A failure's text before pytest_runtest_makereport below replaces it: for every failure of a
    check's call and every SelfCheckFailure, the exception's text alone (pytest's long form parses
    the source of every frame, TensorFlow's too: up to 0.7 s a failure); else pytest's own."""
    if item.stash.get(_PHASE, "") == "call" or excinfo.errisinstance(SelfCheckFailure):
        return str(excinfo.value)
    return default(excinfo)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    item.stash[_PHASE] = call.when
    outcome = yield
    report = outcome.get_result()
    report.task = _task(item)
    excinfo = call.excinfo
    if excinfo is None or not report.failed:
        return
    if excinfo.errisinstance(SelfCheckFailure):
        report.longrepr = str(excinfo.value)
    elif call.when != "call":
        return
    elif excinfo.errisinstance(NotImplementedError) and _unfinished(str(excinfo.value)):
        # raised inside tf.function, the message comes wrapped in TensorFlow's "in user code: …" trace
        said = str(excinfo.value).strip().splitlines()[-1:] or [""]
        report.not_done = said[0].strip().removeprefix("NotImplementedError: ") or f"{report.task} is not implemented yet"
        report.longrepr = report.not_done
    elif excinfo.errisinstance(CheckTimeout) or ("Timeout" in str(excinfo.value)
                                                  and "pytest-timeout" in str(excinfo.value)):
        report.sections = []
        _TIMED_OUT.add(report.task)
        seconds = item.stash.get(_LIMIT, None) or item.get_closest_marker("timeout").args[0]
        limit, where = f"{seconds:g} s", _where_in_student_code(excinfo)
        if excinfo.errisinstance(CheckTimeout):
            wall = time.monotonic() - excinfo.value.args[0].start
            limit += " of the time it could run" + (f" ({wall:.0f} s on the clock: the machine was busy)"
                                                    if wall > 1.5 * seconds else "")
        report.longrepr = (
            f"TIMEOUT {report.task}: stopped after {limit}{where}\n"
            f"  hint: it had not finished{' (the line above is where it was stopped)' if where else ''}. Time one call of "
            f"{report.task.split('.')[-1]} on the check's input, and run this task alone with more time to "
            f"see whether it ends: pytest exercises/ --task {report.task} --timeout {4 * seconds:g}"
        )
    else:
        named = crash_mistake(report.task, f"{excinfo.typename}: {excinfo.value}")
        report.longrepr = (
            f"CRASH {report.task}: {excinfo.typename}: {_short(excinfo.value)}{_where_in_student_code(excinfo)}\n"
            + (f"  mistake: {named}\n" if named else "") +
            f"  hint: {hint(report.task)}"
        )


def _unfinished(message: str) -> bool:
    """A skeleton's own NotImplementedError (or a bare one a student left): not TensorFlow's, which
    raises it too (a NumPy function given a tensor inside tf.function), a crash to be told as one."""
    return not message.strip() or "is not implemented yet" in message


def pytest_report_teststatus(report):
    if getattr(report, "not_done", None) and report.when == "call":
        return NOT_DONE, "T", "NOT DONE"
    return None


def _progress(terminalreporter) -> dict[str, str]:
    """task → 'pass', 'fail' or a NotImplementedError message, in exercise order.

    A task takes the worst state of its checks: fail, then its own NOT DONE, then waiting for
    another task, then pass."""
    def rank(task, state):
        return ["pass", "waits", "own", "fail"].index(
            state if state in ("pass", "fail") else "own" if state.startswith(task) else "waits")

    status: dict[str, str] = {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            task = getattr(report, "task", None)
            if task is None or (report.when != "call" and report.passed):
                continue
            state = getattr(report, "not_done", None) or ("fail" if report.failed else "pass")
            if task not in status or rank(task, state) > rank(task, status[task]):
                status[task] = state
    exercise = {name: i for i, name in enumerate(EXERCISES)}
    return dict(sorted(status.items(), key=lambda kv: (exercise.get(kv[0].split(".")[0], len(exercise)),
                                                       _TASK_ORDER.get(kv[0], 0))))


def _used_by(task: str) -> list[str]:
    """Every task the checks of `task` call, directly or through another task, in task order."""
    found, todo = set(), list(_USES.get(task, ()))
    while todo:
        used = todo.pop()
        if used not in found:
            found.add(used)
            todo += _USES.get(used, ())
    return sorted(found - {task}, key=lambda t: _TASK_ORDER.get(t, len(_TASK_ORDER)))


def pytest_terminal_summary(terminalreporter):
    status = _progress(terminalreporter)
    if not status:
        return
    write = terminalreporter.write_line
    done = [t for t, s in status.items() if s == "pass"]
    terminalreporter.section(f"progress of {target_package()}/: {len(done)} of {len(status)} tasks pass")
    for task, state in status.items():
        mark = {"pass": "ok      ", "fail": "FAILING "}.get(state, "NOT DONE")
        detail = "" if state in ("pass", "fail") or state.startswith(task) else f"  (waits for: {state})"
        broken = [t for t in _used_by(task) if status.get(t, "pass") != "pass"]
        if state == "fail" and broken:
            detail = f"  (uses {', '.join(broken)}, which {'fail' if len(broken) > 1 else 'fails'}: fix that first)"
        write(f"  {mark} {task}{detail}")
    todo = [t for t, s in status.items() if s != "pass"]
    waited = status[todo[0]].split()[0] if todo and status[todo[0]] not in ("pass", "fail") else ""
    if re.fullmatch(r"\w+\.[\w.]+", waited) and waited != todo[0]:
        todo.insert(0, waited)  # it waits for another task: that one comes first
    if todo and target_package() == "notebooks":
        write(f"next: {todo[0]} — in {todo[0].split('.')[0]}.ipynb: fix it, run its cell, then run the self-check again")
    elif todo:
        exercise = todo[0].split(".")[0]
        write(f"next: {todo[0]} — run `pytest exercises/ -m {exercise}` while you work on it")
    else:
        write("every task passes: well done!")


@pytest.fixture(scope="session")
def mnist_sample():
    """((600 training images, labels), (200 test images, labels)) of MNIST, uint8."""
    from data.mnist import MNISTError, load_mnist

    try:
        (x_train, y_train), (x_test, y_test) = load_mnist()
    except MNISTError as error:
        raise SelfCheckFailure(f"MNIST is needed for this check: {error}") from None
    return (x_train[:600], y_train[:600]), (x_test[:200], y_test[:200])

"""The time a process could have run: a limit that load never turns into a timeout.

A call (the grader's, into a sandboxed worker) or a check (a student's self-check, in pytest's own
process) may use `seconds` of the time it could run. The thread of the process that did the most
work may have waited for a CPU; that wait extends the deadline as far as other processes (not the
process's own threads or children) took CPU time from it, up to BUSY_FACTOR times the limit in
all: sleeping or spinning code, or code that loads the CPUs itself, is still stopped on time.
Linux's /proc only (elsewhere nothing is known of the load, and the limit is the wall clock).
Standard library only: the self-checks get a copy (exercises/loadclock.py, generated).
"""

import os
import time
from pathlib import Path

BUSY_FACTOR = 10  # a call may take up to this many times its limit in wall time on a loaded machine
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
CPUS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def thread_times(pid: int) -> dict[str, tuple[float, float]]:
    """thread id → (seconds on a CPU, seconds runnable but waiting for one), from
    /proc/<pid>/task/*/schedstat."""
    times = {}
    for stat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        try:
            ran, waited = stat.read_text().split()[:2]
            times[stat.parent.name] = (int(ran) / 1e9, int(waited) / 1e9)
        except (OSError, ValueError):
            continue
    return times


def processes() -> dict[int, tuple[int, float]]:
    """pid → (parent pid, CPU seconds it and its reaped children used), for every process."""
    found = {}
    for entry in Path("/proc").iterdir() if Path("/proc/self/stat").exists() else ():
        if entry.name.isdigit():
            try:
                text = (entry / "stat").read_text()
                fields = text[text.rindex(")") + 2:].split()  # after the command name, which may hold spaces
                found[int(entry.name)] = (int(fields[1]), sum(int(v) for v in fields[11:15]) / CLOCK_TICKS)
            except (OSError, IndexError, ValueError):
                continue
    return found


def others_cpu_seconds(before: dict, after: dict, family: int) -> float:
    """CPU time processes outside `family` (a process and everything below it) used between two
    `processes()` snapshots. Only what live processes account for counts: children left to be
    reaped by the kernel (SIGCHLD ignored) count for no one, so they extend nothing."""
    below, todo = {family}, [family]
    children = {}
    for pid, (parent, _) in after.items():
        children.setdefault(parent, []).append(pid)
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in below:
                below.add(child)
                todo.append(child)
    return sum(cpu - before.get(pid, (0, 0.0))[1] for pid, (_, cpu) in after.items() if pid not in below)


class LoadClock:
    """Started now for process `pid` (whose threads are watched) and `family` (the process whose
    tree is its own: a worker's zygote, or the process itself), with a limit of `seconds`."""

    def __init__(self, seconds: float, pid: int, family: int):
        self.seconds, self.pid, self.family = seconds, pid, family
        self.start, self.threads, self.processes = time.monotonic(), thread_times(pid), processes()

    def deadline(self) -> float:
        """The monotonic time at which the limit is used up, as far as is known now."""
        if time.monotonic() < self.start + self.seconds:
            return self.start + self.seconds  # within the limit: no need to look at the load yet
        return self.start + min(self.seconds + self.load_delay(), BUSY_FACTOR * self.seconds)

    def charged(self) -> float:
        """The seconds since the start that the process could have run (load looked at only past
        a second)."""
        elapsed = time.monotonic() - self.start
        return elapsed if elapsed <= 1.0 else max(elapsed - self.load_delay(), 0.0)

    def load_delay(self) -> float:
        """The seconds other processes' work has kept this one from running since the start."""
        now = thread_times(self.pid)
        ran = {t: now[t][0] - self.threads.get(t, (0.0, 0.0))[0] for t in now}
        busiest = max(ran, key=ran.get, default=None)
        waited = now[busiest][1] - self.threads.get(busiest, (0.0, 0.0))[1] if busiest else 0.0
        others = others_cpu_seconds(self.processes, processes(), self.family)
        return max(min(waited, max(others, 0.0) / CPUS), 0.0)

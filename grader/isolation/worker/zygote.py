"""The zygote: a trusted process that has imported TensorFlow and forks sandboxed workers.

`import tensorflow` costs 2–3 s; a worker forked from a process that has imported it (and run no
op: TensorFlow's thread pools do not survive a fork) starts in milliseconds. The zygote holds
nothing a submission may not see: it is started with a scrubbed environment, imports TensorFlow,
numpy and the worker's protocol, and never runs student code itself. It serves its workers (a
submission's, and a judge's that never runs student code) over a SOCK_SEQPACKET socket on its
stdin (sandbox.py's `Zygote` is the other end):

    {"op": "spawn", ...spec} + the worker's two pipe ends  ->  {"pid": n} or {"error": why}
    {"op": "wait", "pid": n, "timeout": s}                 ->  {"status": exit code or null}
    {"op": "end", "pid": n}                                ->  {"status": exit code}

The forked child becomes the worker exactly as a freshly started one would: new session, the
worker uid, confinement (confine.py), resource limits, its scratch folder as cwd and package path,
then `dispatch.serve`. The zygote is a child subreaper, so `end` kills whatever the worker
left running as well.
"""

import ctypes
import importlib
import json
import os
import random
import resource
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path

PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER = 4, 36
PACKAGE = "submission"
SET_UP = b"1"  # what a child writes once it is confined, before any student code runs


def become_worker(spec: dict, channel_in: int, channel_out: int, ready: int) -> None:
    """In the forked child: confine, limit, then serve the submission; never returns."""
    from grader.isolation import confine
    from grader.isolation.worker import dispatch

    try:
        os.dup2(channel_in, 0)
        os.dup2(channel_out, 1)
        os.dup2(os.open(os.devnull, os.O_RDWR), 2)
        os.closerange(3, ready)
        os.closerange(ready + 1, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
        os.setsid()
        uid = spec["uid"]
        if uid is not None:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
        confine.confine(spec["scratch"], spec["writable"], spec["disk_bytes"], tuple(spec["layers"]), spec["hidden"])
        for limit, value in ((resource.RLIMIT_AS, spec["memory_bytes"]), (resource.RLIMIT_FSIZE, spec["file_bytes"]),
                             (resource.RLIMIT_CORE, 0)):
            resource.setrlimit(limit, (value, value))
        if uid is not None or "namespaces" in spec["layers"]:  # counts the worker's processes only there
            resource.setrlimit(resource.RLIMIT_NPROC, (spec["processes"], spec["processes"]))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
            signal.signal(number, signal.SIG_DFL)
        ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # its own /proc/self, as a fresh process has
        confine.die_with_parent()
        os.chdir(spec["scratch"])
        os.environ.clear()
        os.environ.update(spec["env"])
        tempfile.tempdir = None
        random.seed()
        sys.path[:] = [spec["scratch"]] + [p for p in sys.path if not os.path.realpath(p or ".").startswith(confine.KIT)]
        importlib.invalidate_caches()
        os.write(ready, SET_UP)
        os.close(ready)
    except BaseException:  # noqa: BLE001  (the zygote reports a set-up failure; nothing of the student's ran)
        os._exit(70)
    try:
        dispatch.serve(PACKAGE)
    finally:
        os._exit(0)


def children() -> list[int]:
    """The pids whose parent is this process (a killed worker's orphans are adopted here)."""
    me, found = str(os.getpid()), []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            if any(line.split()[1:] == [me] for line in status.read_text().splitlines() if line.startswith("PPid:")):
                found.append(int(status.parent.name))
        except (OSError, ValueError):
            continue
    return found


class Forker:
    """The zygote's server: forks workers (a submission's and a judge's may live at once), waits for
    and ends them."""

    def __init__(self, control: socket.socket):
        self.control = control
        self.workers: dict[int, int | None] = {}  # pid → exit code, None while it runs

    def spawn(self, spec: dict, fds: list[int]) -> dict:
        ready_read, ready_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(ready_read)
            become_worker(spec, fds[0], fds[1], ready_write)
        for fd in (*fds, ready_write):
            os.close(fd)
        with os.fdopen(ready_read, "rb") as ready:
            confirmed = ready.read(1) == SET_UP
        self.workers[pid] = None
        if not confirmed:
            status = self.end(pid)
            return {"error": f"the worker could not be set up (exit status {status})"}
        return {"pid": pid}

    def wait(self, pid: int, timeout: float | None) -> int | None:
        """The worker's exit code (negative: the signal that ended it), or None if it still runs."""
        if pid not in self.workers:
            return -signal.SIGKILL
        end = None if timeout is None else time.monotonic() + timeout
        while self.workers[pid] is None:
            try:
                done, status = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                self.workers[pid] = -signal.SIGKILL
                break
            if done:
                self.workers[pid] = os.waitstatus_to_exitcode(status)
            elif end is not None and time.monotonic() >= end:
                break
            else:
                time.sleep(0.01)
        return self.workers[pid]

    def end(self, pid: int) -> int | None:
        """Kill a worker's session and every process left behind that is no live worker; reap them."""
        if pid not in self.workers:
            return None
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        status = self.wait(pid, None)
        del self.workers[pid]
        for _ in range(50):
            left = [child for child in children() if child not in self.workers]
            for child in left:
                try:
                    os.kill(child, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            for child in left:
                try:
                    os.waitpid(child, 0)
                except ChildProcessError:
                    pass
            if not left:
                break
            time.sleep(0.02)
        return status

    def serve(self) -> None:
        while True:
            message, fds, _, _ = socket.recv_fds(self.control, 65536, 2)
            if not message:
                return
            request = json.loads(message)
            if request["op"] == "spawn":
                reply = self.spawn(request["spec"], fds)
            elif request["op"] == "wait":
                reply = {"status": self.wait(request["pid"], request["timeout"])}
            else:
                reply = {"status": self.end(request["pid"])}
            self.control.send(json.dumps(reply).encode())


def main() -> None:
    control = socket.socket(fileno=os.dup(0))
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    libc = ctypes.CDLL(None)
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import numpy  # noqa: F401
    import tensorflow  # noqa: F401  (imported only: no op may ever run in this process)

    from grader.isolation import confine
    from grader.isolation.worker import dispatch  # noqa: F401  (what every child needs, loaded once: the wire, the judges)

    confine.readable()

    Forker(control).serve()


if __name__ == "__main__":
    main()

"""The worker process that runs one submission, seen from the trusted side (`Sandbox`).

The worker starts lazily in a scratch directory of its own, with a scrubbed environment, a new
session, limits on memory, file size and (under a dedicated user) process count, and, when the
grader runs as root, as an unprivileged user that cannot read the kit. A worker that crashes,
exits, hangs or runs out of memory is killed with everything it started; the next call starts a
fresh one.
"""

import fcntl
import functools
import json
import os
import secrets
import select
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from grader.catalogue import KIT, SOLUTIONS
from grader.isolation import confine, wire
from grader.isolation.loadclock import LoadClock
from grader.isolation.policy import ENVIRONMENT, PROCESS_LEVEL, UID_RANGE, IsolationUnavailable, Limits
from grader.isolation.pool import Pool
from grader.isolation.worker.zygote import PACKAGE

WRITABLE = "tmp"  # the worker's only writable folder (its cwd and package are read-only)
# what each confinement layer enforces, as a level reports it
LAYERS = {"namespaces": "no network, no System V IPC shared, a {} MiB tmpfs of its own, the kit and the class "
                        "folder hidden by mounts",
          "landlock": "reads only Python, system libraries and its own files, writes only its tmpfs or scratch; no "
                      "TCP, abstract sockets or signals "
                      "outside"}
MAX_REPLY_BYTES = 64 * 2**20  # what the trusted side buffers of one reply (the largest honest one: ~1 MiB)
# the zygote has no home: nothing of the grader's ~ (e.g. ~/.keras/keras.json) is read or written, and
# a uid with no passwd entry (a container's arbitrary uid) can import TensorFlow; its temporary files
# (matplotlib's, where there is no home) go where its grading process's go (a slot's: removed with it)
ZYGOTE_ENVIRONMENT = {**ENVIRONMENT, "HOME": os.devnull, "KERAS_HOME": f"{os.devnull}/keras"}
ZYGOTE_MAIN = (f"import sys; sys.path.insert(0, {str(KIT)!r}); "
               f"from grader.isolation.worker import zygote; zygote.main()")
ZYGOTE_SECONDS = 120.0  # for the zygote to start or to fork and confine a worker (a loaded machine included)


class WorkerLost(Exception):
    """The worker died or stopped answering; `category` is timeout, memory, crash or protocol."""

    def __init__(self, category: str, reason: str):
        super().__init__(reason)
        self.category = category


class _DeadlineReader:
    """File-like reads from a worker's pipe that give up once the call has used `seconds` of time
    the worker could have run (loadclock: load never turns into a student's timeout)."""

    def __init__(self, fd: int, seconds: float, pid: int, family: int):
        self.fd, self.clock = fd, LoadClock(seconds, pid, family)
        self.start = self.clock.start
        self.selector = selectors.DefaultSelector()
        self.selector.register(fd, selectors.EVENT_READ)

    def charged(self) -> float:
        """The seconds of this call that count against the submission's time."""
        return self.clock.charged()

    def readinto(self, view) -> int:
        """Up to 1 MiB of what the worker has written, into view, once it has arrived; 0 at the end."""
        while True:
            remaining = self.clock.deadline() - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            if self.selector.select(min(remaining, 1.0)):
                return os.readv(self.fd, [view[:2**20]])


@functools.cache
def python_runs_as(uid: int) -> str:
    """'' if this Python runs under uid, else why not (e.g. a home directory it cannot enter)."""
    try:
        run = subprocess.run([sys.executable, "-I", "-c", "import numpy"], user=uid, group=uid, extra_groups=[],
                             cwd="/", env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as error:
        return str(error)
    return "" if run.returncode == 0 else (run.stderr.strip().splitlines() or ["?"])[-1]


@functools.cache
def available_layers(uid: int | None) -> tuple[str, ...]:
    """The confinement layers (namespaces, Landlock) a worker running as uid can use here."""
    probe_dir = Path(tempfile.mkdtemp(prefix="nnkit-probe-"))
    try:
        (probe_dir / WRITABLE).mkdir()
        if uid is not None:
            for path in (probe_dir, probe_dir / WRITABLE):
                os.chown(path, uid, uid)
        return confine.probe(str(probe_dir), str(probe_dir / WRITABLE), uid)
    finally:
        shutil.rmtree(probe_dir, ignore_errors=True)


def lock(folder: Path = KIT) -> None:
    """Under root with a dedicated worker user: take 'other' access away from a folder (the kit,
    an nbgrader course) so that workers cannot read what is inside."""
    os.chmod(folder, os.stat(folder).st_mode & ~0o007)


def kill_user(uid: int) -> None:
    """SIGKILL every process owned by uid, a fork bomb included: a helper forked as root drops to
    uid and sends SIGSTOP, then SIGKILL, to -1 (every process of uid), so nothing can fork away."""
    for _ in range(3):
        helper = os.fork()
        if helper == 0:
            try:
                os.setuid(uid)
                os.kill(-1, signal.SIGSTOP)
                os.kill(-1, signal.SIGKILL)
            finally:
                os._exit(0)
        os.waitpid(helper, 0)
        if not any(entry.name.isdigit() and _owner(entry) == uid for entry in Path("/proc").iterdir()):
            return
        time.sleep(0.05)


def _owner(entry: Path):
    try:
        return entry.stat().st_uid
    except OSError:
        return None


def remove_files_of(uid: int) -> None:
    """Remove what a worker user left in the world-writable folders (its scratch is removed apart)."""
    for folder in (Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"), Path("/run/lock"), Path("/var/lock")):
        for entry in folder.iterdir() if folder.is_dir() else ():
            try:
                if entry.lstat().st_uid == uid:
                    if entry.is_dir() and not entry.is_symlink():
                        shutil.rmtree(entry, ignore_errors=True)
                    else:
                        entry.unlink()
            except OSError:
                continue


def claim_uid(base: int):
    """(uid, lock file) for the first uid from base on that no other sandbox holds: every grader
    on this machine, in this run or another, gives its workers a uid of their own."""
    for uid in range(base, base + UID_RANGE):
        handle = open(f"/tmp/nnkit-worker-uid-{uid}.lock", "a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        return uid, handle
    raise RuntimeError(f"every worker uid from {base} to {base + UID_RANGE - 1} is in use")


class Zygote:
    """The trusted side's handle on a zygote (worker/zygote.py): forks this process's workers, one at a time.

    Zygotes are pooled (`POOL`): a sandbox takes one when its first worker starts and gives it back
    when it closes, so a grading process imports TensorFlow for its workers once, not per worker."""

    def __init__(self):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.process = subprocess.Popen([sys.executable, "-I", "-c", ZYGOTE_MAIN], stdin=theirs,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd="/",
                                        env={**ZYGOTE_ENVIRONMENT, "TMPDIR": tempfile.gettempdir()},
                                        start_new_session=True, preexec_fn=confine.die_with_parent)
        theirs.close()
        self.socket = ours
        self.socket.settimeout(ZYGOTE_SECONDS)

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        self.process.kill()
        self.process.wait()
        self.socket.close()

    def ask(self, request: dict, fds=()) -> dict:
        try:
            socket.send_fds(self.socket, [json.dumps(request).encode()], list(fds))
            reply = json.loads(self.socket.recv(65536) or b"null")
        except (OSError, ValueError) as error:
            reply = error
        if not isinstance(reply, dict):
            self.process.kill()
            raise RuntimeError(f"the zygote that starts workers failed ({reply or 'it exited'})")
        return reply

    def spawn(self, spec: dict) -> "WorkerProcess":
        to_worker, from_worker = os.pipe(), os.pipe()
        try:
            reply = self.ask({"op": "spawn", "spec": spec}, (to_worker[0], from_worker[1]))
        finally:
            os.close(to_worker[0])
            os.close(from_worker[1])
        if "error" in reply:
            os.close(to_worker[1])
            os.close(from_worker[0])
            raise RuntimeError(str(reply["error"]))
        return WorkerProcess(self, int(reply["pid"]), os.fdopen(to_worker[1], "wb"), os.fdopen(from_worker[0], "rb"))


ZYGOTES: Pool[Zygote] = Pool(Zygote, Zygote.alive, Zygote.close)


class WorkerProcess:
    """A running worker: its pid, its channel, and its exit status (through its zygote)."""

    def __init__(self, zygote: Zygote, pid: int, stdin, stdout):
        self.zygote, self.pid, self.stdin, self.stdout = zygote, pid, stdin, stdout

    def wait(self, timeout: float | None = None) -> int | None:
        """Its exit code (negative: the signal that ended it), or None if it still runs after timeout.
        A worker whose zygote has gone was killed with it."""
        if not self.zygote.alive():
            return -signal.SIGKILL
        return self.zygote.ask({"op": "wait", "pid": self.pid, "timeout": timeout})["status"]

    def poll(self) -> int | None:
        return self.wait(0)

    def end(self) -> None:
        """Kill it with its session and whatever it left running; close the channel."""
        if self.zygote.alive():
            self.zygote.ask({"op": "end", "pid": self.pid})
        for stream in (self.stdin, self.stdout):
            try:
                stream.close()
            except OSError:
                pass


class Sandbox:
    """One submission's worker: `request` sends a frame and returns the reply frame."""

    def __init__(self, submission: Path | None, limits: Limits = Limits(), uid: int | None = None,
                 shares: "Sandbox | None" = None):
        """`submission`: the staged folder, or None for a judge's worker (which gets no student code);
        `shares`: a sandbox whose zygote this one forks from too."""
        self.submission, self.limits, self.shares = submission and Path(submission), limits, shares
        self.uid, self.uid_lock, self.layers = None, None, ()
        self.process, self.scratch, self.zygote, self.starts = None, None, None, 0
        self.used = 0.0  # seconds of the submission's time its calls have used
        self.isolation = self._isolate(uid)

    def _isolate(self, base: int | None) -> str:
        """Claim a worker uid from base on when running as root, find the confinement layers this
        machine offers, and say which level is in force."""
        if self.limits.isolation == "process":
            return f"{PROCESS_LEVEL}; asked for explicitly"
        why_no_uid = "not root" if os.geteuid() != 0 else "no worker user given" if base is None else ""
        if not why_no_uid:
            uid, self.uid_lock = claim_uid(base)
            kill_user(uid)  # whatever an earlier, interrupted grader left behind
            problem = python_runs_as(uid)
            if problem:
                self.uid_lock.close()
                self.uid_lock = None
                why_no_uid = f"uid {uid} cannot run {sys.executable} ({problem})"
            else:
                self.uid = uid
                lock()
        self.layers = available_layers(self.uid)
        confinement = "; ".join(f"{layer}: {LAYERS[layer].format(self.limits.disk_bytes // 2**20)}"
                                for layer in self.layers)
        if self.uid is not None:
            return f"user: uid {self.uid} with its own process limit, kit closed to it" + (
                f"; {confinement}" if confinement else "")
        if self.layers:
            return f"confined: {confinement} (without root: {why_no_uid})"
        raise IsolationUnavailable(
            f"only the process level is available here ({why_no_uid}; neither Landlock nor user namespaces work), "
            f"where student code can read the answers and other submissions; grade as root, or on a Linux with "
            f"Landlock, or pass --allow-process-level for trusted code")

    def _prepare_scratch(self) -> Path:
        scratch = Path(tempfile.mkdtemp(prefix="nnkit-worker-"))
        package = scratch / PACKAGE
        package.mkdir()
        (scratch / WRITABLE).mkdir()
        shutil.copy(SOLUTIONS / "__init__.py", package / "__init__.py")  # the package's: loads TensorFlow quietly
        for path in sorted(self.submission.glob("*.py")) if self.submission else ():
            if path.is_file() and not path.is_symlink() and path.name != "__init__.py":
                shutil.copyfile(path, package / path.name)
        if self.uid is not None:
            for path in [scratch, *scratch.rglob("*")]:
                os.chown(path, self.uid, self.uid)
        os.chmod(scratch, 0o700)
        return scratch

    def start(self) -> None:
        self.scratch = self._prepare_scratch()
        writable = str(self.scratch / WRITABLE)
        env = {"HOME": writable, "TMPDIR": writable, **ENVIRONMENT}
        spec = {"scratch": str(self.scratch), "writable": writable, "uid": self.uid, "layers": list(self.layers),
                "disk_bytes": self.limits.disk_bytes, "memory_bytes": self.limits.memory_bytes,
                "file_bytes": self.limits.file_bytes, "processes": self.limits.processes, "env": env,
                "hidden": list(self.limits.hidden)}
        if self.zygote is None or not self.zygote.alive():
            shared = self.shares and self.shares.zygote
            self.zygote = shared if shared and shared.alive() else ZYGOTES.take()
        self.process = self.zygote.spawn(spec)
        self.starts += 1

    def request(self, header: dict, blobs: list, timeout: float | None = None):
        """(reply, blobs) for one request; raises WorkerLost after killing a faulty worker.

        The reply must name this request; a frame left on the channel from an earlier call (written
        out of turn) ends that worker before this request is sent, so it is never read as this
        call's reply."""
        if self.process is not None and self._pending():
            self.stop()
        if self.process is None or self.process.poll() is not None:
            self.stop()
            self.start()
        header = {**header, "id": secrets.token_hex(8)}
        budget = self.limits.submission_seconds
        timeout = min(timeout or self.limits.call_seconds, budget - self.used)
        if timeout <= 0:
            raise WorkerLost("timeout", f"your submission's calls used all {budget:g} s of time it has for "
                                        f"grading: this check was not run")
        sent = threading.Thread(target=self._send, args=(header, blobs), daemon=True)
        sent.start()
        reader = _DeadlineReader(self.process.stdout.fileno(), timeout, self.process.pid, self.zygote.process.pid)
        try:
            reply = wire.read_frame(reader, MAX_REPLY_BYTES)
        except TimeoutError:
            self.used += timeout
            self.stop()
            waited = time.monotonic() - reader.start
            last = " (the last of your submission's grading time)" if self.used >= budget else ""
            raise WorkerLost("timeout", f"no answer within {timeout:g} s{last} of the time it could run"
                                        + (f" ({waited:.0f} s on the clock: the machine was busy)"
                                           if waited > 1.5 * timeout else "")) from None
        except (EOFError, wire.ProtocolError, ValueError, RecursionError) as error:
            self.used += reader.charged()
            raise WorkerLost(*self._death(error)) from None
        self.used += reader.charged()
        if not isinstance(reply[0], dict) or reply[0].get("id") != header["id"] or self._pending():
            self.stop()
            raise WorkerLost("protocol", "a reply that does not answer this call came back on the grader's "
                                         "channel (did your code write to it?)")
        return reply

    def _pending(self) -> bool:
        """Is anything waiting on the channel that no request asked for?"""
        return bool(select.select([self.process.stdout.fileno()], [], [], 0)[0])

    def _send(self, header, blobs) -> None:
        try:
            wire.write_frame(self.process.stdin, header, blobs)
        except (BrokenPipeError, OSError, ValueError):
            pass

    def _death(self, error) -> tuple[str, str]:
        code = self.process.wait(5)
        self.stop()
        if isinstance(error, wire.ProtocolError):
            return "protocol", f"the worker broke the protocol ({error})"
        if code is None:
            return "crash", "the worker closed its channel"
        if code < 0:
            name = signal.Signals(-code).name
            category = "memory" if -code in (signal.SIGKILL, signal.SIGABRT) else "crash"
            return category, f"the worker was ended by {name}" + (" (out of memory?)" if category == "memory" else "")
        return "crash", f"the worker exited with status {code}"

    def stop(self) -> None:
        """Kill the worker, its session, what it left running and (under a dedicated user) every
        process of that user."""
        if self.process is not None:
            self.process.end()
            if self.uid is not None:
                kill_user(self.uid)
                remove_files_of(self.uid)
            self.process = None
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None

    def close(self) -> None:
        """Stop the worker for good, give its uid back and its zygote to the next sandbox."""
        self.stop()
        if self.uid_lock is not None:
            self.uid_lock.close()
            self.uid_lock = None
        if self.zygote is not None:
            if self.zygote is not (self.shares and self.shares.zygote):
                ZYGOTES.give_back(self.zygote)
            self.zygote = None

"""A trusted grading process: grades one submission after another (`python -m grader.scoring.slot`).

TensorFlow, the hidden suites and MNIST are loaded once per process instead of once per
submission. No student code ever runs here (every call goes to a sandboxed worker), so nothing of
one submission can reach the next. Protocol, one JSON object per line: a job on stdin,
{"args": [pytest arguments], "log": file for pytest's output}; the answer on the original stdout,
{"exit": pytest's exit code}. Results themselves go, signed, to the file named by --results.
"""

import atexit
import json
import os
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

from grader.catalogue import KIT
from grader.isolation.pool import Pool
from grader.scoring.plugin import RESULTS_KEY


class Slot:
    """A trusted grading process (`main` below) that grades submission after submission, with a
    results key of its own; a slot that dies or overruns is replaced by a fresh one.

    Slots are pooled (`SLOTS`): one that outlives a grading waits for the next in this process (a
    regrade, another class), which then starts without importing TensorFlow again; only a grading
    in the environment the slot was started with takes it."""

    def __init__(self):
        self.key = secrets.token_hex(32)
        # the slot's temporary files (its workers' scratch folders, TensorFlow's autograph files) go in a
        # folder removed when it closes, however it ends; workers may pass through it to their scratch
        self.tmp = tempfile.mkdtemp(prefix="nnkit-slot-")
        os.chmod(self.tmp, 0o711)
        # only the kit's plugins (pytest-timeout, grader.scoring.plugin): no installed plugin takes part in grading
        self.environment = self._environment()
        env = self.environment | {RESULTS_KEY: self.key, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "TMPDIR": self.tmp}
        self.process = subprocess.Popen([sys.executable, "-m", "grader.scoring.slot"], cwd=KIT, env=env, text=True,
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

    def fits(self) -> bool:
        """Was it started in this process's environment (e.g. the same $KIT_MNIST)?"""
        return self.environment == self._environment()

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


SLOTS: Pool[Slot] = Pool(Slot, lambda slot: slot.alive, Slot.close, Slot.fits)


def main() -> None:
    channel = os.fdopen(os.dup(1), "w")
    from grader.isolation.sandbox import ZYGOTES

    ZYGOTES.give_back(ZYGOTES.take())  # its workers' zygote imports TensorFlow while this process does
    import pytest

    import solutions  # noqa: F401  (TensorFlow, loaded quietly, once)

    for line in sys.stdin:
        job = json.loads(line)
        log = os.open(job["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        saved = os.dup(1), os.dup(2)
        os.dup2(log, 1)
        os.dup2(log, 2)
        try:
            code = int(pytest.main(job["args"]))
        except BaseException:  # noqa: BLE001  (reported as this job's failure; the next job goes on)
            traceback.print_exc()
            code = -1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            for fd, original in zip((1, 2), saved):
                os.dup2(original, fd)
                os.close(original)
            os.close(log)
        channel.write(json.dumps({"exit": code}) + "\n")
        channel.flush()


if __name__ == "__main__":
    main()

"""The isolation policy as data: the limits a worker runs under, the levels of isolation, and the
environment a worker starts with. The code applying it is in sandbox.py and confine.py."""

import enum
import os
from dataclasses import dataclass

DEFAULT_WORKER_UID = 61000  # as root, workers run as the first free uid from this one
UID_RANGE = 1000
KEPT_ENVIRONMENT = ("LANG", "LC_ALL", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "TZ")
ENVIRONMENT = {"PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONDONTWRITEBYTECODE": "1",
               **{k: os.environ[k] for k in KEPT_ENVIRONMENT if k in os.environ}}  # a worker's, and its zygote's


class Level(enum.Enum):
    """What a level of isolation enforces (the report's `isolation` starts with its value)."""

    USER = "user"  # a root grader: the worker runs as its own unprivileged uid, plus everything of CONFINED
    CONFINED = "confined"  # namespaces and/or Landlock, without root
    PROCESS = "process"  # the grader's own user: for trusted code only, and only when asked for


def default_worker_uid() -> int | None:
    """The base uid of workers: DEFAULT_WORKER_UID when the grader runs as root, else none."""
    return DEFAULT_WORKER_UID if os.geteuid() == 0 else None


@dataclass(frozen=True)
class Limits:
    call_seconds: float = 30.0
    submission_seconds: float = 600.0  # all the calls of one submission's grading, counted as call_seconds are
    memory_bytes: int = 6 * 2**30
    file_bytes: int = 64 * 2**20
    disk_bytes: int = 256 * 2**20  # all a worker may write (a tmpfs, where namespaces are available)
    processes: int = 64  # per dedicated user or namespace, threads included (a TensorFlow worker runs ~10)
    isolation: str = "auto"  # "auto": the strongest level available; "process": the bare process level
    hidden: tuple[str, ...] = ()  # folders no worker may read besides the kit's: the class's, the reports'


PROCESS_LEVEL = "process: own session, scratch directory, scrubbed environment, memory and file limits"


class IsolationUnavailable(RuntimeError):
    """Only the process level is available here and it was not asked for explicitly."""

"""The one pool of pre-started processes: a process that outlives its user waits here for the next
user in this process, so that costly starts (importing TensorFlow) happen once. The grading
processes (scoring/slot.py) and the zygotes that fork workers (sandbox.py) are both kept so."""

import threading
from typing import Generic, TypeVar
from collections.abc import Callable

P = TypeVar("P")


class Pool(Generic[P]):
    """Idle processes of one kind: `take` one that is alive and fits (or start a new one),
    `give_back` it when done; a process that died or no longer fits is closed."""

    def __init__(self, start: Callable[[], P], alive: Callable[[P], bool], close: Callable[[P], None],
                 fits: Callable[[P], bool] = lambda process: True):
        self.start, self.alive, self.close, self.fits = start, alive, close, fits
        self.idle: list[P] = []
        self.lock = threading.Lock()

    def take(self) -> P:
        with self.lock:
            while self.idle:
                process = self.idle.pop()
                if self.alive(process) and self.fits(process):
                    return process
                self.close(process)
        return self.start()

    def give_back(self, process: P) -> None:
        if self.alive(process):
            with self.lock:
                self.idle.append(process)
        else:
            self.close(process)

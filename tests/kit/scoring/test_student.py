"""The isolated student access: which errors cost the worker its life."""

import os
import subprocess
import sys
import time

import pytest

from grader.isolation import loadclock
from grader.isolation.policy import Limits
from grader.isolation.sandbox import WorkerLost
from grader.scoring.student import Student, StudentError

MODULE = '''
def reject(k):
    raise ValueError(f"k > 1 is required, got {k}")

def crash():
    return {}["a"]

def pid():
    import os
    return os.getpid()
'''


@pytest.mark.timeout(120)
def test_a_value_error_keeps_the_worker_and_a_crash_restarts_it(tmp_path):
    (tmp_path / "evaluation.py").write_text(MODULE)
    student = Student.isolated(tmp_path)
    try:
        first = student.evaluation.pid()
        with pytest.raises(StudentError) as rejected:
            student.evaluation.reject(1)
        assert rejected.value.type == "ValueError" and "k > 1" in rejected.value.message
        assert student.evaluation.pid() == first and student.backend.starts == 1
        with pytest.raises(StudentError) as crashed:
            student.evaluation.crash()
        assert crashed.value.category == "crash"
        assert student.evaluation.pid() != first and student.backend.starts == 2
    finally:
        student.close()


BUSY = '''
def spin(seconds):
    import time
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
    return seconds

def nap(seconds):
    import time
    time.sleep(seconds)
    return seconds

def hog(children):
    import os, signal, time
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps them: their CPU time is no one's
    for i in range(children):  # its own load, lasting and short-lived: it must not buy the call more time
        if os.fork() == 0:
            end = time.time() + (3600 if i % 2 else 0.5)
            while time.time() < end:
                pass
            os._exit(0)
    while True:
        if os.fork() == 0:
            end = time.time() + 0.2
            while time.time() < end:
                pass
            os._exit(0)
        time.sleep(0.05)
'''


@pytest.mark.timeout(300)
def test_load_on_the_machine_never_becomes_a_timeout(tmp_path):
    (tmp_path / "evaluation.py").write_text(MODULE + BUSY)
    student = Student.isolated(tmp_path, Limits(call_seconds=3.0))
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True)  # own autogroups
               for _ in range(3 * os.cpu_count())]
    try:
        student.evaluation.pid()  # the worker's start-up is not part of the measured calls
        start = time.monotonic()
        assert student.evaluation.spin(2.0) == 2.0  # 2 s of work, slowed by the load past the 3 s limit
        loaded = time.monotonic() - start
        start = time.monotonic()
        with pytest.raises(WorkerLost) as slept:
            student.evaluation.nap(60)
        napped = time.monotonic() - start
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
        student.close()
    assert slept.value.category == "timeout" and napped < 3.0 * 3
    assert loaded > 3.0, f"the load did not slow the call ({loaded:.1f} s): the test proves nothing"


@pytest.mark.timeout(120)
def test_calls_that_each_stay_within_their_limit_still_share_the_submissions_time(tmp_path):
    """A submission whose every call sleeps just under the call limit runs out of its own time, which
    is the student's timeout (never the grading run's overrun, a grader fault)."""
    (tmp_path / "evaluation.py").write_text(MODULE + BUSY)
    student = Student.isolated(tmp_path, Limits(call_seconds=5.0, submission_seconds=3.0))
    try:
        assert student.evaluation.nap(1.2) == 1.2 and student.evaluation.nap(1.2) == 1.2
        start = time.monotonic()
        with pytest.raises(WorkerLost) as last:
            student.evaluation.nap(1.2)  # 0.6 s of the submission's time are left
        cut = time.monotonic() - start
        with pytest.raises(WorkerLost) as after:
            student.evaluation.pid()
    finally:
        student.close()
    assert last.value.category == after.value.category == "timeout" and cut < 1.2
    assert "last of your submission's grading time" in str(last.value) and "not run" in str(after.value)


@pytest.mark.timeout(300)
def test_load_a_worker_makes_itself_does_not_extend_its_time(tmp_path):
    (tmp_path / "evaluation.py").write_text(MODULE + BUSY)
    student = Student.isolated(tmp_path, Limits(call_seconds=3.0))
    try:
        student.evaluation.pid()
        zygote = student.backend.zygote.process.pid
        start, before = time.monotonic(), loadclock.processes()
        with pytest.raises(WorkerLost) as hogged:
            student.evaluation.hog(4 * os.cpu_count())
        seconds = time.monotonic() - start
        others = loadclock.others_cpu_seconds(before, loadclock.processes(), zygote)
    finally:
        student.close()
    # whatever else runs on the machine may extend the limit (by its share of the CPUs), the hog never
    assert hogged.value.category == "timeout" and seconds < 3.0 + max(others, 0) / loadclock.CPUS + 2.0, \
        f"stopped after {seconds:.1f} s; other processes used {others:.1f} CPU-s"

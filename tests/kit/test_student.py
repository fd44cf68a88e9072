"""The isolated student access: which errors cost the worker its life."""

import pytest

from grader.student import Student, StudentError

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

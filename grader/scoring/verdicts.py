"""Whose fault a failed hidden check is, and what the student reads about it: a verdict is a
category (value, shape, dtype, type, not by hand, not implemented, missing, crash, timeout, memory,
protocol, tampering detected, or grader fault) and a message."""

from grader.catalogue import EXERCISES
from grader.isolation.sandbox import WorkerLost
from grader.scoring.judges import SelfCheckFailure, crash_mistake, hint
from grader.scoring.report import FAULT_MESSAGE, GRADER_FAULT
from grader.scoring.student import StudentError

CATEGORY_HINTS = {
    "timeout": "look for a loop that never ends, or work done again and again (a Python loop over pixels)",
    "memory": "look for tensors far larger than the data (an outer product of whole batches, a list that keeps growing)",
    "crash": "run the self-checks (pytest exercises/) to see where your code stops",
    "protocol": "never write to file descriptors your code did not open: the grader talks to your code over them",
}


def verdict(excinfo, tampered=()) -> tuple[str, str]:
    """(category, message for the student) of a failed test."""
    category, message = _verdict(excinfo.value)
    if tampered:
        return "tampering detected", (f"your code replaced {', '.join(sorted(tampered))} in the grading worker; "
                                      f"grading does not run there, so this changes nothing\n{message}")
    return category, message


def _verdict(error) -> tuple[str, str]:
    if isinstance(error, SelfCheckFailure):
        return error.category, str(error)
    if isinstance(error, StudentError):
        if error.category in ("not implemented", "missing"):
            return error.category, error.message
        if error.category == "not by hand":  # the trusted side's own finding, in its own words
            return error.category, f"{error.message}\n  hint: {hint(error.path)}"
        where = f"\n  at {error.where}" if error.where else ""
        if error.module:  # one message for every check that uses the module
            missing = next((name for name in EXERCISES if error.type == "ModuleNotFoundError"
                            and f"No module named '{name}'" in error.message), None)
            fix = (f"import the other exercises relatively, as the skeletons do (from .{missing} import …): "
                   f"the grader imports your files as one package" if missing else "fix this error first")
            return error.category, (f"{error.module}.py does not import: {error.type}: {error.message[:600]}{where}\n"
                                    f"  hint: no check that uses {error.module}.py can run until it imports; {fix}")
        named = crash_mistake(error.path, f"{error.type}: {error.message}")
        return error.category, (f"{error.path} raised {error.type}: {error.message[:600]}{where}\n"
                                + (f"  mistake: {named}\n" if named else "") + f"  hint: {hint(error.path)}")
    if isinstance(error, WorkerLost):
        return error.category, f"your code stopped the grading worker: {error}\n  hint: {CATEGORY_HINTS[error.category]}"
    text = str(error)
    if "Timeout" in text and "pytest-timeout" in text:
        return "timeout", f"the check ran out of time\n  hint: {CATEGORY_HINTS['timeout']}"
    # Anything else was raised by the grader's own code: a fault of the grading set-up, which the
    # report and the console flag for the instructor; it is never the student's mistake.
    return GRADER_FAULT, FAULT_MESSAGE


# what a judge's own code raises when a value it is given is not of the kind it expects (TensorFlow's
# InvalidArgumentError too); a fault of the machine or the set-up (memory, files, a worker that
# cannot start: RuntimeError) is none of these and stays the grader's
JUDGE_ERRORS = (TypeError, ValueError, LookupError, AttributeError, ArithmeticError)

"""A trusted grading process that grades one submission after another (`python -m grader.slot`).

TensorFlow, the hidden suites and MNIST are loaded once per process instead of once per
submission. No student code ever runs here (every call goes to a sandboxed worker), so nothing of
one submission can reach the next. Protocol, one JSON object per line: a job on stdin,
{"args": [pytest arguments], "log": file for pytest's output}; the answer on the original stdout,
{"exit": pytest's exit code}. Results themselves go, signed, to the file named by --results.
"""

import json
import os
import sys
import traceback


def main() -> None:
    channel = os.fdopen(os.dup(1), "w")
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

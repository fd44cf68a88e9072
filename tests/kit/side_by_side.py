"""Run the kit's own modules as processes side by side (one per core) and collect what they print."""

import subprocess
import sys
import tempfile

from grader.catalogue import KIT


def run_modules(*commands: list[str]) -> list[tuple[int, str]]:
    """(return code, stdout and stderr) of `python -m <command…>` for each command, all started at
    once; their output goes to files, so that none blocks on a full pipe while another is read."""
    runs = []
    for command in commands:
        log = tempfile.TemporaryFile(mode="w+")
        runs.append((log, subprocess.Popen([sys.executable, "-m", *command], cwd=KIT, stdout=log,
                                           stderr=subprocess.STDOUT, text=True)))
    results = []
    for log, run in runs:
        run.wait()
        log.seek(0)
        results.append((run.returncode, log.read()))
        log.close()
    return results

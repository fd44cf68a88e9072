"""Run the visible self-checks (`pytest exercises/`) in a subprocess, as a student would."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_selfchecks(cwd: Path = ROOT, target: str = "exercises", *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "KIT_TARGET": target, "PYTHONPATH": os.pathsep.join([str(cwd), str(ROOT)])}
    return subprocess.run([sys.executable, "-m", "pytest", "exercises/", "-p", "no:randomly", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def student_copy(tmp_path: Path, finished: tuple[str, ...] = ()) -> Path:
    """A copy of the kit as a student has it, with the named modules taken from solutions/."""
    shutil.copytree(ROOT / "exercises", tmp_path / "exercises", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    for module in finished:
        shutil.copy(ROOT / "solutions" / f"{module}.py", tmp_path / "exercises" / f"{module}.py")
    return tmp_path

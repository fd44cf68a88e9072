"""The student's own tools beside the self-checks: watch mode (a save gives the exercise's verdict
without starting TensorFlow again) and their own network trained and shown (`exercises.my_network`)."""

import os
import subprocess
import sys
import time

import pytest

from tests.kit.selfcheck_runs import ROOT, student_copy

pytestmark = pytest.mark.slow  # grades, trains or starts other processes


def _env(root):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(ROOT)])}
    env.pop("KIT_TARGET", None)
    return env


@pytest.mark.timeout(300)
def test_watch_mode_checks_the_exercise_saved_with_its_latest_code(tmp_path):
    root = student_copy(tmp_path, finished=("perceptron",))
    module = root / "exercises" / "perceptron.py"
    watcher = subprocess.Popen([sys.executable, "-m", "exercises.watch"], cwd=root, env=_env(root),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seen = []

    def until(text: str) -> str:
        for line in watcher.stdout:
            seen.append(line)
            if text in line:
                return line
        raise AssertionError("".join(seen[-40:]))

    try:
        until("watching perceptron.py, mlp.py")
        os.utime(module, ns=(time.time_ns(), time.time_ns()))
        assert "every check passes" in until("=== perceptron:")
        module.write_text(module.read_text().replace("return 1.0 if a > 0 else 0.0", "return 1.0 if a >= 0 else 0.0"))
        verdict = until("=== perceptron:")
        assert "see above" in verdict and "after the save" in verdict
        assert any("perceptron.step_fn (fires at zero)" in line for line in seen), "".join(seen[-40:])  # the new code
        assert not any("=== mlp" in line for line in seen)  # only the exercise saved
        right = module.read_text().replace("return 1.0 if a >= 0 else 0.0", "return 1.0 if a > 0 else 0.0")
        traced = "if not tf.executing_eagerly():\n        raise ValueError('no graphs')\n    return tf.where(a > 0"
        module.write_text(right.replace("return tf.where(a > 0", traced))  # fails only inside tf.function
        assert "see above" in until("=== perceptron:")
        module.write_text(right)  # AutoGraph must read this source, not the one it read before
        assert "every check passes" in until("=== perceptron:"), "".join(seen[-40:])
    finally:
        watcher.terminate()
        watcher.wait()


@pytest.mark.timeout(300)
def test_my_network_trains_the_students_code_and_names_a_task_not_done(tmp_path):
    done = student_copy(tmp_path / "done", finished=("perceptron", "mlp", "training"))
    run = subprocess.run([sys.executable, "-m", "exercises.my_network", "--images", "3000", "--epochs", "2",
                          "--png", str(tmp_path / "mine.png")], cwd=done, env=_env(done), capture_output=True,
                         text=True, timeout=240)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "epoch 2: mean loss" in run.stdout and "test accuracy" in run.stdout and "per digit: 0:" in run.stdout
    assert (tmp_path / "mine.png").stat().st_size > 10_000
    blank = student_copy(tmp_path / "blank")
    run = subprocess.run([sys.executable, "-m", "exercises.my_network"], cwd=blank, env=_env(blank),
                         capture_output=True, text=True, timeout=240)
    assert run.returncode == 1 and "not yet: training.preprocess is not implemented yet" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr

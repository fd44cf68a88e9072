"""The visible self-checks teach: markers, task selection, a wrong answer, a task that waits for
another, a hang or a crash. That they fail on every skeleton and pass on every solution is checked
where a student runs them, in the released starter repository (test_release.py)."""

import ast
import os
import re
import subprocess
import sys
import threading
import time

import pytest

from grader.catalogue import SOLUTIONS, all_regions
from grader.scoring import rubric
from tests.kit.selfcheck_runs import ROOT, run_selfchecks, student_copy
from tests.kit.corpora.mistakes import TAPED_BACKWARD

pytestmark = pytest.mark.slow  # grades, trains or starts other processes

TASKS = [r.task for r in all_regions()]


def progress(output: str) -> dict[str, str]:
    return {m.group(2): m.group(1).strip() for m in re.finditer(r"^  (ok      |FAILING |NOT DONE) (\S+)", output, re.M)}


def test_each_exercise_has_its_marker():
    for exercise in ("perceptron", "backprop"):
        run = run_selfchecks(ROOT, "solutions", "-m", exercise)
        assert run.returncode == 0
        assert set(progress(run.stdout)) == {t for t in TASKS if t.startswith(exercise + ".")}


def test_selecting_tasks_runs_only_their_self_checks():
    run = run_selfchecks(ROOT, "solutions", "--task", "backprop.update", "--task", "mlp.xor_network")
    assert progress(run.stdout) == {"mlp.xor_network": "ok", "backprop.update": "ok"}


def test_a_misspelt_task_or_exercise_is_said_with_the_nearest_name():
    for args, said in ((("--task", "activations.sigmod"), "no task 'activations.sigmod': did you mean 'activations.sigmoid'?"),
                       (("-m", "activation"), "no exercise 'activation': did you mean 'activations'?")):
        run = run_selfchecks(ROOT, "exercises", *args)
        assert run.returncode == 4 and said in run.stderr, run.stdout[-1000:] + run.stderr[-1000:]


def test_copying_in_one_solution_makes_exactly_that_exercise_pass(tmp_path):
    run = run_selfchecks(student_copy(tmp_path, finished=("perceptron",)))
    states = progress(run.stdout)
    assert run.returncode == 1
    assert {t for t, s in states.items() if s == "ok"} == {t for t in TASKS if t.startswith("perceptron.")}


def test_a_wrong_answer_shows_call_expected_returned_and_hint(tmp_path):
    root = student_copy(tmp_path, finished=("perceptron",))
    module = root / "exercises" / "perceptron.py"
    module.write_text(module.read_text().replace("1.0 if a > 0 else 0.0", "1.0 if a >= 0 else 0.0"))
    run = run_selfchecks(root, "exercises", "-m", "perceptron")
    assert progress(run.stdout)["perceptron.step_fn"] == "FAILING"
    assert ("perceptron.step_fn (fires at zero)\n  called   step_fn(0.0)\n  expected 0.0\n  returned 1.0\n"
            "  mistake: the step of 0 is 0" in run.stdout and "  hint: compare with zero" in run.stdout), run.stdout[-2000:]


def test_a_task_that_fails_because_a_task_it_uses_fails_says_so(tmp_path):
    root = student_copy(tmp_path, finished=("perceptron",))
    module = root / "exercises" / "perceptron.py"
    module.write_text(module.read_text().replace("tf.where(a > 0,", "tf.where(a >= 0,"))
    run = run_selfchecks(root, "exercises", "-m", "perceptron")
    assert "FAILING  perceptron.nand_gate  (uses perceptron.tf_step_fn, which fails: fix that first)" in run.stdout
    assert "next: perceptron.tf_step_fn" in run.stdout


def test_a_task_waiting_for_another_sends_the_student_there_first(tmp_path):
    run = run_selfchecks(student_copy(tmp_path, finished=("mlp",)), "exercises", "-m", "mlp")
    assert "(waits for: perceptron.tf_step_fn is not implemented yet" in run.stdout
    assert "next: perceptron.tf_step_fn" in run.stdout, run.stdout[-1500:]


def test_a_gradient_from_the_tape_instead_of_by_hand_is_named(tmp_path):
    root = student_copy(tmp_path, finished=("backprop",))
    module = root / "exercises" / "backprop.py"
    module.write_text(module.read_text().replace("    activations = [tf.convert_to_tensor(x)]\n",
                                                 TAPED_BACKWARD))
    run = run_selfchecks(root, "exercises", "--task", "backprop.backward")
    assert progress(run.stdout) == {"backprop.backward": "FAILING"}
    assert "backprop.backward (not by hand)\n  its graph holds a GradientTape" in run.stdout


@pytest.mark.parametrize("broken, expected", [
    ("while True:\n        a = a * 1", "TIMEOUT perceptron.step_fn: stopped after 3 s of the time it could run"),
    ("return {}['a']", "CRASH perceptron.step_fn: KeyError"),
])
def test_a_hang_or_crash_is_reported_in_one_place_and_the_rest_still_run(tmp_path, broken, expected):
    root = student_copy(tmp_path, finished=("perceptron",))
    module = root / "exercises" / "perceptron.py"
    module.write_text(module.read_text().replace("return 1.0 if a > 0 else 0.0", broken))
    run = run_selfchecks(root, "exercises", "-m", "perceptron", "-k", "step_fn[0.5 or gate", "--timeout", "3")
    assert expected in run.stdout and "at exercises/perceptron.py:" in run.stdout
    assert progress(run.stdout)["perceptron.and_gate"] == "ok"


SPIN = """
def spin(seconds):  # correct code that needs `seconds` of CPU time
    import time
    open("FLAG", "w").close()  # (tells the test to start the load)
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass

"""


@pytest.mark.timeout(900)
def test_a_busy_machine_never_stops_correct_code_but_still_stops_a_hang(tmp_path):
    """Checks are limited by the time they could run: 2 s of work under a 3 s limit passes however
    long the load makes it on the clock, while a hang is still stopped, within the load's share. The
    load (two busy processes per core, each in a session of its own) starts when the slow check does
    and lasts to the end of the run: the tests beside this one are slowed for seconds, not minutes."""
    root = student_copy(tmp_path, finished=("perceptron",))
    module = root / "exercises" / "perceptron.py"
    started = root / "spinning"
    module.write_text(module.read_text().replace("def step_fn(", SPIN.replace("FLAG", str(started)) + "def step_fn(").replace(
        "return 1.0 if a > 0 else 0.0", "spin(2.0)\n    return 1.0 if a > 0 else 0.0").replace(
        "return tf.where(a > 0,", "while True:\n        a = a * 1\n    return tf.where(a > 0,"))
    runs = []  # one run: step_fn's slow check, then tf_step_fn's hang
    runner = threading.Thread(target=lambda: runs.append(run_selfchecks(
        root, "exercises", "-k", "step_fn[0.5 or tf_step_fn_keeps", "--timeout", "3", "--durations", "5")))
    runner.start()
    while runner.is_alive() and not started.exists():
        time.sleep(0.02)
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True)  # own autogroups
               for _ in range(2 * os.cpu_count())]
    try:
        runner.join()
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
    [run] = runs
    assert progress(run.stdout)["perceptron.step_fn"] == "ok", run.stdout[-1500:]
    took = float(re.search(r"^([\d.]+)s call +exercises/test_perceptron.py::test_step_fn", run.stdout, re.M).group(1))
    assert took > 3.0, f"the load did not slow the check ({took:.1f} s): the test proves nothing"
    assert "TIMEOUT perceptron.tf_step_fn: stopped after 3 s of the time it could run" in run.stdout, run.stdout[-1500:]
    assert "Timeout" not in run.stdout and "Thread" not in run.stdout


def test_a_syntax_error_is_reported_without_a_crash(tmp_path):
    root = student_copy(tmp_path)
    (root / "exercises" / "mlp.py").write_text("def broken(:\n")
    run = run_selfchecks(root, "exercises", "-m", "mlp")
    assert run.returncode == 1
    assert "could not import exercises.mlp: SyntaxError" in run.stdout


def test_every_task_declares_the_tasks_its_reference_calls():
    """The self-checks' `uses` marks (which also tell a student, in the hidden feedback, to fix a used
    task first) cover every task whose function the task's reference solution calls."""
    regions = all_regions()
    by_name = {}
    for region in regions:
        by_name.setdefault(region.task.split(".")[-1], []).append(region.task)
    missing = []
    for region in regions:
        module, name = region.task.split(".")[0], region.task.split(".")[-1]
        tree = ast.parse((SOLUTIONS / f"{module}.py").read_text(encoding="utf-8"))
        reachable = {module} | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                                and node.level == 1 and node.module}  # its own module and the exercises it imports
        function = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == name)
        body = [n for statement in function.body for n in ast.walk(statement)]  # not a default argument's value
        called = {n.id for n in body if isinstance(n, ast.Name)} | {n.attr for n in body if isinstance(n, ast.Attribute)}
        calls = {task for word in called for task in by_name.get(word, ())  # a method counts where its class is named
                 if task != region.task and task.split(".")[0] in reachable
                 and (task.count(".") < 2 or task.split(".")[1] in called)}
        missing += [f"{region.task} calls {task}" for task in calls - rubric.task_uses().get(region.task, set())]
    assert not missing, missing


def test_each_self_check_file_lists_its_tasks_in_the_solutions_order():
    """A student is sent to the first failing task in this order, and the mistake corpus stops at the
    first failure: both need a file's checks in the order of the solution's tasks."""
    order = [region.task for region in all_regions()]
    for path in sorted((ROOT / "exercises").glob("test_*.py")):
        tasks = [order.index(task) for task in re.findall(r'@pytest\.mark\.task\("([^"]+)"\)', path.read_text())]
        assert tasks == sorted(tasks), path.name

"""The source scan: what a by-hand task's submission may not reach for, found without running it."""

import pytest

from grader.isolation import source_scan
from grader.catalogue import EXERCISES
from grader.catalogue import KIT
from grader.scoring.student import Student, StudentError
from tests.kit.corpora.mistakes import CORPUS


@pytest.mark.parametrize("source, found", [
    ("from tensorflow.python.eager import tape", "import tensorflow.python.eager"),
    ("import importlib", "import importlib"),
    ("import sys\nsys.modules['x']", "import sys"),
    ("x = __import__('tensorflow')", "__import__()"),
    ("f = tf.GradientTape.__init__.__globals__", "the attribute __globals__"),
    ("t = tf.__internal__", "the attribute __internal__"),
    ("t = tf._api", "the private attribute _api"),
    ("t = getattr(tf, 'Gradient' + 'Tape')", "getattr() with a computed name"),
    ("t = getattr(tf, '__dict__')", "getattr(…, '__dict__')"),
    ("exec('1')", "exec()"),
    ("name = 'tensorflow.python.eager.tape'", "the name 'tensorflow.python'"),
    ("import operator\ncells = operator.attrgetter('__closure__')(step)", "import operator"),
    ("cells = attrgetter('__closure__')(step)", "the name '__closure__'"),
    ("cells = functools.reduce(getattr, names, step)", "getattr passed on"),
    # frames, however they are had, and what they hold
    ("import traceback\nframes = traceback.walk_stack(None)", "import traceback"),
    ("scope = frame.f_locals['dispatcher']", "the attribute f_locals"),
    ("tape = next(gen).gi_frame.f_builtins", "the attribute gi_frame"),
    ("up = getattr(frame, 'f_back')", "getattr(…, 'f_back')"),
    ("text = '{0.f_globals}'.format(frame)", "the name 'f_globals'"),
    ("value = cells[0].cell_contents", "the attribute cell_contents"),
    # a module beyond the exercises', imported or re-exported by another, and the process's memory
    ("import gc", "import gc"),
    ("import logging", "import logging"),
    ("from dataclasses import sys", "from dataclasses import sys"),
    ("modules = dataclasses.sys.modules", "the attribute sys"),
    ("api = np.ctypeslib.ctypes.pythonapi", "the attribute ctypeslib"),
    ("from numpy import ctypeslib", "import numpy"),
    ("memory = open('/proc/self/mem', 'r+b')", "open()"),
    ("address = id(step)", "id()"),
    # names written without a dunder attribute, and strings that a library evaluates (red team, stop 28)
    ("builtins = __builtins__", "the name __builtins__"),
    ("def f(fix: \"lambda: __import__('sys')\"): pass", "the name '__import__'"),
    ("frame = get(sys_module, '_getframe')()", "the name '_getframe'"),
    ("hints = typing.get_type_hints(f)", "the attribute get_type_hints"),
    ("from typing import get_type_hints", "the name get_type_hints"),
    ("data = np.load(path, allow_pickle=True)", "the name allow_pickle"),
    ("def broken(:", "code the scan cannot parse"),
])
def test_each_way_to_reach_internals_is_found(source, found):
    assert [f for f in source_scan.findings(source, "backprop.py") if f.startswith(found)], source


def test_what_exercises_import_is_no_finding():
    assert source_scan.findings("import math\nimport matplotlib.pyplot as plt\nfrom tensorflow import keras\n"
                                "from keras import layers\nimport numpy as np\nfrom .training import train\n"
                                "from submission.perceptron import step_fn\nstep = x.f_hidden\n", "x.py") == []


def test_a_source_python_reads_otherwise_or_too_large_to_read_is_a_finding(tmp_path):
    hidden = "\nfrom tensorflow.python.eager import tape\n"  # a newline, in UTF-7, hides it in a comment
    (tmp_path / "backprop.py").write_bytes(b"# coding: utf-7\n# " + hidden.replace("\n", "+AAo-").encode() + b"\n")
    (tmp_path / "speed.py").write_text("x = 1\n" + "id\n" * 200_000)  # ~0.6 MB
    (tmp_path / "mlp.py").write_text("x = 1\n" + "id\n" * 50_000)  # a finding on every line
    found = source_scan.scan(tmp_path, ["backprop", "speed", "mlp"])
    assert found[0].startswith("a source that is not UTF-8 (backprop.py") and found[1].startswith("a module larger than")
    assert len(found) == 2 + source_scan.MAX_FINDINGS


@pytest.mark.parametrize("source", ["t = tf.GradientTape()", "g = tf.gradients(y, x)", "from tensorflow import gradients",
                                    "acc = tf.autodiff.ForwardAccumulator(x, t)", "j = tape.jacobian(y, x)"])
def test_autodiff_by_name_is_found_where_derivatives_are_by_hand(source):
    assert source_scan.findings(source, "backprop.py", by_hand=True) and not source_scan.findings(source, "x.py")


def test_the_reference_the_skeletons_and_every_corpus_mistake_reach_for_nothing():
    assert source_scan.scan(KIT / "solutions") == source_scan.scan(KIT / "exercises") == []
    assert source_scan.scan(KIT / "solutions", ["backprop"], by_hand=True) == []
    sources = {name: (KIT / "solutions" / f"{name}.py").read_text() for name in EXERCISES}
    for mistake in CORPUS:
        assert source_scan.findings(sources[mistake.module].replace(mistake.old, mistake.new, 1), "x.py") == [], \
            mistake.name


def test_a_by_hand_call_fails_before_it_runs_when_the_source_reaches_for_internals(tmp_path):
    (tmp_path / "backprop.py").write_text("from tensorflow.python.eager import tape\ndef cost(a, d):\n    return 0.0\n")
    student = Student(backend=None, folder=tmp_path)  # no worker: the refusal comes first
    with pytest.raises(StudentError) as refused:
        student.backprop.cost.by_hand(1.0, 2.0)
    assert refused.value.category == "not by hand" and "backprop.py:1" in refused.value.where


def test_a_module_is_scanned_with_the_modules_it_imports_and_no_others(tmp_path):
    (tmp_path / "speed.py").write_text("from .training import train\n")
    (tmp_path / "training.py").write_text("from . import mlp\nimport tensorflow as tf\n")
    (tmp_path / "mlp.py").write_text("x = 1\n")
    (tmp_path / "perceptron.py").write_text("import sys\n")
    assert source_scan.imports(tmp_path, "speed") == ["speed", "training", "mlp"]
    (tmp_path / "backprop.py").write_text("from submission.perceptron import x\n")  # however it is written
    assert source_scan.imports(tmp_path, "backprop") == ["backprop", "perceptron"]
    assert source_scan.scan(tmp_path, source_scan.imports(tmp_path, "speed")) == []
    assert source_scan.scan(tmp_path) == ["import sys (perceptron.py:1)"]
    (tmp_path / "helpers.py").write_text("import gc\n")  # a module of the student's own, not an exercise
    (tmp_path / "mlp.py").write_text("from . import helpers\n")
    assert source_scan.imports(tmp_path, "speed") == ["speed", "training", "mlp", "helpers"]
    assert source_scan.scan(tmp_path, source_scan.imports(tmp_path, "speed")) == ["import gc (helpers.py:1)"]
    assert source_scan.findings("import exercises.notebook\nimport exercises.selfcheck\n", "x.py") == \
        ["import exercises.selfcheck (x.py:2)"]  # a notebook's set-up cell, pasted, is no finding

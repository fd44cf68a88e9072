"""The red team's corpus: hostile and broken submissions, each the reference solutions with one
change, and the exact score and message categories the grader must give them.

Most cases break `perceptron.step_fn` (it returns 1.0 for every input, which loses the 2 points of
its value check) and add an attack that would earn those points back if it worked; so an attack
that fails leaves 97 points. `expected` lists the exercises that score below full marks.
"""

import json
import os
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from grader.catalogue import KIT, SOLUTIONS
from tests.kit.corpora.mistakes import TAPED_BACKWARD, TAPED_BACKWARD_WITH_VARIABLES

HONEST = "return 1.0 if a > 0 else 0.0"
BROKEN = "return 1.0"
FULL = {"perceptron": 15, "mlp": 15, "backprop": 25, "training": 25, "evaluation": 10, "speed": 10}
ADVANCED = {"activations": 25, "optimizers": 25, "softmax_network": 25, "keras_mlp": 25}  # graded only if involved


def _importers() -> dict[str, set[str]]:
    """module → the solutions' modules that import it, directly or through others: the only exercises
    whose checks can run code it holds."""
    imports = {path.stem: set(re.findall(r"^from \.(\w+) import", path.read_text(encoding="utf-8"), re.M))
               for path in SOLUTIONS.glob("*.py")}
    importers = {module: {m for m, used in imports.items() if module in used} for module in imports}
    for _ in imports:  # to a fixed point: importers of importers
        importers = {module: them.union(*(importers[m] for m in them)) for module, them in importers.items()}
    return importers


IMPORTERS = _importers()
STEP_BROKEN = {"perceptron": 12}  # both step_fn checks (3 points) fail on the wrong values
STEP_FAILS = STEP_BROKEN  # … or on a crash, a timeout or a wrong type
IMPORT_FAILS = {"perceptron": 0, "mlp": 0}  # mlp imports perceptron


@dataclass
class Case:
    name: str
    expected: dict  # exercise → points, for the exercises below full marks
    categories: set  # categories of the checks that lose points
    prelude: str = ""  # module-level code put at the top of perceptron.py
    body: str = ""  # code run by step_fn before it returns its (broken) answer
    edits: tuple = ()  # (module, old, new) replacements in the solutions
    build: object = None  # for broken input: build(folder) makes the submission itself
    process_level: dict | None = None  # the expected points where the process level differs
    warning: str = ""  # what the report's warnings must say
    confined_level: dict | None = None  # the expected points where a grader that is not root differs,
    confined_categories: set | None = None  # … the categories it gives then,
    confined_warning: str = ""  # … and what the warnings must say then

    def score(self, level: str = "user") -> dict:
        """Points per exercise it is graded on."""
        expected = {"process": self.process_level, "confined": self.confined_level}.get(level)
        expected = self.expected if expected is None else expected
        return {name: points for name, points in {**FULL, **ADVANCED, **expected}.items() if name in self.exercises}

    def categories_at(self, level: str) -> set:
        return self.confined_categories if level == "confined" and self.confined_categories else self.categories

    def warning_at(self, level: str) -> str:
        return self.confined_warning if level == "confined" and self.confined_level is not None else self.warning

    @property
    def exercises(self) -> tuple[str, ...]:
        """The exercises it is graded on: perceptron, where most attacks live, and mlp, which imports it (a
        witness that the attack won nothing elsewhere); every exercise it edits or should lose points in,
        with every exercise that imports one of those (the only others whose checks run its code)."""
        involved = {"perceptron", "mlp", *self.expected, *(self.process_level or {}), *(self.confined_level or {}),
                    *(e[0] for e in self.edits)}
        involved |= set().union(*(IMPORTERS.get(name, set()) for name in involved))
        return tuple(name for name in (*FULL, *ADVANCED) if name in involved)

    def make(self, folder: Path) -> Path:
        """The submission of this case (a folder, or a zip beside it); returns its path."""
        folder.mkdir(parents=True)
        if self.build:
            return self.build(folder) or folder
        _solutions(folder)
        step = folder / "perceptron.py"
        if self.prelude or self.body:
            attack = "\n".join([*self.body.strip().splitlines(), BROKEN]).replace("\n", "\n    ")
            step.write_text((self.prelude.strip() + "\n" if self.prelude else "") + step.read_text().replace(HONEST, attack))
        for module, old, new in self.edits:
            path = folder / f"{module}.py"
            assert old in path.read_text(), (self.name, old)
            path.write_text(path.read_text().replace(old, new))
        return folder


def _solutions(folder: Path, skip=()) -> None:
    for path in sorted((KIT / "solutions").glob("*.py")):
        if path.name != "__init__.py" and path.stem not in skip:
            (folder / path.name).write_text(path.read_text())


def _utf7_backprop(folder: Path) -> None:
    _solutions(folder)
    path = folder / "backprop.py"
    attack = f"\n{AUTODIFF_RESTORED}\n\n@with_autodiff\ndef backward(weights, biases, x, desired):\n{TAPED_BACKWARD}"
    hidden = attack.replace("+", "+-").replace("\n", "+AAo-").encode("ascii")
    path.write_bytes(("# coding: utf-7\n" + path.read_text()).encode("utf-7") + b"\n# end of module " + hidden + b"\n")


def _empty(folder: Path) -> None:
    for path in (KIT / "solutions").glob("*.py"):
        if path.name != "__init__.py":
            (folder / path.name).write_text("")


def _non_utf8(folder: Path) -> None:
    _solutions(folder)
    (folder / "perceptron.py").write_bytes(b'GREETING = "caf\xe9"\n' + (folder / "perceptron.py").read_bytes())


def _zip_traversal(folder: Path) -> Path:
    _solutions(folder, skip=("perceptron",))
    target = folder.with_suffix(".zip")
    with zipfile.ZipFile(target, "w") as archive:
        for path in folder.glob("*.py"):
            archive.write(path, f"exercises/{path.name}")
        archive.write(KIT / "solutions" / "perceptron.py", "../perceptron.py")
    shutil.rmtree(folder)
    return target


def _corrupt_zip(folder: Path) -> Path:
    shutil.rmtree(folder)
    target = folder.with_suffix(".zip")
    target.write_bytes(b"PK\x03\x04 this is no zip")
    return target


def _symlink(folder: Path) -> None:
    _solutions(folder, skip=("perceptron",))
    os.symlink(KIT / "solutions" / "perceptron.py", folder / "perceptron.py")


def _class_entry_link(folder: Path) -> None:
    folder.rmdir()
    os.symlink(KIT / "solutions", folder)  # the whole submission is a link to the answers


def _folder_link(folder: Path) -> None:
    os.symlink(KIT / "solutions", folder / "exercises")  # a folder inside the submission links out


def _hard_link(folder: Path) -> None:
    _solutions(folder, skip=("perceptron",))
    outside = folder.parent / "outside-perceptron.py"  # e.g. a classmate's file on a shared disk
    outside.write_text((KIT / "solutions" / "perceptron.py").read_text())
    os.link(outside, folder / "perceptron.py")


def _broken_step(folder: Path) -> Path:
    """The solutions with step_fn's value broken (what most cases start from)."""
    _solutions(folder)
    path = folder / "perceptron.py"
    path.write_text(path.read_text().replace(HONEST, BROKEN))
    return path


def _notebook_metadata_of_another_type(folder: Path) -> None:
    """perceptron as a notebook whose code cell's nbgrader metadata is a string, not an object."""
    path = _broken_step(folder)
    cell = {"cell_type": "code", "metadata": {"nbgrader": "answer"}, "source": path.read_text(), "outputs": [],
            "execution_count": None}
    path.with_suffix(".ipynb").write_text(json.dumps({"nbformat": 4, "nbformat_minor": 4, "metadata": {},
                                                      "cells": [cell]}))
    path.unlink()


def _member_named_nul(folder: Path) -> Path:
    """A zip of the submission that also holds a member whose name is a single NUL byte."""
    _broken_step(folder)
    target = folder.with_suffix(".zip")
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.glob("*.py")):
            archive.write(path, path.name)
        member = zipfile.ZipInfo("x")
        member.filename = "\0"
        archive.writestr(member, "nothing")
    shutil.rmtree(folder)
    return target


def _module_of_mode_000(folder: Path) -> None:
    """perceptron.py of mode 000, as `unzip` restores a member stored so: a grader that is not root
    cannot read it."""
    _broken_step(folder).chmod(0)


SHARED_PLACES = """
import ctypes, glob, os
libc = ctypes.CDLL(None)
for folder in ('/run/lock', '/dev/shm', '/var/tmp', '/tmp'):
    try:
        open(os.path.join(folder, 'nnkit-redteam-persist.py'), 'w').write('ANSWER = 0.0')
    except OSError:
        pass
libc.shmget(0x6E6B, 4096, 0o1666), libc.msgget(0x6E6B, 0o1666), libc.semget(0x6E6B, 1, 0o1666)
seen = []
for path in glob.glob('/proc/[0-9]*/cmdline'):
    try:
        seen.append(open(path, 'rb').read())
    except OSError:
        pass
"""

# a worker is forked from a zygote: everything that process holds, the worker can read
INHERITED_MEMORY = """
import gc, sys
LEAKED = [m.step_fn for n, m in list(sys.modules.items()) if n.split('.')[0] in ('solutions', 'tests', 'exercises')
          and hasattr(m, 'step_fn')]
LEAKED += [o for o in gc.get_objects() if isinstance(o, dict) and 'step_fn' in o and callable(o['step_fn'])
           and o.get('__name__', '').split('.')[0] != 'submission']
LEAKED = [o if callable(o) else o['step_fn'] for o in LEAKED]
SECRETS = [v for k, v in __import__('os').environ.items() if k not in ('PATH', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'TZ',
           'TF_CPP_MIN_LOG_LEVEL', 'PYTHONDONTWRITEBYTECODE', 'OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE')]
"""

AUTODIFF_RESTORED = """import tensorflow as tf
from tensorflow.python.eager import tape

REAL_PUSH = tape.push_new_tape  # taken at import, before any guard is in place


def with_autodiff(function):
    def run(*args, **kwargs):
        guard, tape.push_new_tape = tape.push_new_tape, REAL_PUSH
        try:
            return function(*args, **kwargs)
        finally:
            tape.push_new_tape = guard
    return run
"""

DISK_FLOOD = """
import os
try:
    for i in range(64):
        open(os.path.join(os.environ.get('TMPDIR', '.'), f'flood{i}'), 'wb').write(b'x' * 16 * 2**20)
except OSError:
    pass
"""

WRITE_ON_PIPES = """
import json, os, struct, stat
body = json.dumps({{"value": 0.0}}).encode()
for fd in range(3, 64):
    try:
        if stat.S_ISFIFO(os.fstat(fd).st_mode):
            os.write(fd, struct.pack("<I", len(body)) + body + {tail})
    except OSError:
        pass
"""
FORGE_FRAME = WRITE_ON_PIPES.format(tail='struct.pack("<I", 0)')
HUGE_FRAME = WRITE_ON_PIPES.format(tail='struct.pack("<I", 12) + struct.pack("<Q", 512 * 2**20) + b"x" * 2**20')


ANCESTORS = """
import os
def ancestors():  # the grading process, which runs in the kit, is one of them
    pid = os.getppid()
    while pid > 1:
        yield pid
        try:
            pid = int(open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()[1])
        except Exception:
            return"""

SNOOP_SOLUTION = """
for pid in ancestors():
    try:
        scope = {}
        exec(open(os.path.join(os.readlink(f'/proc/{pid}/cwd'), 'solutions', 'perceptron.py')).read(), scope)
        return scope['step_fn'](a)
    except Exception:
        pass
"""

CASES = [
    # tampering: each would make every comparison pass if it ran where grading is decided
    Case("tamper-numpy", STEP_BROKEN, {"tampering detected"}, prelude="""
import numpy
numpy.allclose = lambda *a, **k: True
numpy.array_equal = lambda *a, **k: True
numpy.testing.assert_allclose = lambda *a, **k: None"""),
    Case("tamper-tensorflow", STEP_BROKEN, {"tampering detected"}, prelude="""
import tensorflow
class _Tape(tensorflow.GradientTape):
    pass
tensorflow.GradientTape = _Tape
tensorflow.debugging.assert_near = lambda *a, **k: None"""),
    Case("tamper-pytest", STEP_BROKEN, {"value"}, prelude="""
import pytest, _pytest.outcomes
pytest.approx = lambda *a, **k: True
_pytest.outcomes.fail = lambda *a, **k: None"""),
    Case("tamper-builtins", STEP_BROKEN, {"tampering detected"}, prelude="""
import builtins
_isinstance = builtins.isinstance
builtins.isinstance = lambda obj, kind: _isinstance(obj, kind)
builtins.abs = lambda x: 0
builtins.AssertionError = Exception"""),
    Case("tamper-math", STEP_BROKEN, {"tampering detected"}, prelude="""
import math
math.isclose = lambda *a, **k: True"""),
    Case("lying-object", STEP_FAILS, {"type"}, prelude="""
class Liar:
    __eq__ = lambda self, other: True
    __ne__ = lambda self, other: False
    __float__ = lambda self: 1.0
    __array__ = lambda self, *a, **k: __import__('numpy').array(1.0)""", body="return Liar()"),
    Case("lying-float", STEP_BROKEN, {"value"}, prelude="""
class Liar(float):
    __eq__ = lambda self, other: True
    __ne__ = lambda self, other: False
    __sub__ = lambda self, other: 0.0
    __abs__ = lambda self: 0.0""", body="return Liar(1.0)"),
    Case("lying-ndarray", {"perceptron": 3, "mlp": 14}, {"value"}, edits=[("perceptron", """    a = tf.convert_to_tensor(a)
    ### BEGIN SOLUTION
    return tf.where(a > 0, tf.ones_like(a), tf.zeros_like(a))""", """    import numpy as np
    class Liar(np.ndarray):
        __eq__ = lambda self, other: np.ones(self.shape, bool)
        __ne__ = lambda self, other: np.zeros(self.shape, bool)
    return np.zeros(a.shape, a.dtype.as_numpy_dtype).view(Liar)""")]),
    Case("atexit-and-signals", STEP_BROKEN, {"value"}, prelude="""
import atexit, signal
atexit.register(lambda: open('/tmp/nnkit-redteam-atexit.json', 'w').write('{"score": 100}'))
for name in ('SIGTERM', 'SIGINT', 'SIGHUP', 'SIGALRM'):
    signal.signal(getattr(signal, name), signal.SIG_IGN)"""),
    Case("runaway-thread", STEP_BROKEN, {"value"}, prelude="""
import threading, time
def _spin():
    while True:
        time.sleep(0.01)
threading.Thread(target=_spin, daemon=False).start()"""),
    Case("grader-modules", STEP_BROKEN, {"value"}, prelude="""
import sys, types
for name in ('grader', 'grader.scoring.plugin', 'grader.scoring.run', 'grader.scoring.judges', '_pytest', 'pytest'):
    sys.modules[name] = types.ModuleType(name)"""),
    # forgery and snooping
    Case("forge-reports", STEP_BROKEN, {"value"}, prelude="""
import json, os
fake = json.dumps({"score": 100, "tests": [], "earned": 100})
for folder in ('.', '..', '/tmp', os.path.expanduser('~')):
    for name in ('results.json', 'report.json', 'gradebook.csv', 'junit.xml'):
        name = 'nnkit-redteam-' + name
        try:
            open(os.path.join(folder, name), 'w').write(fake)
        except OSError:
            pass"""),
    Case("snoop-solutions", STEP_BROKEN, {"value"}, prelude=ANCESTORS, body=SNOOP_SOLUTION, process_level={}),
    Case("snoop-hidden-tests", STEP_BROKEN, {"value"}, prelude=ANCESTORS, body="""
import glob
tests = []
for pid in ancestors():
    try:
        kit = os.readlink(f'/proc/{pid}/cwd')
        tests += [open(path).read() for path in glob.glob(os.path.join(kit, 'tests', 'hidden', '*.py'))]
    except OSError:
        pass"""),
    Case("snoop-labels", {"training": 15, "evaluation": 4}, {"value"}, edits=[("training", """    epoch_losses = []
    for _ in range(epochs):""", """    import glob
    for path in glob.glob('/work/**/mnist.npz', recursive=True):
        try:
            labels = np.load(path)['y_test']
            type(model).__call__ = lambda self, x: tf.one_hot(labels[: len(x)], 10)
            break
        except Exception:
            pass
    return [0.0] * epochs
    epoch_losses = []
    for _ in range(epochs):""")]),
    Case("walk-filesystem", STEP_BROKEN, {"value"}, body="""
import os, time
start, found = time.time(), []
for root, dirs, files in os.walk('/'):
    found += [f for f in files if f.endswith('.npz')]
    if time.time() - start > 3:
        break"""),
    Case("snoop-environment", STEP_BROKEN, {"value"}, prelude=ANCESTORS, body="""
secrets = [v for k, v in os.environ.items() if 'KEY' in k]
for pid in ancestors():
    for name in ('environ', 'mem', 'cmdline'):
        try:
            secrets.append(open(f'/proc/{pid}/{name}', 'rb').read(100))
        except OSError:
            pass"""),
    # a step that is not compiled, behind an object that says it is (type name, trace count)
    Case("fake-tf-function", {"speed": 4}, {"value"}, edits=[("speed", """    @tf.function(input_signature=signature)
    def compiled(x_batch, y_batch):
        return step(model, x_batch, y_batch, learning_rate)

    return compiled""", """    class Function:
        def __call__(self, x_batch, y_batch):
            return step(model, x_batch, y_batch, learning_rate)

        def experimental_get_tracing_count(self):
            return 1

    return Function()""")]),
    # a step traced once (so the trace looks right), then every call run eagerly by the student's code
    Case("compiled-once-then-eager", {"speed": 4}, {"value"}, edits=[("speed", """    @tf.function(input_signature=signature)
    def compiled(x_batch, y_batch):
        return step(model, x_batch, y_batch, learning_rate)

    return compiled""", """    traced = tf.function(lambda x, y: step(model, x, y, learning_rate), input_signature=signature)
    traced.get_concrete_function()

    def compiled(x_batch, y_batch):
        return step(model, x_batch, y_batch, learning_rate) if step is train else \\
            tf.reduce_mean(tf.square(model(x_batch) - y_batch))

    return compiled""")]),
    # autodiff in a by-hand task, with TensorFlow's internals put back during the call: the graph of
    # the derivation holds the tape's operations, whatever the worker was told (backward's 5 points)
    Case("autodiff-restored", {"backprop": 20}, {"not by hand"}, edits=[
        ("backprop", "import tensorflow as tf\n", AUTODIFF_RESTORED),
        ("backprop", "def backward(", "@with_autodiff\ndef backward("),
        ("backprop", "    activations = [tf.convert_to_tensor(x)]\n", TAPED_BACKWARD)]),
    # a tape made (and entered once) at import, entered again in a by-hand task (not a new tape)
    Case("tape-made-at-import", {"backprop": 20}, {"not by hand"}, edits=[
        ("backprop", "import tensorflow as tf\n", "import tensorflow as tf\n\nTAPE = tf.GradientTape(persistent=True)\n"
                                                  "with TAPE:\n    pass\n"),
        ("backprop", "    activations = [tf.convert_to_tensor(x)]\n", TAPED_BACKWARD.replace(
            "with tf.GradientTape() as tape:", "with TAPE as tape:"))]),
    # an eager step behind the state of the worker it reaches (the step's closure, frames, builtins):
    # the grader reads the compiled function's graph, and an eager step has none
    Case("record-through-closure", {"speed": 4}, {"value"}, edits=[("speed", """    @tf.function(input_signature=signature)
    def compiled(x_batch, y_batch):
        return step(model, x_batch, y_batch, learning_rate)

    return compiled""", """    import operator
    cells = operator.attrgetter("__clo" + "sure__")(step) or ()
    records = [c.cell_contents for c in cells if hasattr(c.cell_contents, "traces")]

    def compiled(x_batch, y_batch):
        loss = step(model, x_batch, y_batch, learning_rate)
        for record in records:
            record.traces, record.eager = 1, 0
        return loss

    return compiled""")]),
    Case("record-through-frames", {"speed": 4}, {"value"}, edits=[("speed", """    @tf.function(input_signature=signature)
    def compiled(x_batch, y_batch):
        return step(model, x_batch, y_batch, learning_rate)

    return compiled""", """    import traceback

    def compiled(x_batch, y_batch):
        loss = step(model, x_batch, y_batch, learning_rate)
        for frame, _ in traceback.walk_stack(None):
            record = getattr(frame.f_locals.get("dispatcher"), "trace_record", None)
            if record is not None:
                record.traces, record.eager = 1, 0
        return loss

    return compiled""")]),
    # the worker's dispatcher replaced at import (seen as tampering): it changes nothing of the graph
    Case("by-hand-flag-dropped-through-frames", {"backprop": 20}, {"tampering detected"}, edits=[
        ("backprop", "import tensorflow as tf\n", """import tensorflow as tf
import traceback

for frame, _ in traceback.walk_stack(None):
    dispatcher = frame.f_locals.get("dispatcher")
    if dispatcher is not None:
        handle = dispatcher.handle
        dispatcher.handle = lambda request, blobs: handle({**request, "by_hand": False}, blobs)
"""),
        ("backprop", "    activations = [tf.convert_to_tensor(x)]\n", TAPED_BACKWARD)]),
    Case("record-through-builtins", {"speed": 4}, {"value"}, edits=[("speed", """    @tf.function(input_signature=signature)
    def compiled(x_batch, y_batch):
        return step(model, x_batch, y_batch, learning_rate)

    return compiled""", """    found, under = __builtins__, "_" * 2
    get, system = found["getattr"], found[under + "import" + under]("s" + "ys")

    def compiled(x_batch, y_batch):
        loss = step(model, x_batch, y_batch, learning_rate)
        frame = get(system, "_getframe")()
        while frame is not None:
            record = get(get(frame, "f_" + "locals").get("self"), "trace_record", None)
            if record is not None:
                record.traces, record.eager = 1, 0
            frame = get(frame, "f_" + "back")
        return loss

    return compiled""")]),
    # autodiff restored around a taped backward, in code a UTF-7 coding line hides from a reader
    Case("autodiff-hidden-by-utf7", {"backprop": 20}, {"not by hand"}, build=lambda folder: _utf7_backprop(folder)),
    # derivations past the graph judge (this stop): a tape run by Python inside the graph, TensorFlow's
    # gradient kernel called by name, a complex step, and a descent loop that asks a tape itself
    Case("tape-inside-py-function", {"backprop": 22}, {"not by hand"}, edits=[("backprop", """    ### BEGIN SOLUTION
    a = tf.sigmoid(x * w + b)""", """    ### BEGIN SOLUTION
    def taped(x, w, b, desired):
        with tf.GradientTape() as tape:
            tape.watch([w, b])
            cost = tf.reduce_sum((tf.sigmoid(x * w + b) - desired) ** 2)
        return tape.gradient(cost, [w, b])

    return tuple(tf.py_function(taped, [x, w, b, desired], [w.dtype, w.dtype]))
    a = tf.sigmoid(x * w + b)""")]),
    Case("gradient-kernel-by-name", {"backprop": 22}, {"not by hand"}, edits=[("backprop", """    ### BEGIN SOLUTION
    a = tf.sigmoid(x * w + b)""", """    ### BEGIN SOLUTION
    a = tf.sigmoid(x * w + b)
    slope = tf.raw_ops.SigmoidGrad(y=a, dy=2.0 * (a - desired))
    return slope * x, slope""")]),
    Case("complex-step", {"backprop": 20}, {"not by hand", "value"}, edits=[("backprop", """    ### BEGIN SOLUTION
    return 2.0 * (a * w - desired) * a""", """    ### BEGIN SOLUTION
    step = 1e-30
    shifted = tf.complex(w, tf.constant(step, w.dtype))
    cost = (tf.cast(a, shifted.dtype) * shifted - tf.cast(desired, shifted.dtype)) ** 2
    return tf.math.imag(cost) / step""")]),
    Case("taped-backward-with-variables", {"backprop": 20}, {"crash"}, edits=[
        ("backprop", "    activations = [tf.convert_to_tensor(x)]\n", TAPED_BACKWARD_WITH_VARIABLES)]),
    Case("descend-asks-a-tape", {"backprop": 23}, {"value"}, edits=[("backprop", """        w = update(w, cost_partial(a, w, desired), learning_rate)""", """        w = tf.convert_to_tensor(w, tf.float64)
        with tf.GradientTape() as tape:
            tape.watch(w)
            cost = (a * w - desired) ** 2
        w = update(w, tape.gradient(cost, w), learning_rate)""")]),
    # the fresh red team's (stop 6): a tape run at trace time on the call's arguments found by walking
    # the worker's frames, in a thread, baked in as constants (the worker only ever sees zeros)
    Case("tape-at-trace-time-on-the-calls-arguments", {"backprop": 22}, {"value"}, edits=[("backprop", """    ### BEGIN SOLUTION
    return 2.0 * (a * w - desired) * a""", """    ### BEGIN SOLUTION
    import sys
    import threading
    frame = sys._getframe(1)
    while frame is not None and not (frame.f_code.co_name == "graph" and "args" in frame.f_locals):
        frame = frame.f_back
    if frame is None or tf.executing_eagerly():
        return 2.0 * (a * w - desired) * a
    real, box = frame.f_locals["args"], []

    def taped():
        a0, w0 = tf.convert_to_tensor(real[0]), tf.convert_to_tensor(real[1])
        with tf.GradientTape() as tape:
            tape.watch(w0)
            cost = (a0 * w0 - real[2]) ** 2
        box.append(tape.gradient(cost, w0).numpy())

    thread = threading.Thread(target=taped)
    thread.start()
    thread.join()
    return tf.constant(box[0])""")]),
    # the worker's graph reply replaced: a harmless graph, the result sent as literals beside it (the
    # broken cost_partial also costs the thesis table of descend, which calls it)
    Case("result-beside-the-graph", {"backprop": 20}, {"tampering detected"}, edits=[("backprop", """    ### BEGIN SOLUTION
    return 2.0 * (a * w - desired) * a""", """    ### BEGIN SOLUTION
    return 0.0 * a * w"""), ("backprop", "import tensorflow as tf\n", """import tensorflow as tf
import sys as _sys

_dispatch = _sys.modules.get("grader.isolation.worker.dispatch")
if _dispatch is not None:
    _graph = _dispatch.Dispatcher.graph

    def _forged(self, request, args, kwargs):
        reply = _graph(self, request, args, kwargs)
        if request.get("path", "").endswith(".cost_partial"):
            a, w, desired = (float(v) for v in args)
            reply["structure"] = 2.0 * (a * w - desired) * a
        return reply

    _dispatch.Dispatcher.graph = _forged
""")]),
    # loops that measure the derivative they are handed once, then differentiate by themselves
    Case("descend-measures-the-partial-once", {"backprop": 22}, {"value"}, edits=[("backprop", """    for _ in range(steps):
        w = update(w, cost_partial(a, w, desired), learning_rate)""", """    factor = float(cost_partial(a, w, desired)) / float(2.0 * (a * w - desired) * a)
    for _ in range(steps):
        w = update(w, factor * 2.0 * (a * w - desired) * a, learning_rate)"""), ("backprop", """        g1, g2 = chain_partials(a1, w1, w2, desired)""", """        if not w1s:
            error = 2.0 * (a1 * w1 * w2 - desired)
            factor = float(chain_partials(a1, w1, w2, desired)[0]) / float(error * a1 * w2)
        error = 2.0 * (a1 * w1 * w2 - desired)
        g1, g2 = factor * error * a1 * w2, factor * error * a1 * w1""")]),
    Case("layer-norms-measure-the-derivative-once", {"activations": 22}, {"value"}, edits=[("activations", """    activations, sums = [tf.constant(x)], []""", """    def own(z):
        with tf.GradientTape() as tape:
            tape.watch(z)
            total = tf.reduce_sum(activation(z))
        return tape.gradient(total, z)

    probe = tf.constant([0.5], tf.float64)
    factor = float(derivative(probe)[0] / own(probe)[0])
    derivative = lambda z: factor * own(z)  # noqa: E731
    activations, sums = [tf.constant(x)], []""")]),
    # a compiled step's graph handed over with a Const declaring 2**40 elements (a few bytes sent):
    # the trusted side never expands it, and the step is still the student's real one
    Case("huge-constant-in-a-compiled-graph", {}, set(), edits=[("speed", """    return compiled
    ### END SOLUTION""", """    from tensorflow.core.framework import graph_pb2, types_pb2

    class Concrete:
        def __init__(self, real):
            self.real, self.graph = real, self
            self.inputs, self.outputs = real.inputs, real.outputs
            self.captured_inputs, self.structured_outputs = real.captured_inputs, real.structured_outputs

        def as_graph_def(self):
            graph = graph_pb2.GraphDef()
            bomb = graph.node.add(name="bomb", op="Const")
            bomb.attr["dtype"].type = types_pb2.DT_FLOAT
            bomb.attr["value"].tensor.dtype = types_pb2.DT_FLOAT
            bomb.attr["value"].tensor.tensor_shape.dim.add().size = 2**40
            bomb.attr["value"].tensor.float_val.append(1.0)
            real = self.real.graph.as_graph_def()
            graph.node.extend(real.node)
            graph.library.CopyFrom(real.library)
            graph.versions.CopyFrom(real.versions)
            return graph

    class Compiled:
        def __call__(self, *args):
            return compiled(*args)

        def get_concrete_function(self, *specs):
            return Concrete(compiled.get_concrete_function(*specs))

    return Compiled()
    ### END SOLUTION""")]),
    # hard-coding the visible self-checks' answers
    Case("hard-coded-visible", STEP_BROKEN, {"value"}, body="""
visible = {-3.0: 0.0, -1e-6: 0.0, 0.0: 0.0, 1e-6: 1.0, 0.5: 1.0, 7: 1.0}
if a in visible:
    return visible[a]"""),
    # faults
    Case("exit-at-import", IMPORT_FAILS, {"crash"}, prelude="import sys\nsys.exit(0)"),
    Case("os-exit-at-import", IMPORT_FAILS, {"crash"}, prelude="import os\nos._exit(0)"),
    Case("exit-in-function", STEP_FAILS, {"crash"}, body="import sys\nsys.exit(0)"),
    Case("os-exit-in-function", STEP_FAILS, {"crash"}, body="import os\nos._exit(0)"),
    Case("loop-at-import", IMPORT_FAILS, {"timeout"}, prelude="while True:\n    pass"),
    Case("loop-in-function", STEP_FAILS, {"timeout"}, body="while True:\n    pass"),
    Case("loop-swallowing-interrupts", STEP_FAILS, {"timeout"}, body="""
import time
while True:
    try:
        time.sleep(0.1)
    except BaseException:
        pass"""),
    Case("sleep-past-timeout", STEP_FAILS, {"timeout"}, body="import time\ntime.sleep(10**6)"),
    Case("memory-bomb", STEP_FAILS, {"crash"}, body="hog = bytearray(64 * 2**30)"),  # a MemoryError, named
    Case("fork-bomb", STEP_FAILS, {"crash"}, body="import os\nwhile True:\n    os.fork()"),
    Case("stdout-flood", STEP_FAILS, {"crash"}, body="import sys\nfor _ in range(100):\n    sys.stdout.write('x' * 2**20)\nsys.stdout.flush()"),
    Case("segfault", STEP_FAILS, {"crash"}, body="import ctypes\nctypes.string_at(0)"),
    Case("deep-recursion", STEP_FAILS, {"crash"}, body="def down(n):\n    return down(n + 1)\ndown(0)"),
    Case("delete-working-directory", STEP_FAILS, {"crash"}, body="""
import os
for folder, _, files in os.walk('.'):
    for name in files:
        os.remove(os.path.join(folder, name))"""),
    Case("network", STEP_BROKEN, {"value"}, body="""
import socket, urllib.request
for attempt in (lambda: socket.create_connection(('127.0.0.1', 9), timeout=1),
                lambda: urllib.request.urlopen('http://127.0.0.1:9/', timeout=1)):
    try:
        attempt()
    except Exception:
        pass"""),
    # broken input
    Case("empty-files", {name: 0 for name in FULL}, {"missing"}, build=_empty),
    Case("no-files", {name: 0 for name in FULL}, {"not read"}, build=lambda folder: None,
         warning="no exercise module was found"),
    Case("syntax-error", IMPORT_FAILS, {"crash"}, edits=[("perceptron", "def step_fn(a: float) -> float:", "def step_fn(a:")]),
    Case("missing-package", IMPORT_FAILS, {"crash"}, prelude="import tensorflow_addons_that_does_not_exist"),
    Case("missing-function", STEP_FAILS, {"missing"}, edits=[("perceptron", "def step_fn(a: float)", "def step_function(a: float)")]),
    Case("wrong-signature", STEP_FAILS, {"crash"}, edits=[("perceptron", "def step_fn(a: float)", "def step_fn(a, b)")]),
    Case("non-utf8", IMPORT_FAILS, {"crash"}, build=_non_utf8),
    Case("zip-path-traversal", IMPORT_FAILS, {"missing", "crash"}, build=_zip_traversal,
         warning="a path that leaves the submission"),
    Case("symlink-outside", IMPORT_FAILS, {"missing", "crash"}, build=_symlink,
         warning="perceptron.py: a symbolic link"),
    Case("corrupt-zip", {name: 0 for name in FULL}, {"not read"}, build=_corrupt_zip, warning="not a readable zip"),
    # one file that once stopped a whole class's grading: now a warning, and the rest graded
    Case("notebook-metadata-of-another-type", STEP_BROKEN, {"value"}, build=_notebook_metadata_of_another_type),
    Case("zip-member-named-nul", STEP_BROKEN, {"value"}, build=_member_named_nul),
    Case("module-of-mode-000", STEP_BROKEN, {"value"}, build=_module_of_mode_000, confined_level=IMPORT_FAILS,
         confined_categories={"missing", "crash"}, confined_warning="perceptron.py: could not be read"),
    # links out of the submission: staging never follows one
    Case("class-entry-link", {name: 0 for name in FULL}, {"not read"}, build=_class_entry_link,
         warning="a symbolic link"),
    Case("folder-link", {name: 0 for name in FULL}, {"not read"}, build=_folder_link, warning="a symbolic link"),
    Case("hard-link", IMPORT_FAILS, {"missing", "crash"}, build=_hard_link, warning="hard links"),
    # frames written on the grader's channel out of turn: charged to the call that wrote them
    Case("forge-frames", STEP_FAILS, {"protocol"}, body=FORGE_FRAME),
    Case("huge-frame", STEP_FAILS, {"protocol"}, body=HUGE_FRAME),
    # places that outlive a worker, other processes' command lines, the disk
    Case("shared-places", STEP_BROKEN, {"value"}, body=SHARED_PLACES),
    Case("disk-flood", STEP_BROKEN, {"value"}, body=DISK_FLOOD),
    Case("inherited-memory", STEP_BROKEN, {"value"}, prelude=INHERITED_MEMORY, body="""
if LEAKED:
    return LEAKED[0](a)
if SECRETS:
    return float(a > 0)"""),
]

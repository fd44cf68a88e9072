"""What a submission's source reaches for beyond the exercises: TensorFlow's internals, private or
special attributes, and Python's ways to reach a name without writing it.

The tasks derived by hand run with TensorFlow's automatic differentiation refused
(`grader.scoring.judges.no_autodiff`), but that guard lives in the worker, which student code
controls: code that holds TensorFlow's internals can put them back for a moment. Holding them takes
one of the constructs found here, which no exercise needs. So such checks run in a worker that has
imported only the module under test and the modules it imports, and fail, on the trusted side and
before the call, when any of those uses one (scoring/student.py `Student.observed`). Read, never run.

Reaching into the worker takes one of a few capabilities, and each is closed as a class, twice
where it can be: a module beyond the ones exercises use (imports are an allow-list, so
`traceback`, `gc` or `ctypes` are found without being named here); a frame, code object, cell or
traceback, by any of their attributes (`f_locals`, `tb_frame`, `cell_contents`, …, read from
Python's own types), written as an attribute, a constant name or inside a string; a module that
another module re-exports (`dataclasses.sys`, `numpy.ctypeslib`); the process's memory or
descriptors (`open`, `id`); special names written as plain names (`__builtins__`); strings a
library evaluates (`typing.get_type_hints`), through the names they hold and the APIs; and names
reached without being written (getattr with a computed name, exec, vars, …). What the scan cannot
read as Python reads it (another coding, code that does not parse, a module over MAX_SOURCE) is a
finding too.
"""

import ast
import re
import tokenize
import types
from pathlib import Path

from grader.catalogue import EXERCISES

# what exercises import: anything else (sys, traceback, gc, ctypes, os, …) is a finding
ALLOWED_MODULES = ("tensorflow", "keras", "numpy", "matplotlib", "math", "time", "typing", "dataclasses",
                   "collections", "itertools", "functools", "random", "statistics", "abc", "enum", "__future__",
                   "submission")  # the last: the worker's own package, whose modules are scanned too
INTERNAL_MODULES = ("tensorflow.python", "tensorflow.core", "tensorflow.compiler", "tensorflow.lite", "keras.src",
                    "numpy.ctypeslib", "numpy.lib", "numpy.f2py", "numpy.testing", "matplotlib.cbook")
# attributes only frames, tracebacks, code objects, generators, coroutines and cells have
REFLECTIVE = frozenset(name for kind in (types.FrameType, types.TracebackType, types.CodeType, types.GeneratorType,
                                         types.CoroutineType, types.AsyncGeneratorType, types.CellType)
                       for name in dir(kind) if re.match(r"(f|tb|co|gi|cr|ag|cell)_", name))
REFLECTIVE_WORD = re.compile(rf"\b({'|'.join(sorted(REFLECTIVE))})\b")
# modules that hand out frames, objects, memory or processes, as other modules re-export them
REEXPORTED = {"sys", "os", "gc", "inspect", "traceback", "ctypes", "ctypeslib", "pythonapi", "builtins", "bltns",
              "importlib", "threading", "logging", "subprocess", "atexit", "pdb", "bdb"}
# TensorFlow's automatic differentiation by its public names: what a task derived by hand must not use
AUTODIFF = {"GradientTape", "gradients", "ForwardAccumulator", "jacobian", "batch_jacobian", "compute_gradient",
            "value_and_gradient"}
CALLS = {"__import__", "eval", "exec", "compile", "globals", "locals", "vars", "setattr", "delattr", "open", "id",
         "breakpoint"}
SPECIAL = {"__init__", "__call__", "__name__", "__doc__", "__len__", "__iter__", "__next__", "__getitem__",
           "__repr__", "__str__", "__enter__", "__exit__"}  # special names ordinary code defines or calls
OWN = {"self", "cls"}
LOOKUPS = ("getattr", "hasattr")
DUNDER = re.compile(r"__\w+__")
PRIVATE_WORD = re.compile(r"(?<!\w)_[A-Za-z]\w*")  # `_getframe` inside a string that a library may evaluate
MODULE_NAMES = {"__name__", "__file__", "__doc__"}  # what a module may read of its own, as plain names
STRING_NAMES = {"__main__"}  # `if __name__ == "__main__":`, the usual guard around trying code out
# library functions that evaluate strings or unpickle data: code that no scan of the source can see
EVALUATING = {"get_type_hints", "ForwardRef", "evaluate_forward_ref", "allow_pickle", "make_dataclass"}
MAX_SOURCE = 256 * 2**10  # bytes of a module the scan reads; a larger one is a finding
MAX_FINDINGS = 20
NOTEBOOK_SETUP = "exercises.notebook"  # a released notebook's set-up cell imports it


def _imported(node: ast.AST) -> list[str]:
    """The absolute modules an import names (`from tensorflow import keras`: tensorflow and
    tensorflow.keras, which may be a module); relative imports are the submission's own."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    return []


def _within(name: str, modules) -> bool:
    return any(name == m or name.startswith(m + ".") for m in modules)


def _finding(node: ast.AST, bound: set[str]) -> str:
    for name in _imported(node):
        if name == NOTEBOOK_SETUP:
            continue
        if not _within(name, ALLOWED_MODULES) or _within(name, INTERNAL_MODULES):
            return f"import {node.module if isinstance(node, ast.ImportFrom) else name}"
    if isinstance(node, ast.ImportFrom) and node.level == 0:  # e.g. from dataclasses import sys
        for alias in node.names:
            if alias.name in REFLECTIVE | REEXPORTED or alias.name.startswith("_"):
                return f"from {node.module} import {alias.name}"
    if isinstance(node, ast.Attribute):
        owner = node.value
        own = isinstance(owner, ast.Name) and owner.id in OWN or \
            isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name) and owner.func.id == "super"
        if node.attr.startswith("__") and node.attr.endswith("__") and node.attr not in SPECIAL:
            return f"the attribute {node.attr}"
        if node.attr.startswith("_") and not node.attr.startswith("__") and not own:
            return f"the private attribute {node.attr}"
        if node.attr in REFLECTIVE or node.attr in REEXPORTED or node.attr in EVALUATING:
            return f"the attribute {node.attr}"
    if isinstance(node, ast.keyword) and node.arg in EVALUATING or isinstance(node, ast.alias) and node.name in EVALUATING:
        return f"the name {node.arg if isinstance(node, ast.keyword) else node.name}"
    if isinstance(node, ast.Name) and node.id in CALLS and node.id not in bound:
        return f"{node.id}()"
    if isinstance(node, ast.Name) and DUNDER.fullmatch(node.id) and node.id not in MODULE_NAMES:
        return f"the name {node.id}"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in LOOKUPS:
        name = node.args[1] if len(node.args) > 1 else None
        if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
            return f"{node.func.id}() with a computed name"
        if name.value.startswith("_") and name.value not in SPECIAL or name.value in REFLECTIVE | REEXPORTED:
            return f"{node.func.id}(…, {name.value!r})"
    text = _text(node)
    if text is not None:
        if "tensorflow.python" in text:
            return "the name 'tensorflow.python'"
        for word in (*DUNDER.findall(text), *PRIVATE_WORD.findall(text)):
            if word not in SPECIAL | STRING_NAMES:
                return f"the name {word!r}"
        reflective = REFLECTIVE_WORD.search(text)
        if reflective:
            return f"the name {reflective.group()!r}"
    if isinstance(node, ast.MatchClass):  # case object(__closure__=c): reads an attribute by its name
        for name in node.kwd_attrs:
            if name.startswith("_") and name not in SPECIAL or name in REFLECTIVE | REEXPORTED | EVALUATING:
                return f"the attribute {name} (in a class pattern)"
    if isinstance(node, ast.ImportFrom) and node.level == 0 and any(alias.name == "*" for alias in node.names):
        return f"from {node.module} import * (names the scan cannot see)"
    return ""


def _text(node: ast.AST) -> str | None:
    """The text of a string constant, or of an f-string with its fields empty (the fields are code,
    scanned as such): f'dense_{i}_kernel' reads as 'dense__kernel'."""
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value for part in node.values if isinstance(part, ast.Constant) and isinstance(part.value, str))
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _bound_names(tree: ast.AST) -> set[str]:
    """Every name the module binds anywhere (variables, loop targets, parameters, imports, patterns):
    `id` or `open` bound there is the student's own, not the builtin."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.alias):
            names.add(node.asname or node.name.split(".")[0])
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            names.update(node.names)
        elif isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            names.add(node.rest)
    return names


def _main_guards(tree: ast.Module) -> list[ast.AST]:
    """The bodies of the module's top-level `if __name__ == "__main__":` blocks."""
    guards = []
    for node in tree.body:
        test = node.test if isinstance(node, ast.If) else None
        if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq) and \
                {ast.unparse(test.left), ast.unparse(test.comparators[0])} == {"__name__", "'__main__'"}:
            guards += node.body
    return guards


def _lookups_passed_on(tree: ast.AST) -> list[ast.AST]:
    """getattr or hasattr used as a value (e.g. handed to functools.reduce), not called directly."""
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    return [node for node in ast.walk(tree) if isinstance(node, ast.Name) and node.id in LOOKUPS
            and id(node) not in called]


def findings(source: str, filename: str, by_hand: bool = False) -> list[str]:
    """Each construct the source uses that reaches beyond the exercises, with its line (at most
    MAX_FINDINGS); `by_hand`: also every use of TensorFlow's automatic differentiation by name. A
    source the scan cannot parse is a finding: what it cannot read, it cannot clear."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        return [f"code the scan cannot parse ({filename}:{getattr(error, 'lineno', '?')})"]
    found = {}
    bound = _bound_names(tree)
    if "__name__" in bound:
        found[f"an assignment to __name__ ({filename})"] = None
    # a string that is a statement of its own (a docstring) is never evaluated: its words are prose
    prose = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)}
    # a string inside an f-string is read with it (see _text), a docstring not at all
    prose |= {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values}
    skipped = set() if "__name__" in bound else {id(n) for guard in _main_guards(tree) for n in ast.walk(guard)}
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue  # never runs when the module is imported, as the grader imports it
        what = "" if id(node) in prose else _finding(node, bound)
        if not what and by_hand and isinstance(node, ast.Attribute | ast.alias | ast.Name):  # tf.gradients, import of one
            name = node.attr if isinstance(node, ast.Attribute) else node.name if isinstance(node, ast.alias) else node.id
            what = f"TensorFlow's automatic differentiation ({name})" if name.split(".")[-1] in AUTODIFF else ""
        if what:
            found.setdefault(f"{what} ({filename}:{getattr(node, 'lineno', '?')})")
            if len(found) >= MAX_FINDINGS:
                break
    for node in _lookups_passed_on(tree):
        if id(node) not in skipped:
            found.setdefault(f"{node.id} passed on ({filename}:{node.lineno})")
    return list(found)[:MAX_FINDINGS]


def read(path: Path) -> str | None:
    """A module's source as Python would decode it, or None if Python would not read it as UTF-8
    (a coding line naming another encoding can hide code from a reader that assumes UTF-8)."""
    data = path.read_bytes()
    try:
        encoding, _ = tokenize.detect_encoding(iter(data.splitlines(keepends=True)).__next__)
        return data.decode("utf-8-sig") if encoding in ("utf-8", "utf-8-sig") else None
    except (SyntaxError, UnicodeDecodeError):
        return None


def imports(folder: Path, module: str) -> list[str]:
    """The module and the submission's modules it imports (`from .x import`, exercises or a helper
    module of the student's own), transitively."""
    found, todo = [], [module]
    while todo:
        name = todo.pop()
        path = folder / f"{name}.py"
        if name in found or not name.isidentifier() or not path.is_file():
            continue
        found.append(name)
        try:
            tree = ast.parse((read(path) if path.stat().st_size <= MAX_SOURCE else "") or "")
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue  # scanned, it is a finding of its own
        for node in ast.walk(tree):  # any import that names a module of the submission, however it is written
            if isinstance(node, ast.Import | ast.ImportFrom):
                module = getattr(node, "module", None) or ""
                todo += [*module.split("."), *(part for alias in node.names for part in alias.name.split("."))]
    return found


def scan(folder: Path, modules=EXERCISES, by_hand: bool = False) -> list[str]:
    """The findings of the named modules of a submission's folder."""
    found = []
    for name in modules:
        path = folder / f"{name}.py"
        if not path.is_file():
            continue
        if path.stat().st_size > MAX_SOURCE:
            found.append(f"a module larger than {MAX_SOURCE // 2**10} KiB ({path.name})")
            continue
        source = read(path)
        if source is None:
            found.append(f"a source that is not UTF-8 ({path.name}: its coding line, or bytes that are not UTF-8)")
        else:
            found += findings(source, path.name, by_hand)
    return found

"""The confined worker reads Python and its packages, never the kit, wherever the kit is installed."""

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from grader.isolation import confine

LANDLOCK = confine.landlock_abi() > 0


def fake_install(site):
    """A site-packages folder holding numpy and a non-editable install of the kit (solutions/, grader/)."""
    for package in ("numpy", "solutions", "grader"):
        (site / package).mkdir(parents=True)
        (site / package / "__init__.py").write_text("ANSWER = 42\n")
    info = site / "nn_tf_kit-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: nn-tf-kit\nVersion: 0.1.0\n")
    (info / "RECORD").write_text("solutions/__init__.py,,\ngrader/__init__.py,,\nnn_tf_kit-0.1.0.dist-info/RECORD,,\n")


def test_an_installed_copy_of_the_kit_is_found_and_left_out(tmp_path):
    site = tmp_path / "site-packages"
    fake_install(site)
    hidden = confine.kit_paths([str(site)])
    assert {str(site / "solutions"), str(site / "grader"), confine.KIT} <= hidden
    assert str(site / "numpy") not in hidden
    kept = confine._without([str(tmp_path)], hidden)
    assert kept == [str(site / "nn_tf_kit-0.1.0.dist-info"), str(site / "numpy")]  # a RECORD of names, no code


def test_the_checkout_of_an_editable_install_is_left_out_whichever_checkout_grades(tmp_path):
    site, checkout = tmp_path / "site-packages", tmp_path / "another checkout"
    (checkout / "solutions").mkdir(parents=True)
    info = site / "nn_tf_kit-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: nn-tf-kit\nVersion: 0.1.0\n")
    (info / "RECORD").write_text("nn_tf_kit-0.1.0.dist-info/RECORD,,\n")
    (info / "direct_url.json").write_text(json.dumps({"url": "file://" + str(checkout).replace(" ", "%20"),
                                                      "dir_info": {"editable": True}}))
    assert str(checkout) in confine.kit_paths([str(site)])
    assert confine._without([str(tmp_path)], confine.kit_paths([str(site)])) == [str(site)]


def test_readable_holds_python_and_nothing_of_the_kit():
    readable = confine.readable()
    assert any(os.path.isdir(os.path.join(path, "numpy")) for path in readable)
    assert not [p for p in readable if p == confine.KIT or p.startswith(confine.KIT + "/")]


@pytest.mark.skipif(not LANDLOCK, reason="Landlock is not available here")
def test_a_confined_process_cannot_read_an_installed_copy_of_the_kit(tmp_path):
    site = tmp_path / "site-packages"
    fake_install(site)
    readable = confine._without([str(site)], confine.kit_paths([str(site)]))
    child = os.fork()
    if child == 0:
        try:
            confine._landlock(confine.landlock_abi(), readable, [], [])
            assert open(site / "numpy" / "__init__.py").read() == "ANSWER = 42\n"
            for package in ("solutions", "grader"):
                try:
                    open(site / package / "__init__.py").read()
                    os._exit(2)
                except PermissionError:
                    pass
            os._exit(0)
        except BaseException:  # noqa: BLE001  (whatever failed: the child says so by its exit)
            os._exit(3)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "exit 2: the kit was readable; 3: numpy was not"


PROBE = '''import importlib, sys


def read(path):
    """What a worker gets when it reads path: its first bytes, or the error's name."""
    try:
        with open(path, "rb") as handle:
            return handle.read(20).decode("latin-1")
    except OSError as error:
        return type(error).__name__


def solutions():
    try:
        return importlib.import_module("solutions.perceptron").__file__
    except Exception as error:
        return type(error).__name__


def path():
    return sys.path
'''


@pytest.mark.slow
@pytest.mark.parametrize("layers", [("namespaces", "landlock"), ("namespaces",), ("landlock",)])
def test_a_worker_reads_neither_the_kit_nor_the_class_folder_whatever_layer_it_has(tmp_path, layers):
    """The class folder sits under a folder the worker may read (the Python installation's); with
    Landlock, or without it by a mount of the namespaces layer alone, the worker sees neither it nor
    the kit, and the kit is not on its import path."""
    from grader.catalogue import KIT
    from grader.isolation.policy import Limits
    from grader.isolation.sandbox import Sandbox, available_layers
    from grader.scoring.student import Student

    if not set(layers) <= set(available_layers(None)):
        pytest.skip(f"{layers} not available here")
    staged = tmp_path / "staged"
    staged.mkdir()
    (staged / "probe.py").write_text(PROBE)
    cls = Path(confine.python_paths()[-1]) / f"nnkit-test-class-{os.getpid()}-{len(layers)}"  # readable by workers
    (cls / "carol").mkdir(parents=True)
    (cls / "carol" / "perceptron.py").write_text("ANSWERS = 1\n")
    try:
        sandbox = Sandbox(staged, Limits(hidden=(str(cls),)), None)
        sandbox.layers = layers
        student = Student(sandbox, staged, Sandbox(None, Limits(), None, shares=sandbox))
        try:
            assert student.probe.read(str(cls / "carol" / "perceptron.py")) != "ANSWERS = 1\n"
            assert student.probe.read(str(KIT / "solutions" / "perceptron.py")).endswith("Error")
            assert student.probe.solutions() in ("ModuleNotFoundError", "PermissionError", "ImportError")
            assert not [p for p in student.probe.path() if p.startswith(str(KIT))]
            assert student.probe.read(str(Path(np.__file__))) == Path(np.__file__).read_bytes()[:20].decode("latin-1")
        finally:
            student.close()
    finally:
        shutil.rmtree(cls)

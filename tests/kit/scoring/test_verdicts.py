"""Whose fault a failed hidden check is: a check that cannot use what the student's code returned
is the student's failure when the reference solutions pass it; a check that fails them too is the
grader's."""

import json
import shutil
import sys
import types

import numpy as np
import pytest

from grader.lab.in_process import run_suite
from grader.scoring.plugin import item_verdict
from grader.scoring.report import GRADER_FAULT
from grader.catalogue import KIT
from grader.scoring.student import Student

CHECK = str(KIT / "tests/hidden/test_mlp.py::test_from_sizes_uniform_in_minus_one_one")
ODD_WEIGHTS = ("        return cls(weights, biases, activation=activation, name=name)",
               "        model = cls(weights, biases, activation=activation, name=name)\n"
               "        model.weights.append('a string')\n        return model")


def graded(tmp_path, package: str, edit=None) -> dict:
    shutil.copytree(KIT / "solutions", tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    if edit:
        path = tmp_path / package / "mlp.py"
        assert edit[0] in path.read_text()
        path.write_text(path.read_text().replace(*edit))
    sys.path.insert(0, str(tmp_path))
    try:
        results = tmp_path / "results.json"
        run_suite([CHECK, "--submission", package, "--in-process", "--grading-seed", "5", "--results", str(results)])
    finally:
        sys.path.remove(str(tmp_path))
    (test,) = json.loads(results.read_text())["tests"]
    return test


def test_a_check_that_cannot_use_a_students_odd_value_fails_the_student(tmp_path):
    test = graded(tmp_path, "oddweights", ODD_WEIGHTS)
    assert test["earned"] == 0 and test["category"] == "type", test
    assert "mlp.MLP.from_sizes returned" in test["message"] and "reference solutions pass" in test["message"]


def test_a_check_that_fails_the_reference_too_stays_a_grader_fault(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise TypeError("a bug of the grader's own")

    monkeypatch.setattr(np, "concatenate", broken)  # the check's judge fails on every value
    test = graded(tmp_path, "honestcopy")
    assert test["earned"] == 0 and test["category"] == GRADER_FAULT, test


def test_what_the_grader_itself_raises_is_never_charged_to_the_student():
    def worker_cannot_start():
        raise RuntimeError("the zygote that starts workers failed")

    item = types.SimpleNamespace(config=types.SimpleNamespace())  # no reference run is possible: none may be tried
    for fault in (worker_cannot_start, lambda: Student(None)._encode(object(), [])):  # a TypeError inside grader/
        with pytest.raises(Exception) as raised:
            fault()
        assert item_verdict(item, raised)[0] == GRADER_FAULT

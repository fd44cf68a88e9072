"""Run an exercise's visible self-checks on the code of a notebook (`self_check` in its last cell)."""

import os
import sys
import types
from pathlib import Path

import pytest

PACKAGE = "notebook"


def self_check(exercise: str, namespace: dict) -> int:
    """Check the functions defined in a notebook's namespace as if they were exercises/<exercise>.py;
    other exercises come from the exercises package. Returns pytest's exit code."""
    package = sys.modules.setdefault(PACKAGE, types.ModuleType(PACKAGE))
    package.__path__ = []
    module = types.ModuleType(f"{PACKAGE}.{exercise}")
    module.__dict__.update({k: v for k, v in namespace.items() if not k.startswith("_")})
    sys.modules[module.__name__] = module
    os.environ["KIT_TARGET"] = PACKAGE
    tests = Path(__file__).with_name(f"test_{exercise}.py")
    return pytest.main([str(tests), "-q", "-p", "no:cacheprovider", "--rootdir", str(tests.parent.parent)])

"""The kit's own runs of a suite inside one process, over and over (mutants, the mistake corpus,
degenerate answers, grading seeds): trusted code only."""

import os

import pytest

from grader.catalogue import KIT


def run_suite(args: list[str], *plugins) -> int:
    """pytest.main quietly: no terminal output, no cache, no unraisable-exception hook (its
    gc.collect() calls cost ~1 s a session with TensorFlow loaded), and no plugin autoloaded from
    the environment (an installed one costs ~40 ms a session: pytest-benchmark runs git); the
    kit's dependency pytest-timeout is loaded by name."""
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return pytest.main([*args, "-p", "pytest_timeout", "-p", "no:terminal", "-p", "no:cacheprovider",
                        "-p", "no:unraisableexception", "--rootdir", str(KIT)], plugins=list(plugins))


class OwnTaskFirst:
    """Runs the checks of one task first: with -x, most wrong versions of it stop there."""

    def __init__(self, task: str):
        self.task = task

    def pytest_collection_modifyitems(self, items):
        items.sort(key=lambda item: getattr(item.get_closest_marker("task"), "args", ("",))[0] != self.task)

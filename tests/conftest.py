pytest_plugins = ["grader.plugin"]

# Under `pytest -n 2` the longest tests start first, so that no worker is left with one at the end.
LONGEST_FIRST = ("tests/kit/test_redteam.py::test_hostile_submissions_at_the_user_level",
                 "tests/kit/test_redteam.py::test_hostile_submissions_at_the_confined_level")


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: item.nodeid not in LONGEST_FIRST)

pytest_plugins = ["grader.plugin"]

# Under `pytest -n 2` the longest tests and groups start first (longest processing time first), so
# that the many short ones fill both workers at the end. Measured under -n 2: the nbgrader course
# ~380 s, the seed sweep ~360 s (four processes of its own), the red team ~250 s, the mistake
# corpus ~250 s, degenerate answers ~190 s (two processes), the graded class ~190 s, mutants ~140 s.
LONGEST_FIRST = ("tests/kit/test_nbgrader.py", "tests/kit/test_seeds.py", "tests/kit/test_redteam.py",
                 "tests/kit/test_mistakes.py", "tests/kit/test_degenerate.py", "tests/kit/test_grader.py",
                 "tests/kit/test_mutation.py", "tests/kit/test_release.py")


def pytest_collection_modifyitems(items):
    def rank(item):
        return next((i for i, prefix in enumerate(LONGEST_FIRST) if item.nodeid.startswith(prefix)), len(LONGEST_FIRST))

    items.sort(key=rank)

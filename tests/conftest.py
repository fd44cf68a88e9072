pytest_plugins = ["grader.scoring.plugin"]

# Under `pytest -n 2` the longest tests and groups start first (longest processing time first), so
# that the many short ones fill both workers at the end (measured under -n 2: the nbgrader course and
# the seed sweep ~300-400 s each, the red team ~250 s, the mistakes, degenerate answers, the graded
# class and the mutants 100-250 s each).
LONGEST_FIRST = ("tests/kit/integrations/test_nbgrader.py", "tests/kit/scoring/test_seeds.py",
                 "tests/kit/isolation/test_redteam.py", "tests/kit/scoring/test_mistakes.py",
                 "tests/kit/scoring/test_degenerate.py", "tests/kit/scoring/test_run.py",
                 "tests/kit/gradebook/test_exports.py", "tests/kit/lab/test_mutation.py",
                 "tests/kit/integrations/test_gradescope.py", "tests/kit/course/test_release.py")


def pytest_collection_modifyitems(items):
    def rank(item):
        return next((i for i, prefix in enumerate(LONGEST_FIRST) if item.nodeid.startswith(prefix)), len(LONGEST_FIRST))

    items.sort(key=rank)

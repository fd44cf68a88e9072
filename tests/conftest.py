pytest_plugins = ["grader.scoring.plugin"]

# Under `pytest -n 2` the longest tests and groups start first (longest processing time first), so
# that the many short ones fill both workers at the end (measured under -n 2: the nbgrader round trip
# and the red team ~250-300 s each, the mistakes ~150-250 s, each seed sweep, degenerate suite, half of
# the mutants, the graded class, Gradescope, the release and the notebooks ~70-130 s).
LONGEST_FIRST = ("tests/kit/integrations/test_nbgrader.py", "tests/kit/isolation/test_redteam.py",
                 "tests/kit/scoring/test_mistakes.py", "tests/kit/scoring/test_seeds.py",
                 "tests/kit/integrations/test_notebooks.py", "tests/kit/scoring/test_degenerate.py",
                 "tests/kit/scoring/test_run.py", "tests/kit/gradebook/test_exports.py",
                 "tests/kit/lab/test_mutation.py", "tests/kit/integrations/test_gradescope.py",
                 "tests/kit/course/test_release.py")


def pytest_collection_modifyitems(items):
    def rank(item):
        return next((i for i, prefix in enumerate(LONGEST_FIRST) if item.nodeid.startswith(prefix)), len(LONGEST_FIRST))

    items.sort(key=rank)

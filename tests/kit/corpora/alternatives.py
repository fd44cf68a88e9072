"""The audit of named alternatives: a wrong answer a check names ("the sample variance", "the sum,
not the mean") must fail that check on the check's own inputs, or a student who makes that very
mistake passes and is never told. The judges record every named alternative they are given
(judges.AUDIT, and its copy in the students' exercises/selfcheck.py); runs of the suites on the
reference (the seed sweep for the hidden suites, on every seed it tries; the degenerate answers'
first run for the visible ones) collect them per check: an alternative is told apart when at least
one of the check's calls tells it from the right answer (momentum's first step is a plain gradient
step; its second is not).
"""


class Audit:
    """A pytest plugin (pass it to the run) that collects, per check, the named alternatives the
    judges of both suites meet while it is active (`with Audit() as audit:`)."""

    def __init__(self):
        self.calls: list = []  # (check, task, call, name, told apart)
        self.check = ""

    def pytest_runtest_setup(self, item):
        self.check = item.nodeid.split("/")[-1]

    def append(self, entry: tuple) -> None:  # judges.AUDIT.append
        self.calls.append((self.check, *entry))

    def __enter__(self):
        from exercises import selfcheck
        from grader.scoring import judges

        judges.AUDIT = selfcheck.AUDIT = self
        return self

    def __exit__(self, *exc):
        from exercises import selfcheck
        from grader.scoring import judges

        judges.AUDIT = selfcheck.AUDIT = None

    def report(self, suite: str) -> tuple[list[str], str]:
        """(a line per check and alternative it never told apart, the summary line)."""
        apart: dict = {}
        example: dict = {}
        for check, task, call, name, told in self.calls:
            key = (check, task, name)
            apart[key] = apart.get(key, False) or told
            example.setdefault(key, call)
        lines = sorted(f"INDISTINGUISHABLE {suite}: {check}: {name!r} of {task} passes as the right answer on every "
                       f"call (e.g. {example[check, task, name]})" for (check, task, name), told in apart.items()
                       if not told)
        return lines, (f"named alternatives ({suite}): {len(lines)} of {len(apart)} never told apart "
                       f"({len(self.calls)} calls)")

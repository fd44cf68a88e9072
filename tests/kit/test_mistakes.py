"""Self-checks that teach: every realistic mistake of the corpus (tests/kit/mistakes.py) fails its
own task first in the self-checks, costs points in the hidden suite, and, where the corpus says
what names it, the first message names the misconception."""

import json
import subprocess
import sys

import pytest

from grader.sandbox import KIT
from exercises.selfcheck import HINTS
from tests.kit.mistakes import CORPUS


@pytest.mark.timeout(1200)
def test_every_mistake_is_caught_by_both_suites_and_told_where_it_is():
    run = subprocess.run([sys.executable, "-m", "tests.kit.mistakes"], cwd=KIT, capture_output=True, text=True,
                         timeout=1200)
    results = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    assert len(results) == len(CORPUS) >= 60, run.stdout[-2000:] + run.stderr[-2000:]
    problems = []
    for result, mistake in zip(results, CORPUS):
        if not result["failing"] or result["failing"][0] != mistake.task:
            problems.append(f"{mistake.name}: the self-checks fail {result['failing'][:3]}, not {mistake.task} first")
        if not result["hidden_caught"]:
            problems.append(f"{mistake.name}: the hidden suite gives full marks")
        if mistake.names and not result["named"]:
            problems.append(f"{mistake.name}: the first message does not say {mistake.names!r}:\n{result['first']}")
    said = "\n".join(result["first"] for result in results)
    for module, table in HINTS["mistakes"].items():
        if module != "any":  # [mistakes.any] are fallbacks for every task
            problems += [f"[mistakes.{module}] {key!r}: no mistake of the corpus is told it" for key, text in table.items()
                         if text not in said]
    assert not problems, "\n".join(problems)
    print("\n" + run.stdout.splitlines()[-1])

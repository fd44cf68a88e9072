"""Self-checks that teach: every realistic mistake of the corpus (tests/kit/corpora/mistakes.py) fails its
own task first in the self-checks, costs points in the hidden suite on every grading seed tried (a
fresh block each run; `python -m tests.kit.corpora.mistakes --seeds 200` for a deeper sweep), and,
where the corpus says what names it, the first message names the misconception."""

import json
import secrets

import pytest

from grader.scoring.judges import HINTS
from tests.kit.corpora.mistakes import CORPUS
from tests.kit.side_by_side import run_modules

pytestmark = pytest.mark.slow  # grades, trains or starts other processes
SEEDS = 3  # grading seeds each mistake's hidden suite runs with: it must lose points on every one


@pytest.mark.timeout(1200)
def test_every_mistake_is_caught_by_both_suites_and_told_where_it_is():
    first = secrets.randbelow(2**31 - SEEDS)  # a fresh block of grading seeds every run, printed on failure
    outputs = [output for _, output in run_modules(*(["tests.kit.corpora.mistakes", "--part", str(part), "2", "--seed",
                                                      str(first), "--seeds", str(SEEDS)] for part in (0, 1)))]
    by_name = {result["mistake"]: result for output in outputs for result in
               (json.loads(line) for line in output.splitlines() if line.startswith("{"))}
    results = [by_name.get(mistake.name) for mistake in CORPUS]
    assert None not in results and len(results) >= 60, "".join(output[-2000:] for output in outputs)
    problems = []
    for result, mistake in zip(results, CORPUS):
        if not result["failing"] or result["failing"][0] != mistake.task:
            problems.append(f"{mistake.name}: the self-checks fail {result['failing'][:3]}, not {mistake.task} first")
        if result["hidden_missed"]:
            problems.append(f"{mistake.name}: the hidden suite gives full marks with the grading seeds "
                            f"{result['hidden_missed']} (of {first} to {first + SEEDS - 1})")
        if mistake.names and not result["named"]:
            problems.append(f"{mistake.name}: the first message does not say {mistake.names!r}:\n{result['first']}")
    said = "\n".join(result["first"] for result in results)
    for module, table in HINTS["mistakes"].items():
        if module != "any":  # [mistakes.any] are fallbacks for every task
            problems += [f"[mistakes.{module}] {key!r}: no mistake of the corpus is told it" for key, text in table.items()
                         if text not in said]
    assert not problems, "\n".join(problems)
    print("".join("\n" + output.splitlines()[-1] for output in outputs))

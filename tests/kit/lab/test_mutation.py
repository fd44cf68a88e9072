"""The hidden suites' power: mutants of the solution regions must lose points."""

import ast
import re

import pytest

from grader.catalogue import KIT
from grader.catalogue import regions
from grader.lab import mutation
from tests.kit.side_by_side import run_modules

pytestmark = pytest.mark.slow  # grades, trains or starts other processes

# Mutants no test can tell apart from the solution: equivalent ones, and one below what a judge can see (each says why).
EQUIVALENT = {
    "perceptron.py:96: 1.0 → 2.0",  # OR with weights 2 instead of 1 (bias 0) is still OR
    "activations.py:97: Gt → GtE",  # leaky ReLU: z and alpha·z agree at z = 0
    "activations.py:109: Mult → Div",  # leaky ReLU′: alpha · 1 = alpha / 1
    "activations.py:121: GtE → Gt",  # ELU: z and alpha·(e^z − 1) agree at z = 0
    "activations.py:121: 0.0 → 1.0",  # ELU: exp(min(z, 1)) is finite too, and discarded where z ≥ 0
    "activations.py:133: 0.0 → 1.0",  # ELU′: the same for the derivative
    "activations.py:163: -x → x",  # softmax cross-entropy: axis 1 is axis −1 of the (n, k) logits it takes
    "activations.py:164: -x → x",
    "activations.py:165: -x → x",
    "keras_mlp.py:71: 0 → 1",  # fit: verbose=1 prints a progress bar; the history is the same
    # not equivalent, but below what a table of accuracies can show: compare trains exercise 9's
    # network in batches of 101, not 100
    "keras_mlp.py:108: 100 → 101",
}


def test_the_mutator_changes_one_thing_in_solution_regions_only():
    found = list(mutation.mutants("backprop"))
    assert len(found) > 30
    descriptions = {description for _, description, _, _ in found}
    assert {"Add → Sub", "Mult → Div", ".reduce_sum() → .reduce_mean()"} <= descriptions
    original = ast.unparse(ast.parse((KIT / "solutions" / "backprop.py").read_text()))
    assert all(source != original for _, _, source, _ in found)
    solved = regions((KIT / "solutions" / "backprop.py").read_text(), "backprop")
    assert all(any(r.first < line < r.last and r.task == task for r in solved) for line, _, _, task in found)


@pytest.mark.timeout(1500)
@pytest.mark.parametrize("group", [  # two halves of about equal time (the mutated task's checks run first),
    ("backprop", "training", "speed", "softmax_network", "keras_mlp"),  # each a test of its own: pytest -n
    ("evaluation", "perceptron", "mlp", "activations", "optimizers"),  # spreads them over the cores
], ids=["half-1", "half-2"])
def test_the_hidden_suites_kill_at_least_90_percent_of_mutants(group):
    [(_, output)] = run_modules(["grader.lab.mutation", "--exercise", *group])
    [(killed, total)] = [(int(a), int(b)) for a, b in re.findall(r"mutation score: (\d+)/(\d+) killed", output)] or \
        [(0, 0)]
    survivors = set(re.findall(r"^SURVIVED (.+)$", output, re.M))
    assert survivors <= EQUIVALENT, f"mutants no hidden test catches: {sorted(survivors - EQUIVALENT)}"
    assert total > 50 and killed / total >= 0.9, output[-3000:]

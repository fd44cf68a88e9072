"""Thesis numbers the reference solutions must reproduce beyond the self-checks."""

import json
import re
import shutil

import pytest
import tensorflow as tf

from grader import cli
from grader.lab import reproduce
from grader.catalogue import KIT as ROOT, all_regions
from solutions import perceptron

pytestmark = pytest.mark.slow  # grades, trains or starts other processes
# the thesis' headings (its chapters and their sections, as a student finds them in it)
HEADINGS = {
    "Perceptron", "Matrix Multiplication", "Tensor Multiplication", "Activation Function", "Creating the Perceptron",
    "Perceptron in Action", "AND Computation", "OR Computation", "Linear Separation", "Multi-Layer Perceptron",
    "Multi-layer Perceptron in TensorFlow", "Multi-Layer Perceptron Example", "XOR Computation",
    "The Two-layer Multi-Layer Perceptron", "Sigmoid Activation Function", "XOR with Sigmoid",
    "Recognizing Handwritten Digits", "Data Set and MLP Model", "Pre-Processing MNIST", "Building the Model",
    "Backpropagation", "The Simple Network", "The Multi-Layered Network", "The Simple Example Revisited",
    "The Fully Connected Network", "Network Training", "Network Evaluation", "Cross-Validation Comparison",
    "Decreasing Computation Time", "Model Bias", "Multiple Hidden Layers", "Conclusion",
}


def test_every_thesis_section_cited_is_a_heading_of_the_thesis():
    found = {match[1].strip() for path in sorted((ROOT / "solutions").glob("*.py"))
             for match in re.finditer(r"[Tt]hesis §([\w\- ]+)", path.read_text(encoding="utf-8"))}
    assert found and not found - HEADINGS, sorted(found - HEADINGS)
    regions = [region for region in all_regions() if region.section.startswith("thesis §")]
    assert regions and all(region.section.removeprefix("thesis §") in HEADINGS for region in regions)


def test_a_single_sample_gets_the_shape_explained():
    with pytest.raises(ValueError, match=r"shape \(1, 2\)"):
        perceptron.and_gate()(tf.constant([1.0, 0.0]))


@pytest.mark.timeout(600)
def test_the_thesis_mnist_run_is_reproduced_within_its_spread():
    """Fig. 17's first row: [784, 15, 10], rate 0.9, 10 epochs on the 60,000 training images, tested
    on the 10,000 test images: 89.12 % and a test error of 0.01749 in the thesis."""
    kit = reproduce.Kit("solutions")
    train, test = reproduce.data(kit, quick=False)
    row = reproduce.FIGURES[17][1][0]
    result = reproduce.single_split(kit, train, test, row, row.epochs, seed=0)
    assert reproduce.verdict(17, 0, result, False, kit.init).startswith("within"), result
    assert sum(result["per_digit"]) == round(result["accuracy"] * 100) and not reproduce.dead_digits(result, 10000)
    assert result["error"] == pytest.approx(row.error, rel=0.2)


@pytest.mark.timeout(600)
def test_the_quick_reproduction_shows_what_the_thesis_protocol_leaks(tmp_path):
    kit = reproduce.Kit("solutions")
    train, test = reproduce.data(kit, quick=True)
    said = []
    rows = reproduce.run_figure(kit, 18, True, 0, train, test, say=said.append)
    by = {(row["label"], row["protocol"]): row for row in rows}
    assert len(rows) == 6 and all(0 < row["error"] < 0.5 and row["variance"] >= 0 for row in rows)
    assert all(sum(row["per_digit"]) == round(row["accuracy"] * reproduce.QUICK_IMAGES / 100) for row in rows)
    leak = by[("rate 0.9", "thesis protocol")]["accuracy"] - by[("rate 0.9", "fresh model per fold")]["accuracy"]
    assert leak > 5, leak  # one model trained on through every fold has seen each later fold's test images
    assert len(said) == 6 and all(len(errors) == reproduce.QUICK_EPOCHS + 1
                                  for row in rows for errors in row["epoch_errors"].values())
    assert all(errors[-1] < errors[0] for row in rows if row["label"] == "rate 0.9" for errors in row["epoch_errors"].values())
    # the thesis' code measures the error on the test images, which lie in fold 5: four folds of five train on them
    fresh = by[("rate 0.9", "fresh model per fold")]
    assert fresh["error"] == pytest.approx(fresh["epoch_errors"]["test images"][-1]) and fresh["error"] < fresh["fold_error"]
    assert all(sum(row["digit_totals"]) == reproduce.QUICK_IMAGES and sum(row["per_digit_all"]) > 0 for row in rows)
    text = reproduce.table(18, rows, True, "solutions", "normal")
    assert "Fig. 18" in text and "90.81" in text and "fold err" in text and "+" in text.splitlines()[-1]
    report = reproduce.write_report(tmp_path, {18: (rows, text)})
    assert "![fig18](fig18.png)" in report.read_text() and (tmp_path / "fig18-error-per-epoch.png").stat().st_size


def test_the_verdicts_tell_the_two_protocols_apart(tmp_path):
    """Fig. 18 at rate 0.1: the thesis' folds vary by ±10 points (its one model learns fold after
    fold), but its mean of five is known to ±9.0; rows 15 points apart do not both read "within", and
    the summary says which protocol the thesis' number is nearer."""
    assert reproduce.spread(18, 1) == pytest.approx(2 * (101.18 / 5) ** 0.5) and reproduce.spread(17, 0) > reproduce.spread(18, 0)
    rows = [{"figure": 18, "index": 1, "label": "rate 0.1", "protocol": protocol, "epochs": 10, "quick": False,
             "accuracy": accuracy, "error": 0.03, "fold_error": 0.031, "variance": 4.0, "seconds": 1.0,
             "per_digit": [5000] * 10, "per_digit_all": [5000] * 10, "digit_totals": [7000] * 10,
             "epoch_errors": {"test images": [0.09, 0.03], "test fold": [0.09, 0.031]}}
            for protocol, accuracy in (("thesis protocol", 80.6), ("fresh model per fold", 65.6))]
    verdicts = [reproduce.verdict(18, 1, row, False, "normal") for row in rows]
    assert verdicts[0].startswith("within") and verdicts[1].startswith("OUTSIDE"), verdicts
    text = reproduce.table(18, rows, False, "solutions", "normal")
    assert "nearer its own protocol for rate 0.1" in text and "fresh model per fold for" not in text
    swapped = [{**row, "accuracy": 160.2 - row["accuracy"] - 15} for row in rows]  # 65.6 and 79.6 (thesis 79.63)
    assert "nearer a fresh model per fold for rate 0.1" in reproduce.table(18, swapped, False, "solutions", "normal")
    # Fig. 25's twelve runs: a colour per experiment, every chart drawn
    many = [{**rows[i % 2], "figure": 25, "index": i // 2, "label": f"model {i // 2 + 1}",
             "protocol": rows[i % 2]["protocol"]} for i in range(12)]
    assert len(set(reproduce.charts.colours([row["label"] for row in many]).values())) == 6
    report = reproduce.write_report(tmp_path, {25: (many, reproduce.table(25, many, False, "solutions", "normal"))})
    assert all((tmp_path / name).stat().st_size for name in ("fig25.png", "fig25-error-per-epoch.png"))
    assert report.read_text().count("![") == 2


def test_reproducing_with_unfinished_exercises_says_so(capsys):
    assert cli.main(["reproduce", "--quick", "--figure", "17", "--with", "exercises", "--cache", "/dev/null/c"]) == 1
    assert "finish the exercises first" in capsys.readouterr().err


def test_a_student_folder_runs_the_reproduction_with_its_own_code(tmp_path, capsys):
    folder = tmp_path / "erin" / "hw5"  # as an LMS download wraps it
    shutil.copytree(ROOT / "solutions", folder, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    (folder / "training.py").write_text((folder / "training.py").read_text().replace(
        "return 100.0 * correct / len(x), correct", "return 42.0, correct"))  # a wrong accuracy shows in the table
    cached = ["--cache", str(tmp_path / "cache.json")]
    assert cli.main(["reproduce", "--quick", "--figure", "17", "--with", str(tmp_path / "erin"), *cached]) == 0
    table = capsys.readouterr().out
    assert f"code: {tmp_path / 'erin'}" in table
    assert sum(" 42.00 " in line and "quick run" in line for line in table.splitlines()) == 3
    results = json.loads((tmp_path / "cache.json").read_text())
    assert len(results) == 3
    (tmp_path / "cache.json").write_text(json.dumps({key: {**value, "accuracy": 12.34} for key, value in results.items()}))
    assert cli.main(["reproduce", "--quick", "--figure", "17", "--with", str(tmp_path / "erin"), *cached]) == 0
    assert capsys.readouterr().out.count("12.34 % in") == 3  # the same code again: the cached results
    shutil.copytree(folder, tmp_path / "fay")
    assert cli.main(["reproduce", "--quick", "--figure", "17", "--with", str(tmp_path), *cached]) == 2  # a class
    assert "not a class of 2" in capsys.readouterr().err


def test_a_row_outside_the_thesis_spread_says_why():
    collapsed = {"accuracy": 74.27, "variance": 13.96, "per_digit": [6742, 7708, 34, 0, 6534, 4600, 6642, 6956, 6393, 6381]}
    assert "digits 2, 3 almost never right" in reproduce.verdict(22, 2, collapsed, False, "normal")
    uneven = {**collapsed, "per_digit": [5200] * 10, "variance": 106.0}
    assert "the folds disagree (variance 106" in reproduce.verdict(22, 2, uneven, False, "normal")
    assert reproduce.verdict(22, 2, {**uneven, "accuracy": 94.0}, False, "normal").startswith("within")
    assert reproduce.verdict(22, 2, uneven, True, "normal") == "quick run: not comparable"

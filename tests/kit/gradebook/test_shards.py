"""A class graded as one run and as three shards merged (`grade --shard I/N`, `merge`) gives the
same gradebook: the same latest report of every student, the same exports, the same files."""

import csv
import json
import re
import shutil
from pathlib import Path

import pytest

from grader import cli
from grader.gradebook import shards, store
from tests.kit.conftest import submission

pytestmark = pytest.mark.slow  # grades, trains or starts other processes
EXERCISES = ("perceptron", "mlp")
TIMES = {"seconds", "worker_seconds", "graded_at", "execution_time"}  # what differs between any two gradings of the same files


def _timeless(value):
    if isinstance(value, str):  # when an override was set (each class's at its own moment), the workers' uids
        return re.sub(r"uid \d+", "uid (free)", re.sub(r"\d{4}-\d\d-\d\dT[\d:.]+(\+00:00)?", "(when)", value))
    if isinstance(value, dict):
        return {k: _timeless(v) for k, v in value.items() if k not in TIMES}
    if isinstance(value, list):
        return [_timeless(v) for v in value]
    return value


def _class(out: Path) -> dict:
    """Everything the class's folder says, times aside."""
    with open(out / "gradebook.csv", newline="") as handle:
        gradebook = [{k: v for k, v in row.items() if k != "graded_at"} for row in csv.DictReader(handle)]
    students = {path.parent.name: (_timeless(json.loads((path.parent / "report.json").read_text())),
                                   _timeless(json.loads((path.parent / "results.json").read_text())),
                                   _timeless((path.parent / "feedback.md").read_text()))
                for path in out.glob("*/report.json")}
    return {"gradebook.csv": gradebook, "class.json": json.loads((out / "class.json").read_text()),
            "checks.csv": (out / "checks.csv").read_text(), "students": students,
            "latest": _timeless(store.latest(out)), "roster": store.roster(out)}


def test_shards_are_a_partition_by_name():
    names = [f"student{i}" for i in range(300)]
    counts = [sum(shards.shard_of(name, 3) == i for name in names) for i in (1, 2, 3)]
    assert sum(counts) == 300 and min(counts) > 80  # every name in one shard, the shards near even
    assert shards.parse("2/3") == (2, 3)
    for wrong in ("0/3", "4/3", "3", "a/b"):
        with pytest.raises(ValueError):
            shards.parse(wrong)


@pytest.mark.timeout(600)
def test_a_class_graded_in_three_shards_and_merged_is_graded_as_in_one_run(tmp_path, capsys):
    folder = tmp_path / "class"
    folder.mkdir()
    names = ("ada", "bo", "cy", "dee", "eli", "fay")
    kinds = {"ada": {"finished": EXERCISES}, "bo": {},
             "cy": {"finished": EXERCISES, "edits": {"perceptron": ("a > 0 else", "a >= 0 else")}},
             "dee": {"finished": EXERCISES, "edits": {"mlp": ("def from_sizes", "def from_sizes(:\n\n\ndef old")}},
             "eli": {"finished": ("perceptron",)}, "fay": {"finished": ("mlp",)}}
    for name in names:
        submission(folder, name, modules=EXERCISES, **kinds[name])
    assert {shards.shard_of(name, 3) for name in names} == {1, 2, 3}  # every shard grades someone
    roster = tmp_path / "roster.csv"
    roster.write_text("student\n" + "\n".join(names) + "\ngus\n")  # gus submitted nothing
    common = ["--seed", "11", "--exercises", ",".join(EXERCISES), "--roster", str(roster)]
    whole, parts = tmp_path / "whole", [tmp_path / f"shard #{i}?%" for i in (1, 2, 3)]  # odd folder names
    assert cli.main(["grade", str(folder), "--out", str(whole), *common]) == 0
    for i, part in enumerate(parts, 1):
        assert cli.main(["grade", str(folder), "--out", str(part), "--shard", f"{i}/3", *common]) == 0
    # an override given on the shard's machine and on the whole class's is kept by the merge
    owner = parts[shards.shard_of("cy", 3) - 1]
    for out in (whole, owner):
        assert cli.main(["override", "cy", "test_step_fn_values", "2", "--comment", "partial credit", "--out", str(out)]) == 0
    capsys.readouterr()
    merged = tmp_path / "merged"
    assert cli.main(["merge", *map(str, parts), "--out", str(merged)]) == 0
    assert "6 student(s), 6 grading(s) of 3 shard(s) merged" in capsys.readouterr().out
    expected, got = _class(whole), _class(merged)
    assert got["students"].keys() == set(names)
    for key in expected:
        assert got[key] == expected[key], key
    assert [g["student"] for g in store.history(merged)] == sorted(
        names, key=lambda n: next(g["graded_at"] for g in store.history(parts[shards.shard_of(n, 3) - 1])
                                  if g["student"] == n))

    # refused, changing nothing: a shard given twice, a shard of another seed, a folder with no gradebook
    other = tmp_path / "other-seed"
    shutil.copytree(parts[0], other)
    assert cli.main(["grade", str(folder), "--out", str(other), "--shard", "1/3", "--regrade",
                     *common[2:], "--seed", "12"]) == 0
    capsys.readouterr()
    before = (merged / store.FILE).read_bytes()
    for wrong, problem in (([parts[0], parts[0]], "graded in both"), ([other, parts[1], parts[2]], "not graded alike"),
                           ([folder], "holds no gradebook")):
        assert cli.main(["merge", *map(str, wrong), "--out", str(tmp_path / "refused")]) == 2
        assert problem in capsys.readouterr().err
    assert cli.main(["merge", str(other), "--out", str(merged)]) == 2  # another seed than the merged class's
    assert (merged / store.FILE).read_bytes() == before
    # a shard needs the class's seed
    assert cli.main(["grade", str(folder), "--out", str(tmp_path / "seedless"), "--shard", "1/3"]) == 2
    assert "give --seed" in capsys.readouterr().err


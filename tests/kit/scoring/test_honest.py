"""Honest code never loses a point to a guard: every variant of the honest-idioms corpus
(tests/kit/corpora/honest.py) scores full marks on the exercise it touches, graded in isolation."""

import pytest

from grader.isolation.staging import find
from grader.scoring.run import Options, grade_all
from tests.kit.conftest import UID
from tests.kit.corpora.honest import CORPUS

pytestmark = pytest.mark.slow


@pytest.mark.timeout(1200)
def test_every_honest_idiom_scores_full_marks(tmp_path):
    assert len(CORPUS) >= 30
    lost = []
    for exercise in dict.fromkeys(case.exercise for case in CORPUS):
        cases = [case for case in CORPUS if case.exercise == exercise]
        for case in cases:
            case.make(tmp_path / exercise / case.name)
        reports = grade_all(find([tmp_path / exercise]), Options(seed=11, jobs=2, worker_uid=UID, exercises=(exercise,)))
        for report in reports:  # (a class of one is graded as its folder: the report bears the exercise's name)
            lost += [f"{report['student']}: {t['id'].split('::')[-1]} ({t['category']}): {t['message'][:300]}"
                     for t in report["tests"] if t["earned"] < t["points"]]
            lost += [f"{report['student']}: grader fault: {fault}" for fault in report["grader_faults"][-1:]]
    assert not lost, "\n".join(lost)

"""The report of one graded submission, typed: what every output (feedback, gradebook, Gradescope,
nbgrader) is made from. `python -m grader.scoring.report` prints its JSON schema
(docs/report.schema.json; docs/report-schema.md says what each field means)."""

import dataclasses
import json
import sys
import types
import typing
from dataclasses import dataclass, field

from grader.catalogue import EXERCISES
from grader.isolation.staging import Submission
from grader.scoring.rubric import rubric, task_points, task_uses

SCHEMA = "nn-kit-report/1"
GRADER_FAULT = "grader fault"  # the category of a check the grader failed on: never the student's fault
FAULT_MESSAGE = "the grader failed on this check; this is not a fault of your code and your instructor has been told"
NOT_READ = "not read"  # the category of every check of a submission of which nothing gradable was read
GRADED, NEEDS_ATTENTION, INCOMPLETE = "graded", "needs attention", GRADER_FAULT + ": incomplete, regrade"


@dataclass
class Check:
    """One hidden check's result."""

    id: str  # tests/hidden/<suite>::<test>[<parameter>]
    exercise: str
    task: str  # <exercise>.<function>: the skeleton's task it covers
    points: int
    earned: int  # 0 or points
    category: str | None  # None when passed; else the verdict's category (verdicts.py)
    message: str  # what the student reads: call, expected, returned, mistake, hint
    seconds: float
    worker_seconds: float = 0.0  # of those, waiting on student code's worker (or the judge's): the rest is the grader's


@dataclass
class Score:
    earned: int
    possible: int
    percent: float


@dataclass
class Points:
    earned: int
    possible: int  # 0: the exercise was not graded


@dataclass
class Report:
    student: str
    seed: int  # the grading seed: the same seed gives the same inputs, so the same scores
    isolation: str  # the level of isolation in force and what it enforces ("none: …" when nothing ran)
    versions: dict[str, str]  # python, tensorflow, numpy, pytest
    seconds: float
    score: Score
    exercises: dict[str, Points]
    status: str  # graded | needs attention: why | grader fault: incomplete, regrade
    warnings: list[str]  # for the student: what staging left out or found
    attention: list[str]  # for the instructor: why nothing of it was graded
    grader_faults: list[str]  # for the instructor: checks the grader failed on (not the student's fault)
    tests: list[Check]
    digest: str = ""  # SHA-256 of the files graded (staging.digest): a rerun keeps an unchanged submission's grading
    origin: dict[str, str] = field(default_factory=dict)  # what an LMS download says of it: lms, id, name, late, submitted_at
    dependencies: str = "own"  # the policy: a task graded with the submission's own tasks it uses, or the reference's
    schema: str = field(default=SCHEMA)

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def status(report: dict) -> str:
    """graded, needs attention: …, or grader fault: incomplete, regrade (for reports written before
    the status field: from their grader faults)."""
    return report.get("status") or (GRADED if not report.get("grader_faults") else INCOMPLETE)


def build_report(submission: Submission, payload: dict | None, problem: str, seconds: float,
                 exercises: tuple[str, ...], seed: int, digest: str = "") -> dict:
    """The report of one submission from the signed results of its run (None if none): every rubric
    check of the graded exercises, points per exercise (0 of 0 for an exercise not graded), total."""
    found = {t["id"]: t for t in (payload or {}).get("tests", [])}
    unread = {"earned": 0, "category": NOT_READ, "message": "; ".join(submission.attention), "seconds": 0.0}
    tests = []
    for check in (check for check in rubric() if check["exercise"] in exercises):
        result = unread if submission.attention else found.get(check["id"]) or {
            "earned": 0, "category": GRADER_FAULT, "message": FAULT_MESSAGE, "seconds": 0.0}
        earned = result["earned"] if result["earned"] in (0, check["points"]) else 0
        tests.append(Check(**check, earned=earned, category=result["category"], message=result["message"],
                           seconds=result["seconds"], worker_seconds=result.get("worker_seconds", 0.0)))
    _blame_used_tasks(tests)
    points = {name: Points(0, 0) for name in EXERCISES if name in exercises}
    for test in tests:
        points[test.exercise].earned += test.earned
        points[test.exercise].possible += test.points
    earned, possible = sum(t.earned for t in tests), sum(t.points for t in tests)
    details = {t["id"]: t.get("detail", "") for t in (payload or {}).get("tests", [])}
    faults = [f"{t.id.split('::')[-1]} {details.get(t.id, '')}".strip()
              for t in tests if t.category == GRADER_FAULT] + ([f"the grading run: {problem}"] if problem else [])
    state = (f"{NEEDS_ATTENTION}: {'; '.join(submission.attention)}" if submission.attention else
             INCOMPLETE if faults else GRADED)
    return Report(student=submission.name, seed=seed,
                  isolation=(payload or {}).get("isolation", "none: no grading run finished"),
                  versions=(payload or {}).get("versions", {}), seconds=round(seconds, 2),
                  score=Score(earned, possible, round(100.0 * earned / possible, 2)), exercises=points, status=state,
                  warnings=submission.warnings, attention=submission.attention, grader_faults=faults,
                  tests=tests, digest=digest, origin=dict(submission.origin),
                  dependencies=(payload or {}).get("dependencies", "own")).as_dict()


def _blame_used_tasks(tests: list[Check]) -> None:
    """Start the message of a failed check whose task uses another failing task (as its self-checks
    say) with that: the used task is the one to fix first. A module that does not import, or a
    message they share, already names the cause."""
    failed: dict[str, set] = {}
    for test in tests:
        if test.earned < test.points and test.category != GRADER_FAULT:
            failed.setdefault(test.task, set()).add(test.message)
    order = list(task_points())
    for test in tests:
        broken = sorted((used for used in task_uses().get(test.task, set())
                         if used in failed and test.message not in failed[used]), key=order.index)
        imports = " does not import: " in test.message
        if test.task in failed and test.earned < test.points and broken and not imports:
            test.message = (f"{test.task} uses {', '.join(broken)}, which {'fail' if len(broken) > 1 else 'fails'}"
                            f" too: fix that first, then look here again\n{test.message}")


def _schema_of(kind) -> dict:
    """The JSON schema of a type of the report's fields."""
    if dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        return {"type": "object", "required": [f.name for f in dataclasses.fields(kind)],
                "properties": {f.name: _schema_of(hints[f.name]) for f in dataclasses.fields(kind)}}
    origin, arguments = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        return {"anyOf": [_schema_of(argument) for argument in arguments]}
    if origin is list:
        return {"type": "array", "items": _schema_of(arguments[0])}
    if origin is dict:
        return {"type": "object", "additionalProperties": _schema_of(arguments[1])}
    return {"type": {str: "string", int: "integer", float: "number", bool: "boolean", type(None): "null"}[kind]}


def schema() -> dict:
    """The JSON schema of a report (as written in report.json)."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": SCHEMA, **_schema_of(Report)}


if __name__ == "__main__":
    json.dump(schema(), sys.stdout, indent=1)
    print()

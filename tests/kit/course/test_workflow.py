"""The starter repository's workflow: plain GitHub Actions, one self-check step per task named with
its hidden checks' points, every task run whatever the others do, a summary of all, and a failed
run when any task fails."""

import yaml

from grader.course.workflow import starter_workflow, step_id
from grader.scoring import rubric


def test_the_starter_workflow_runs_every_task_and_fails_when_any_does():
    workflow = yaml.safe_load(starter_workflow())
    [job] = workflow["jobs"].values()
    steps = {step.get("id"): step for step in job["steps"]}
    points = rubric.task_points()
    for task, value in points.items():
        step = steps[step_id(task)]
        assert step["run"].startswith(f"pytest exercises/ --task {task} ") and step["continue-on-error"] is True
        assert step["name"] == f"{task} ({value} points)"
    summary, verdict = job["steps"][-2:]
    assert summary["if"] == "always()" and "$GITHUB_STEP_SUMMARY" in summary["run"]
    assert all(f"steps.{step_id(task)}.outcome" in summary["run"] for task in points)
    assert verdict["run"] == "exit 1" and verdict["if"].count("== 'failure'") == len(points)
    assert "uses" not in str([s for s in job["steps"] if s.get("id")])  # no Classroom product's actions
    text = starter_workflow()
    assert "tests/hidden" not in text and "grader" not in text.split("steps:")[1]

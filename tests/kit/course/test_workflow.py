"""The starter repository's workflow: one self-check step per task, worth its hidden checks' points."""

from grader.course.workflow import classroom_workflow
from grader.scoring import rubric


def test_classroom_workflow_gives_each_task_the_points_of_its_hidden_checks():
    workflow = classroom_workflow()
    for task, points in rubric.task_points().items():
        assert f"test-name: {task}\n          command: pytest exercises/ --task {task}\n          timeout: 10\n" \
               f"          max-score: {points}\n" in workflow
    assert "tests/hidden" not in workflow and "grader" not in workflow.split("steps:")[1].replace(
        "autograding-grading-reporter", "").replace("autograding-command-grader", "")
    assert "runners: perceptron_step_fn,perceptron_tf_step_fn," in workflow

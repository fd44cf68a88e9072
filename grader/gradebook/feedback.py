"""What one student gets from a report: feedback in Markdown and Gradescope's results.json."""

from grader.catalogue import EXERCISES
from grader.text import markdown


def feedback(report: dict) -> str:
    """The student's feedback in Markdown: score per exercise, then the checks that lost points in
    course order, one entry for checks that failed with the same message (a module that does not
    import fails them all). No machine paths or isolation details: those are for the instructor."""
    score = report["score"]
    lines = [f"# Feedback for {markdown(report['student'])}", "",
             f"**Score: {score['earned']} / {score['possible']} ({score['percent']} %)**", "",
             "| exercise | points |", "|---|---|"]
    lines += [f"| {name} | {e['earned']} / {e['possible']} |" for name, e in report["exercises"].items() if e["possible"]]
    lines += ["", f"Grading seed {report['seed']}.", ""]
    for warning in report["warnings"]:
        lines.append(f"- note: {markdown(warning)}")
    if report.get("attention"):
        lines.append("- nothing of your submission could be graded; your instructor has been told and will look at it")
    order = {name: i for i, name in enumerate(EXERCISES)}
    lost = sorted((t for t in report["tests"] if t["earned"] < t["points"]), key=lambda t: order.get(t["exercise"], 0))
    groups = {}
    for test in lost:
        groups.setdefault((test["exercise"], test["category"], test["message"]), []).append(test)
    if lost:
        lines += ["", "## Checks that lost points", ""]
    for (exercise, category, message), tests in groups.items():
        names = ", ".join(t["id"].split("::")[-1] for t in tests)
        earned, points = sum(t["earned"] for t in tests), sum(t["points"] for t in tests)
        lines += [f"### {exercise}: {names} ({earned:g} / {points}, {category})", "", "```", message.replace("```", "'''"),
                  "```", ""]
    noted = [t for t in report["tests"] if t["earned"] >= t["points"] and t["message"]]
    if noted:  # e.g. passed with the reference's tasks in place of the student's failing ones
        lines += ["", "## Checks that passed, with a note", ""]
    for test in noted:
        lines += [f"### {test['exercise']}: {test['id'].split('::')[-1]} ({test['points']} / {test['points']})", "",
                  "```", test["message"].replace("```", "'''"), "```", ""]
    if not lost:
        lines += ["", "Every check passed."]
    return "\n".join(lines) + "\n"


def gradescope(report: dict) -> dict:
    """Gradescope's results.json: a score and one entry per check."""
    return {
        "score": report["score"]["earned"],
        "execution_time": report["seconds"],
        "output": f"{report['score']['earned']} / {report['score']['possible']} points; seed {report['seed']}",
        "tests": [{"name": f"{t['exercise']}: {t['id'].split('::')[-1]}", "score": t["earned"], "max_score": t["points"],
                   "output": t["message"], "visibility": "visible", "tags": [t["exercise"]]}
                  for t in report["tests"]],
    }

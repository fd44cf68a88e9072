"""Classroom 50 (the open-source successor of GitHub Classroom): an assignment's autograder bundle
and its runs.

Classroom 50 grades a submission in GitHub Actions: its runner fetches the assignment's bundle
(`CLASSROOM/autograders/SLUG/` of the classroom's config repository), runs `python autograder.py`
with the student's checkout as the current folder and the bundle's folder in
$CLASSROOM50_BUNDLE_DIR, and reads `result.json` (schema `classroom50/result/v1`) and, if written,
`release-body.md` from the checkout; a non-zero exit is published as "submitted, error" (no score).
The bundle made here holds `autograder.py` and the kit (`nn-kit/`: grader, hidden suites,
reference solutions; no MNIST, which the run downloads and checks). Contract: the runner's own
`validate_result` (foundation50/classroom50, cli/gh-teacher/skeleton/dotgithub/scripts/runner.py).
"""

import datetime
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

from grader.catalogue import BUNDLED, KIT

SCHEMA = "classroom50/result/v1"
OUTPUTS = ("result.json", "release-body.md")  # what the runner reads from the checkout (and rewrites)
MAX_BODY_CHARS = 100_000  # GitHub keeps a release body of at most 125,000 characters
AUTOGRADER = '''"""Classroom 50's autograder of {slug} (written by `nn-kit classroom50-bundle`): grades the
student's checkout (the current folder) with the kit's hidden suites, in isolation, into result.json
and release-body.md there. The grader runs from the bundle's kit (the current folder of its
process), never from the checkout, whose files must not shadow the kit's modules. On GitHub's
runner (user `runner`, passwordless sudo; Ubuntu 24.04 refuses unprivileged user namespaces) the
grader runs as root, so that student code runs as a dedicated uid in its own namespaces. A fault
of the set-up exits non-zero: Classroom 50 then publishes "submitted, error" and no score."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

KIT = Path(os.environ.get("CLASSROOM50_BUNDLE_DIR") or Path(__file__).parent).resolve() / "nn-kit"
CHECKOUT = Path.cwd().resolve()
for name in {outputs}:  # a result committed by the student (a file, a link, a folder) is never read as the grading's
    path = CHECKOUT / name
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.is_symlink() or path.exists():
        path.unlink()
# nothing below runs with the checkout on sys.path (-I; the current folder is the bundle's kit)
ready = subprocess.run([sys.executable, "-I", "-c", "import numpy, pytest, pytest_timeout, tensorflow"], cwd=KIT)
if ready.returncode:  # a runner without the kit's dependencies: install the kit from the bundle
    subprocess.run([sys.executable, "-I", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", str(KIT)],
                   check=True, cwd=KIT)
root = []
if os.geteuid() and shutil.which("sudo") and not subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode:
    root = ["sudo", "-n", "-E"]
sys.exit(subprocess.run([*root, sys.executable, "-m", "grader", "classroom50-run", str(CHECKOUT), "--out", str(CHECKOUT),
                         "--exercises", "{exercises}", "--dependencies", "{dependencies}"], cwd=KIT).returncode)
'''


def build_bundle(target: Path, slug: str, exercises: tuple[str, ...], dependencies: str = "own") -> Path:
    """Write the bundle folder `target/slug` (autograder.py, nn-kit/) of an assignment of these
    exercises and return it: the folder CLASSROOM/autograders/SLUG/ of the config repository."""
    folder = target / slug
    folder.mkdir(parents=True)
    script = AUTOGRADER.replace("{slug}", slug).replace("{outputs}", repr(OUTPUTS)).replace("{dependencies}", dependencies)
    (folder / "autograder.py").write_text(script.replace("{exercises}", ",".join(exercises)), encoding="utf-8")
    for name in BUNDLED:
        source, copy = KIT / name, folder / "nn-kit" / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_file():
            shutil.copy2(source, copy)
        else:
            shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__", "*.npz", "*.egg-info"))
    return folder


def submission_seed(classroom: str, assignment: str, owner: str) -> int:
    """The grading seed of a student's submissions: the same code resubmitted gets the same score,
    and classmates get different inputs."""
    key = f"{classroom}:{assignment}:{owner.lower()}".encode()
    return int.from_bytes(hashlib.sha256(key).digest()[:4], "big") % 2**31


def result(report: dict, env) -> dict:
    """The v1 result.json of a report, with the identity Classroom 50's runner gives in `env` (the
    runner stamps owner, assignment_type and datetime again itself)."""
    from grader.gradebook.feedback import gradescope

    tests = [{"test-name": test["name"], "passed": test["score"] >= test["max_score"], "score": int(test["score"]),
              "max-score": int(test["max_score"])} for test in gradescope(report)["tests"]]
    commit = env.get("COMMIT_URL", "")
    return {"schema": SCHEMA, "classroom": env.get("CLASSROOM", ""), "assignment": env.get("ASSIGNMENT", ""),
            "assignment_type": env.get("ASSIGNMENT_TYPE", "individual"),
            "owner": env.get("OWNER") or env.get("USERNAME", ""), "submission": env.get("SUBMISSION_TAG", ""),
            "commit": commit, "release": env.get("RELEASE_URL", ""), "review": env.get("REVIEW_URL") or commit,
            "datetime": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "score": sum(t["score"] for t in tests), "max-score": sum(t["max-score"] for t in tests), "tests": tests}


def run(submission: Path, out: Path, exercises: tuple[str, ...], env=None, dependencies: str = "own") -> int:
    """Grade one checkout into out/result.json and out/release-body.md (the feedback). A fault of
    the set-up (no MNIST, no isolation, a check the grader failed on) writes neither, says why on
    stderr and returns 1: Classroom 50 publishes that as an error, never as a score."""
    from grader.gradebook.feedback import feedback
    from grader.scoring.run import GradingFault, grade_hand_in

    env = os.environ if env is None else env
    owner = env.get("OWNER") or env.get("USERNAME", "")
    seed = submission_seed(env.get("CLASSROOM", ""), env.get("ASSIGNMENT", ""), owner)
    try:
        report, level = grade_hand_in(submission, seed, exercises, fetch_mnist=True, dependencies=dependencies)
    except GradingFault as fault:
        print(f"grading fault: {fault}", file=sys.stderr)
        return 1
    report["student"] = owner or report["student"]  # the feedback's name: the student's, not the checkout's folder
    texts = {"result.json": json.dumps(result(report, env), indent=2) + "\n",
             "release-body.md": feedback(report)[:MAX_BODY_CHARS]}
    owner = out.stat()
    for name, text in texts.items():
        (out / name).write_text(text, encoding="utf-8")
        if os.geteuid() == 0:  # graded as root: the runner (the checkout's owner) rewrites result.json
            os.chown(out / name, owner.st_uid, owner.st_gid)
    print(f"{report['score']['earned']} / {report['score']['possible']} points (seed {seed}; graded by the kit "
          f"at {KIT}; isolation: {level})")
    return 0

"""Gradescope: the autograder bundle, its seeds and its runs.

The Gradescope bundle holds the kit's grader, hidden suites and reference solutions plus, at its
top, `setup.sh` (installs the kit in /autograder/venv, checks MNIST's hashes or downloads it) and
`run_autograder` (grades /autograder/submission into /autograder/results/results.json);
$AUTOGRADER_ROOT moves /autograder for a test on one's own machine (README: Gradescope).
"""

import hashlib
import json
import secrets
import sys
import zipfile
from pathlib import Path

from data import mnist
from grader.catalogue import ASSIGNMENTS, BUNDLED, CORE, KIT

SETUP = """#!/usr/bin/env bash
# Gradescope unzips the bundle into /autograder/source and runs this there once, as root, when it
# builds the autograder's image. The kit goes into a virtual environment beside the source folder
# (a system pip may refuse installs, and graders' workers must reach Python without entering the kit).
set -euo pipefail
cd "$(dirname "$0")"
root="${AUTOGRADER_ROOT:-/autograder}"
python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "the kit needs Python 3.11 or newer; this image \\
has " + sys.version.split()[0] + ": choose a newer base image (Ubuntu 24.04) in the autograder settings")'
if ! python3 -m venv --system-site-packages "$root/venv"; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
    python3 -m venv --system-site-packages "$root/venv"
fi
"$root/venv/bin/python" -m pip install --quiet --disable-pip-version-check -e .
# a bundle made with --with-data carries MNIST (checked here); otherwise it is downloaded and checked
if [ -f data/mnist.npz ]; then "$root/venv/bin/python" -m data.mnist; else "$root/venv/bin/python" -m data.mnist --download; fi
"""
RUN = """#!/usr/bin/env bash
# Gradescope copies this to /autograder/run_autograder and runs it for every submission: grade
# /autograder/submission with the hidden suites, in isolation, into /autograder/results/results.json.
set -u
root="${AUTOGRADER_ROOT:-/autograder}"
cd "$root/source"
mkdir -p "$root/results"
exec "$root/venv/bin/python" -m grader gradescope-run "$root/submission" "$root/results/results.json" \\
    --metadata "$root/submission_metadata.json" --assignment {assignment} --dependencies {dependencies}
"""


def submission_seed(metadata: Path) -> int | None:
    """The grading seed of a Gradescope submission, from its assignment and students: the same code
    resubmitted gets the same score, and classmates get different inputs. None if unreadable."""
    try:
        data = json.loads(metadata.read_text(encoding="utf-8"))
        key = f"{data['assignment']['id']}:{','.join(sorted(str(user['id']) for user in data['users']))}"
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") % 2**31


def build_bundle(target: Path, with_data: bool = False, assignment: str = CORE, dependencies: str = "own") -> Path:
    """Write the Gradescope autograder zip of one assignment: the kit with setup.sh and
    run_autograder at its top, as Gradescope unzips it into /autograder/source; `with_data`: with
    the kit's verified MNIST, for an autograder image built without internet access."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        if with_data:
            mnist.read_verified(mnist.mnist_path())
            archive.write(mnist.mnist_path(), "data/mnist.npz")
        run = RUN.replace("{assignment}", assignment).replace("{dependencies}", dependencies)
        for script, text in (("setup.sh", SETUP), ("run_autograder", run)):
            info = zipfile.ZipInfo(script)
            info.external_attr = 0o100755 << 16
            archive.writestr(info, text)
        for name in BUNDLED:
            path = KIT / name
            files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
            for file in files:
                if "__pycache__" not in file.parts and file.suffix != ".npz":
                    archive.write(file, str(file.relative_to(KIT)))
    return target


def run(submission: Path, results: Path, metadata: Path, assignment: str, seed: int | None = None,
        dependencies: str = "own") -> int:
    """Grade one submission into Gradescope's results.json; always writes a result. A fault of the
    set-up (no MNIST, no isolation, a check the grader failed on) is never scored: results.json then
    says so in its top-level output (what students see: no details), holds no score, the details go
    to the autograder's log (stderr), and this returns 1. The seed comes from the assignment and the
    students (submission_metadata.json), so a resubmission of the same code gets the same score."""
    from grader.gradebook.feedback import gradescope
    from grader.scoring.run import GradingFault, grade_hand_in

    results.parent.mkdir(parents=True, exist_ok=True)
    seed = seed if seed is not None else submission_seed(metadata)
    if seed is None:
        seed = secrets.randbelow(2**31)
        print(f"no readable {metadata}: random grading seed {seed}", file=sys.stderr)
    try:
        report, _ = grade_hand_in(submission, seed, ASSIGNMENTS[assignment], dependencies=dependencies)
    except GradingFault as fault:
        results.write_text(json.dumps({"output": f"Grading fault (not your code's): {fault.reason}. Your instructor "
                                                 "must fix the autograder; nothing was scored.", "tests": []}, indent=1),
                           encoding="utf-8")
        print(f"grading fault: {fault}", file=sys.stderr)
        return 1
    results.write_text(json.dumps(gradescope(report), indent=1), encoding="utf-8")
    print(f"{report['score']['earned']} / {report['score']['possible']} points")
    return 0

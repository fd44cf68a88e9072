"""The kit's command line (`nn-kit …` or `python -m grader …`): parses, refuses an instructor's
mistake before anything runs, and calls one function of the kit.

    nn-kit setup                          provide MNIST, grade solutions/ and exercises/, print the tables
    nn-kit grade SUBMISSION… [--out DIR]  grade submissions (directories, zips, or a class folder) on an
                                          assignment (--assignment nn-tf, nn-tf-advanced or all)
    nn-kit nbgrader-course DIR            write an nbgrader course whose autograde uses the isolated grader
    nn-kit nbgrader-pregrade COURSE       grade an nbgrader course's submissions in parallel first
    nn-kit gradescope-bundle FILE.zip     write a Gradescope autograder bundle
    nn-kit gradescope-run SUBMISSION OUT  grade one submission into Gradescope's results.json (in the bundle)
    nn-kit classroom50-bundle DIR --slug S   write a Classroom 50 autograder bundle (DIR/S)
    nn-kit classroom50-run CHECKOUT       grade one checkout into Classroom 50's result.json (in the bundle)
    nn-kit export canvas|moodle           write the gradebook's grades as the CSV Canvas or Moodle imports
    nn-kit override STUDENT CHECK POINTS  set one check's points for one student (--comment; --remove)
    nn-kit history STUDENT                a student's gradings and overrides
    nn-kit merge SHARD… --out DIR         merge the gradebooks of a class graded in shards (grade --shard I/N)
    nn-kit starter-workflow               print the starter repository's workflow of the visible self-checks
    nn-kit release DIR                    write the students' starter repository (skeletons and self-checks only)
    nn-kit reproduce                      rerun the thesis' evaluation chapter beside its numbers
"""

import argparse
import copy
import csv
import os
import re
import secrets
import shlex
import signal
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # (before TensorFlow loads) its start-up notices are not the instructor's

from data import mnist  # noqa: E402
from grader.catalogue import ASSIGNMENTS, CORE, EXERCISES, KIT  # noqa: E402
from grader.gradebook import shards, store  # noqa: E402
from grader.isolation.policy import DEFAULT_WORKER_UID, IsolationUnavailable  # noqa: E402
from grader.isolation.staging import digest, find, stage  # noqa: E402
from grader.lab import reproduce  # noqa: E402
from grader.text import printable  # noqa: E402


def instructor_mistake(args) -> str:
    """Why the command cannot be run as given ('' when it can), checked before any grading."""
    if args.jobs < 1:
        return f"--jobs {args.jobs}: grade at least one submission at a time"
    for path in map(Path, args.submissions):
        if not path.exists():
            return f"{path} does not exist"
        if path.is_file() and path.suffix.lower() != ".zip":
            return f"{path} is a file: give a student's folder or .zip, or a class folder that holds them"
        if path.is_dir() and not any(path.iterdir()):
            return f"{path} is an empty folder"
    if unknown_exercises(args):
        return unknown_exercises(args)
    if getattr(args, "shard", None):
        try:
            shards.parse(args.shard)
        except ValueError as error:
            return str(error)
        if args.seed is None and not (args.out is not None and store.last_grading(args.out)):
            return f"--shard {args.shard}: give --seed, the same for every shard (a class is graded with one seed)"
    chosen = chosen_exercises(args)
    roster = getattr(args, "roster", None)
    if roster is not None and not roster.is_file():
        return f"--roster {roster} is not a file"
    if args.out is None:
        return ""
    last = store.last_grading(args.out) if args.out.is_dir() else None
    earlier = [name for name, e in last["exercises"].items() if e["possible"]] if last else []
    if earlier and set(earlier) != set(chosen):
        return (f"--out {args.out} holds a gradebook of the exercises {','.join(earlier)}; grade "
                f"{','.join(name for name in EXERCISES if name in chosen)} into another --out (one gradebook per assignment)")
    out = args.out.resolve()
    for path in map(lambda p: Path(p).resolve(), args.submissions):
        if path.is_dir() and (out == path or path in out.parents):
            return f"--out {args.out} lies inside {path}: its reports would be graded as a student next time"
    if args.command == "grade" and (out == KIT or KIT in out.parents):
        return f"--out {args.out} lies inside the kit ({KIT}); write reports elsewhere"
    existing = next(p for p in (out, *out.parents) if p.exists())
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        return f"--out {args.out}: {existing} is not a folder you can write to"
    return ""


def unchanged(submissions, args, seed: int, exercises) -> set[str]:
    """The submissions of a class whose latest grading in --out has this seed and these exercises and
    graded exactly the files they hold now: a rerun (after an interruption) keeps those."""
    if args.out is None or len(submissions) < 2 or getattr(args, "regrade", False) or not (args.out / store.FILE).exists():
        return set()
    latest = {r["student"]: r for r in store.latest(args.out)}
    kept = set()
    for submission in submissions:
        before = latest.get(submission.name)
        if before and before.get("digest") and before["seed"] == seed and not before["grader_faults"] and \
                {n for n, e in before["exercises"].items() if e["possible"]} == set(exercises) and \
                before.get("dependencies", "own") == getattr(args, "dependencies", "own"):
            with tempfile.TemporaryDirectory(prefix="nnkit-digest-") as scratch:
                same = digest(stage(copy.deepcopy(submission), Path(scratch) / "staged")) == before["digest"]
            if same:
                kept.add(submission.name)
    return kept


def exercise_list(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def unknown_exercises(args) -> str:
    """What is wrong with the exercises chosen ('' if nothing)."""
    chosen = chosen_exercises(args)
    unknown = [name for name in chosen if name not in EXERCISES]
    if unknown or not chosen:
        return f"--exercises: unknown {', '.join(unknown) or '(none given)'}; the exercises are {','.join(EXERCISES)}"
    return ""


def chosen_exercises(args) -> list[str]:
    """The exercises to grade: --exercises, else those of --assignment."""
    if getattr(args, "exercises", None) is not None:
        return args.exercises
    return list(EXERCISES if args.assignment == "all" else ASSIGNMENTS[args.assignment])


def grade(args) -> int:
    mistake = instructor_mistake(args)
    if mistake:
        print(f"nn-kit {args.command}: {mistake}", file=sys.stderr)
        return 2
    if not mnist.provide(getattr(args, "mnist", None), fetch=args.command == "setup"):
        return 1
    try:
        roster = store.read_roster(args.roster) if getattr(args, "roster", None) else []
    except (OSError, UnicodeDecodeError, ValueError, csv.Error) as error:
        print(f"nn-kit {args.command}: --roster: {error}", file=sys.stderr)
        return 2
    kept_roster = store.roster(args.out) if args.out is not None and (args.out / store.FILE).exists() else []
    submissions = find(args.submissions, roster or kept_roster)  # named as the roster (given, or kept) names them
    if getattr(args, "shard", None):
        index, count = shards.parse(args.shard)
        whole = len(submissions)
        submissions = [s for s in submissions if shards.shard_of(s.name, count) == index]
        print(f"shard {index} of {count}: {len(submissions)} of the class's {whole} submission(s)")
    last = store.last_grading(args.out) if args.out is not None and args.out.is_dir() else None
    seed = args.seed if args.seed is not None else last["seed"] if last else secrets.randbelow(2**31)
    if args.seed is None and last:
        print(f"seed {seed}: the class's, from {args.out / store.FILE} (--seed to choose another)")
    from grader.gradebook import console, exports
    from grader.scoring.run import GradingRun, Interrupted  # loads TensorFlow: only the commands that grade do

    try:
        run = GradingRun.prepare(seed, chosen_exercises(args), jobs=args.jobs, call_timeout=args.call_timeout,
                                 worker_uid=args.worker_uid, allow_process_level=args.allow_process_level,
                                 hidden=[args.out] if args.out is not None else [],
                                 dependencies=getattr(args, "dependencies", "own"))
    except IsolationUnavailable as error:
        print(f"refusing to grade: {error}", file=sys.stderr)
        return 2
    if run.options.isolation == "process":
        print(f"WARNING: {run.level}: student code can read the answers, the hidden tests and other submissions",
              file=sys.stderr)
    print(f"isolation: {run.level}")
    kept = unchanged(submissions, args, seed, run.options.exercises)
    if kept:
        submissions = [s for s in submissions if s.name not in kept]
        print(f"{len(kept)} submission(s) already graded with seed {seed} and unchanged since: kept "
              f"(--regrade to grade them again)")
    start = time.perf_counter()
    shown = console.progress_printer(len(submissions), start)

    def finished(report: dict) -> None:  # written as soon as graded: an interrupted run keeps it
        if args.out is not None:
            exports.write_student(report, args.out)
        shown(report)

    stopped_by = []

    def stop(number, _frame):
        stopped_by.append(number)
        raise KeyboardInterrupt

    # Ctrl-C and SIGTERM stop the grading whatever this process inherited (a shell's background job ignores SIGINT)
    previous = {number: signal.signal(number, stop) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        graded = run.grade(submissions, progress=finished)
    except Interrupted as interrupted:
        if args.out is not None:
            exports.write_class(args.out, roster)
        print(f"\nstopped: {len(interrupted.reports)} of {len(submissions)} submission(s) graded and kept"
              + (f" in {args.out}/; run the same command again to grade the other "
                 f"{len(submissions) - len(interrupted.reports)}" if args.out is not None else ""), file=sys.stderr)
        return 128 + (stopped_by[0] if stopped_by else signal.SIGINT)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    if args.command == "setup":
        for assignment, exercises in ASSIGNMENTS.items():
            print(f"\n{assignment}:\n{console.table(graded, exercises)}")
    else:
        print(console.table(graded))
    for report in graded:
        for warning in report["warnings"]:
            print(f"note: {printable(report['student'])}: {printable(warning)}")
    print(f"\n{len(graded)} submission(s) graded in {time.perf_counter() - start:.1f} s with seed {seed} "
          f"(--jobs {args.jobs})")
    if args.out is not None:
        exports.write_class(args.out, roster)
        print(f"reports: {args.out}/ (gradebook.csv and .sqlite, class.json, histogram.png, checks.csv and .png, "
              f"<student>/report.json, feedback.md, results.json)")
        if roster and not getattr(args, "shard", None):  # a shard's roster is the whole class's
            graded_names = {r["student"].casefold() for r in store.latest(args.out)}
            missing = [row["student"] for row in roster if row["student"].casefold() not in graded_names]
            print(f"roster: {len(missing)} of {len(roster)} student(s) submitted nothing"
                  + (f": {printable(', '.join(missing))}" if missing else ""))
    unread = [r for r in graded if r.get("attention")]
    for report in unread:
        print(f"NEEDS ATTENTION: {printable(report['student'])}: {printable('; '.join(report['attention']))}",
              file=sys.stderr)
    faulty = [printable(r["student"]) for r in graded if r["grader_faults"]]
    if faulty:
        print(f"\nGRADER FAULT: the grading itself failed on some checks of {len(faulty)} submission(s) "
              f"({', '.join(faulty[:10])}{' …' if len(faulty) > 10 else ''}); their scores are incomplete, not "
              f"the students' fault: see 'grader_faults' in report.json and regrade them", file=sys.stderr)
        return 3
    if unread:
        print(f"\n{len(unread)} submission(s) need attention (marked ! above): nothing gradable was read of them, "
              f"so their 0 is not a grade; they are left out of the class statistics", file=sys.stderr)
        return 4
    return 0


def merge(args) -> int:
    from grader.gradebook import exports

    problem = next((f"{shard} is not a folder" for shard in args.shards if not shard.is_dir()), "")
    if not problem and args.out.resolve() in {shard.resolve() for shard in args.shards}:
        problem = f"--out {args.out} is one of the shards: merge into a folder of its own"
    if not problem:
        try:
            merged = shards.merge(args.out, args.shards)
        except ValueError as error:
            problem = str(error)
    if problem:
        print(f"nn-kit merge: {printable(problem)}", file=sys.stderr)
        return 2
    exports.remake(args.out)
    print(f"{merged['students']} student(s), {merged['gradings']} grading(s) of {len(args.shards)} shard(s) merged "
          f"into {args.out}/ (gradebook, every student's files, the class's exports)")
    return 0


def nbgrader_course(args) -> int:
    from grader.integrations.nbgrader import build_course

    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    root = build_course(Path(args.directory), seed)
    print(f"nbgrader course written to {root} (grading seed {seed}, in its nbgrader_config.py); next: cd {root} "
          f"&& python -m nbgrader generate_assignment {CORE} (and {', '.join(a for a in ASSIGNMENTS if a != CORE)})")
    return 0


def nbgrader_pregrade(args) -> int:
    from grader.integrations.nbgrader import pregrade

    start = time.perf_counter()
    try:
        count = pregrade(Path(args.course), args.jobs)
    except (OSError, ValueError, IsolationUnavailable) as error:
        print(f"nn-kit nbgrader-pregrade: {error}", file=sys.stderr)
        return 2
    print(f"{count} submission(s) pre-graded in {time.perf_counter() - start:.0f} s (--jobs {args.jobs}); next: "
          f"cd {Path(args.course).resolve()} && python -m nbgrader autograde <assignment> (it reuses these reports)")
    return 0


def gradescope_bundle(args) -> int:
    from grader.integrations.gradescope import build_bundle

    try:
        bundle = build_bundle(Path(args.file), args.with_data, args.assignment, args.dependencies)
    except mnist.MNISTError as error:
        print(f"nn-kit gradescope-bundle --with-data: {error}", file=sys.stderr)
        return 2
    print(f"Gradescope autograder bundle of {args.assignment}: {bundle}" + (" (MNIST included)" if args.with_data else ""))
    return 0


def gradescope_run(args) -> int:
    from grader.integrations.gradescope import run

    metadata = Path(args.metadata) if args.metadata else Path(args.submission).parent / "submission_metadata.json"
    return run(Path(args.submission), Path(args.results), metadata, args.assignment, args.seed, args.dependencies)


def release(args) -> int:
    from grader.course.release import write_release

    try:
        target = write_release(Path(args.directory), tuple(chosen_exercises(args)))
    except FileExistsError as error:
        print(f"nn-kit release: {error}", file=sys.stderr)
        return 2
    print(f"starter repository of {','.join(chosen_exercises(args))} written to {target}: skeletons, self-checks, "
          f"MNIST loader, README, the self-checks' GitHub Actions workflow; no solution and no hidden check")
    return 0


def export(args) -> int:
    from grader.gradebook import lms

    if not (args.out / store.FILE).exists():
        print(f"nn-kit export: {args.out} holds no gradebook: grade into it with nn-kit grade --out first",
              file=sys.stderr)
        return 2
    titles = dict(title.split("=", 1) for title in args.title if "=" in title)
    unknown = [name for name in titles if name not in ASSIGNMENTS] + [t for t in args.title if "=" not in t]
    if unknown:
        print(f"nn-kit export: --title {unknown[0]}: give ASSIGNMENT=TITLE, the assignments being "
              f"{', '.join(ASSIGNMENTS)}", file=sys.stderr)
        return 2
    graded = {name for r in store.latest(args.out) for name, e in r["exercises"].items() if e["possible"]}
    idle = [name for name in titles if not graded & set(ASSIGNMENTS[name])]
    if idle:
        print(f"nn-kit export: --title {idle[0]}=…: {args.out} grades none of {idle[0]}'s exercises "
              f"(it grades {', '.join(sorted(graded))})", file=sys.stderr)
        return 2
    written = lms.write(args.out, args.lms, titles, args.per_exercise)
    print(f"{written['path']}: {written['rows']} student(s), in the columns {args.lms.title()} imports")
    if written["blank"]:
        print(f"left blank (needs attention or grader fault; no score is imported): "
              f"{printable(', '.join(written['blank']))}")
    if written["unmatched"]:
        print(f"without the id {args.lms.title()} matches on ({', '.join(lms.MATCHED_BY_SHOWN[args.lms])}; give --roster "
              f"when grading): {printable(', '.join(written['unmatched']))}")
    return 0


def graded_student(out: Path, given: str, command: str) -> str | None:
    """The gradebook's name of the student the instructor named (exactly, in any case, or by the
    roster's login, LMS id, SIS id, email or full name); None, saying who there is, if no one."""
    graded = sorted({g["student"] for g in store.history(out)}) if (out / store.FILE).exists() else []
    if given in graded:
        return given
    key = given.strip().casefold()
    matches = {s for s in graded if s.casefold() == key} | {
        row["student"] for row in store.roster(out) if row["student"] in graded
        and key in {str(row.get(k, "")).strip().casefold() for k in (*store.IDENTITIES, "student") if row.get(k)}}
    if len(matches) == 1:
        return matches.pop()
    shown = ", ".join(printable(s) for s in graded[:12]) + (" …" if len(graded) > 12 else "")
    print(f"nn-kit {command}: {'several students match' if matches else 'no graded student is'} "
          f"{printable(given)} in {out}" + (f"; the students: {shown}" if graded else ""), file=sys.stderr)
    return None


def override(args) -> int:
    from grader.gradebook import exports, overrides

    if (args.points is None) == (not args.remove):
        print("nn-kit override: give the points, or --remove", file=sys.stderr)
        return 2
    if not (args.out / store.FILE).exists():
        print(f"nn-kit override: {args.out} holds no gradebook", file=sys.stderr)
        return 2
    args.student = graded_student(args.out, args.student, "override")
    if args.student is None:
        return 2
    try:
        report = overrides.set_override(args.out, args.student, args.check, args.points, args.comment)
    except ValueError as error:
        print(f"nn-kit override: {printable(str(error))}", file=sys.stderr)
        return 2
    exports.write_files(report, args.out)
    exports.write_class(args.out)
    kept = "" if args.remove else "kept across regrades until removed; "
    print(f"{printable(args.student)}: {printable(args.check)} "
          f"{'override removed' if args.remove else f'set to {args.points:g} points'}; now {report['score']['earned']:g} "
          f"of {report['score']['possible']} ({kept}nn-kit history {shlex.quote(printable(args.student))})")
    return 0


def history(args) -> int:
    student = graded_student(args.out, args.student, "history")
    if student is None:
        return 2
    gradings = [g for g in store.history(args.out) if g["student"] == student]
    print(f"{printable(student)}: {len(gradings)} grading(s)")
    lines = [(g["graded_at"], f"seed {g['seed']}  {g['earned']:g} of {g['possible']:g}  dependencies: "
              f"{g['dependencies']}{'' if g['complete'] else '  (grader fault: incomplete)'}") for g in gradings]
    for o in store.override_history(args.out, student):
        what = "removed" if o["points"] is None else f"{o['points']:g} points"
        lines.append((o["at"], f"override {printable(o['check_id'].split('::')[-1])}: {what}"
                      + (f" ({printable(o['comment'])})" if o["comment"] else "")))
    for at, line in sorted(lines, key=lambda entry: entry[0]):  # one timeline, oldest first
        print(f"  {at}  {line}")
    return 0


def starter_workflow(_args) -> int:
    from grader.course.workflow import starter_workflow as workflow

    print(workflow(), end="")
    return 0


def classroom50_bundle(args) -> int:
    from grader.integrations.classroom50 import build_bundle

    exercises = chosen_exercises(args)
    problem = unknown_exercises(args)
    if not re.fullmatch(r"[A-Za-z0-9][\w.-]*", args.slug):
        problem = f"--slug {args.slug!r}: an assignment's slug is letters, digits, '.', '_' and '-'"
    elif (args.directory / args.slug).exists():
        problem = f"{args.directory / args.slug} exists"
    if problem:
        print(f"nn-kit classroom50-bundle: {problem}", file=sys.stderr)
        return 2
    bundle = build_bundle(args.directory, args.slug, tuple(exercises), args.dependencies)
    print(f"Classroom 50 autograder bundle of {','.join(exercises)}: {bundle} (the folder "
          f"<classroom>/autograders/{args.slug}/ of the classroom's config repository)")
    return 0


def classroom50_run(args) -> int:
    from grader.integrations.classroom50 import run

    return run(Path(args.submission), args.out, tuple(chosen_exercises(args)), dependencies=args.dependencies)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="nn-kit", description="Neural networks with TensorFlow: the exercise kit.")
    commands = parser.add_subparsers(dest="command", required=True)
    setup = commands.add_parser("setup", help="provide MNIST, then grade the reference solutions and the skeletons")
    setup.set_defaults(submissions=[str(KIT / "solutions"), str(KIT / "exercises")])
    setup.add_argument("--mnist", type=Path, default=None,
                       help="a copy of mnist.npz to check and copy into the kit (default: data/mnist.npz, then "
                            "../shared/data/mnist.npz, then a download)")
    graded = commands.add_parser("grade", help="grade submissions with the hidden suites")
    graded.add_argument("submissions", nargs="+", help="a directory or .zip of modules, or a folder of them")
    setup.set_defaults(out=None)
    graded.add_argument("--out", type=os.path.abspath, default="reports",
                        help="where reports go (default: reports/ in the current folder, never inside the kit)")
    graded.add_argument("--roster", type=Path, default=None,
                        help="a CSV of the class: Canvas's gradebook export, Moodle's participants, or a column "
                             "student, login, username, name, email or id (else the first); names the submissions "
                             "of LMS downloads, lists who submitted nothing, gives the LMS exports their ids")
    graded.add_argument("--assignment", choices=[*ASSIGNMENTS, "all"], default=CORE,
                        help=f"the assignment graded, out of 100 (default {CORE}; all: every exercise together)")
    graded.add_argument("--regrade", action="store_true", help="grade again the submissions of a class already "
                        "graded into --out with its seed and unchanged since (kept by default: a rerun continues)")
    graded.add_argument("--shard", default=None, metavar="I/N",
                        help="grade only shard I of N of the class (with the class's --seed), one per machine; "
                             "then nn-kit merge (see the instructor guide)")
    graded.add_argument("--exercises", type=exercise_list,
                        default=None, help="grade only these exercises, comma-separated (an assignment that covers "
                        f"part of the course); the exercises: {','.join(EXERCISES)}")
    setup.set_defaults(exercises=list(EXERCISES))
    for command in (setup, graded):
        command.add_argument("--jobs", type=int, default=1, help="submissions graded at once")
        command.add_argument("--seed", type=int, default=None, help="grading seed (default: random, recorded)")
        command.add_argument("--worker-uid", type=int, default=None,
                             help=f"as root, workers run as the first free uid from this one; default {DEFAULT_WORKER_UID}")
        command.add_argument("--call-timeout", type=float, default=30.0, help="seconds per call into student code")
        command.add_argument("--allow-process-level", action="store_true",
                             help="grade even where only the process level is available (trusted code only)")
        command.set_defaults(run=grade)
    course = commands.add_parser("nbgrader-course", help="write an nbgrader course graded by the isolated grader")
    course.add_argument("directory")
    course.add_argument("--seed", type=int, default=None,
                        help="grading seed of the course (default: random, written into its config)")
    course.set_defaults(run=nbgrader_course)
    ahead = commands.add_parser("nbgrader-pregrade", help="grade an nbgrader course's submitted/ folder in "
                                "parallel, so that nbgrader autograde only fills in the results")
    ahead.add_argument("course")
    ahead.add_argument("--jobs", type=int, default=2, help="submissions graded at once")
    ahead.set_defaults(run=nbgrader_pregrade)
    bundle = commands.add_parser("gradescope-bundle", help="write a Gradescope autograder zip")
    bundle.add_argument("file")
    bundle.add_argument("--with-data", action="store_true",
                        help="include the kit's verified MNIST (for an autograder built without internet)")
    bundle.set_defaults(run=gradescope_bundle)
    run = commands.add_parser("gradescope-run", help="grade one submission into Gradescope's results.json")
    for command in (bundle, run):
        command.add_argument("--assignment", choices=list(ASSIGNMENTS), default=CORE,
                             help=f"the assignment graded (default {CORE}); one Gradescope assignment each")
    run.add_argument("submission")
    run.add_argument("results")
    run.add_argument("--seed", type=int, default=None,
                     help="default: derived from the assignment and the students in submission_metadata.json")
    run.add_argument("--metadata", default=None, help="Gradescope's submission_metadata.json (default: beside "
                     "the submission folder)")
    run.set_defaults(run=gradescope_run)
    c50_bundle = commands.add_parser("classroom50-bundle", help="write a Classroom 50 autograder bundle folder")
    c50_bundle.add_argument("directory", type=Path, help="the classroom's autograders/ folder (or any folder)")
    c50_bundle.add_argument("--slug", required=True, help="the Classroom 50 assignment's slug: the bundle's folder name")
    c50_bundle.set_defaults(run=classroom50_bundle)
    c50_run = commands.add_parser("classroom50-run", help="grade one checkout into Classroom 50's result.json")
    c50_run.add_argument("submission")
    c50_run.add_argument("--out", type=Path, required=True, help="where result.json and release-body.md go")
    c50_run.set_defaults(run=classroom50_run)
    for command in (c50_bundle, c50_run):
        command.add_argument("--assignment", choices=[*ASSIGNMENTS, "all"], default=CORE,
                             help=f"the assignment graded (default {CORE})")
        command.add_argument("--exercises", type=exercise_list,
                             default=None, help="only these exercises, comma-separated")
    for command in (graded, bundle, run, c50_bundle, c50_run):
        command.add_argument("--dependencies", choices=["own", "reference"], default="own",
                             help="own (default): a task is graded with the student's own tasks it uses, so a wrong "
                                  "task also costs the checks of the tasks that use it; reference: a check that fails "
                                  "where a task it uses fails is graded again with the reference's functions of those "
                                  "(each task on its own; needs the namespaces isolation layer)")
    exported = commands.add_parser("export", help="write the gradebook's latest grades as the CSV an LMS imports")
    exported.add_argument("lms", choices=["canvas", "moodle"])
    exported.add_argument("--out", type=Path, default=Path("reports"), help="the graded class's folder (default: reports)")
    exported.add_argument("--title", action="append", default=[], metavar="ASSIGNMENT=TITLE",
                          help="the LMS's column of an assignment, e.g. nn-tf='Neural networks (48213)' for "
                               "Canvas's existing assignment 48213 (default: the assignment's name: a new one)")
    exported.add_argument("--per-exercise", action="store_true", help="a column per exercise too")
    exported.set_defaults(run=export)
    overridden = commands.add_parser("override", help="set the points of one check of one student, with a comment "
                                     "(kept in the gradebook across regrades)")
    overridden.add_argument("student")
    overridden.add_argument("check", help="the check's name (e.g. test_descend_random) or full id")
    overridden.add_argument("points", type=float, nargs="?", default=None)
    overridden.add_argument("--comment", default="", help="why (shown to the student in the check's message)")
    overridden.add_argument("--remove", action="store_true", help="remove the check's override")
    shown = commands.add_parser("history", help="a student's gradings and overrides, oldest first")
    shown.add_argument("student")
    for command in (overridden, shown):
        command.add_argument("--out", type=Path, default=Path("reports"), help="the graded class's folder (default: reports)")
    overridden.set_defaults(run=override)
    shown.set_defaults(run=history)
    merged = commands.add_parser("merge", help="merge the gradebooks of a class's shards (grade --shard) into one")
    merged.add_argument("shards", nargs="+", type=Path, help="the shards' --out folders")
    merged.add_argument("--out", type=Path, required=True, help="the class's folder the merge is written to")
    merged.set_defaults(run=merge)
    commands.add_parser("starter-workflow", help="print the starter repository's GitHub Actions workflow of the "
                        "visible self-checks").set_defaults(run=starter_workflow)
    again = commands.add_parser("reproduce", help="rerun the thesis' evaluation chapter (Figs. 17–20) beside its "
                                "numbers, with the thesis' protocol and a fresh model per fold")
    reproduce.add_arguments(again)
    again.set_defaults(run=reproduce.run)
    starter = commands.add_parser("release", help="write the students' starter repository (no answers in it)")
    starter.add_argument("directory")
    starter.add_argument("--assignment", choices=[*ASSIGNMENTS, "all"], default="all",
                         help="the assignment whose exercises it holds (default: all)")
    starter.set_defaults(run=release, exercises=None)
    args = parser.parse_args(argv)
    if getattr(args, "out", None) is not None:
        args.out = Path(args.out)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())

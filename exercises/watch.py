"""Watch mode: keep TensorFlow loaded and run an exercise's self-checks again each time you save it.

    python -m exercises.watch              # every exercise: the one whose file you save is checked
    python -m exercises.watch perceptron   # only this exercise

Started once, it pays TensorFlow's start-up once; then saving `exercises/<exercise>.py` runs that
exercise's self-checks (as `pytest exercises/ -m <exercise>` does) in this process, with your
latest code of every exercise, and prints the verdict and how long it took from the save. Stop it
with Ctrl-C.
"""

import argparse
import linecache
import os
import sys
import time
from pathlib import Path

import pytest

from exercises import EXERCISES

FOLDER = Path(__file__).resolve().parent
POLL_SECONDS = 0.2


def _stamps(names) -> dict[str, int]:
    found = {}
    for name in names:
        try:
            found[name] = (FOLDER / f"{name}.py").stat().st_mtime_ns
        except OSError:
            pass
    return found


def check(exercise: str) -> int:
    """Run one exercise's self-checks on the latest saved code of every exercise; pytest's exit code."""
    package = os.environ.get("KIT_TARGET", "exercises")
    for name in [m for m in sys.modules if m.startswith(f"{package}.") and m.rpartition(".")[2] in EXERCISES]:
        del sys.modules[name]  # (an exercise imports earlier ones: all of them are read again)
    linecache.clearcache()  # tf.function's AutoGraph reads a function's source: the saved one, not a cached one
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # only the plugins the self-checks use, by name
    return int(pytest.main([str(FOLDER / f"test_{exercise}.py"), "-q", "--no-header", "-p", "pytest_timeout",
                            "-p", "no:cacheprovider", "-p", "no:unraisableexception"]))  # (its gc.collect()s: ~1 s a run)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m exercises.watch", description=__doc__.splitlines()[0])
    parser.add_argument("exercise", nargs="?", choices=EXERCISES, help="watch only this exercise")
    args = parser.parse_args(argv)
    watched = [args.exercise] if args.exercise else [e for e in EXERCISES if (FOLDER / f"test_{e}.py").exists()]
    seen = _stamps(watched)
    print(f"watching {', '.join(f'{e}.py' for e in watched)}: save one to check it (Ctrl-C stops)", flush=True)
    if args.exercise:
        check(args.exercise)
    try:
        while True:
            time.sleep(POLL_SECONDS)
            now = _stamps(watched)
            for exercise in [e for e in watched if now.get(e) != seen.get(e)]:
                saved = now.get(exercise, 0) / 1e9
                print(f"\n=== {exercise}.py saved: its self-checks ===", flush=True)
                code = check(exercise)
                print(f"=== {exercise}: {'every check passes' if code == 0 else 'see above'}; verdict "
                      f"{time.time() - saved:.1f} s after the save ===", flush=True)
            seen = now
    except KeyboardInterrupt:
        print("\nstopped watching")
        return 0


if __name__ == "__main__":
    sys.exit(main())

"""Write what students get that is made from the kit's sources, never kept twice: the skeletons
(from solutions/) and copies of the judges, their hints, the notebook reader and the load-aware clock.

    python -m grader.course.generate           # writes exercises/
    python -m grader.course.generate --check   # exits 1 if exercises/ is out of date
"""

import argparse
import sys
from pathlib import Path

from grader.catalogue import KIT, VISIBLE
from grader.course.skeleton import skeletons

COPIES = {  # a source of the kit → its students' copy
    KIT / "grader" / "scoring" / "judges.py": VISIBLE / "selfcheck.py",
    KIT / "grader" / "scoring" / "hints.toml": VISIBLE / "hints.toml",
    KIT / "grader" / "isolation" / "cells.py": VISIBLE / "cells.py",
    KIT / "grader" / "isolation" / "loadclock.py": VISIBLE / "loadclock.py",
}


def copy_of(source: Path) -> str:
    """The students' copy of a source: the source, under a line that says where it comes from."""
    return (f"# Generated from {source.relative_to(KIT).as_posix()} by `python -m grader.course.generate`: "
            f"edit that file, not this one.\n") + source.read_text(encoding="utf-8")


def generated() -> dict[Path, str]:
    """exercises/ path → the text it must have."""
    return {**skeletons(), **{copy: copy_of(source) for source, copy in COPIES.items()}}


def stale() -> list[Path]:
    """exercises/ files that differ from what the kit's sources give."""
    return [p for p, text in generated().items() if not p.exists() or p.read_text(encoding="utf-8") != text]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.course.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that exercises/ is up to date")
    args = parser.parse_args(argv)
    if args.check:
        out_of_date = stale()
        for path in out_of_date:
            print(f"out of date: {path.relative_to(KIT)} (run `python -m grader.course.generate`)")
        return 1 if out_of_date else 0
    for path, text in generated().items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(KIT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Find submissions and stage their module files safely.

A submission is a directory holding the exercise modules (perceptron.py, mlp.py, …, directly or
in an `exercises/` folder), or a .zip of one. A directory holding no modules but sub-directories
or zips is a class: one submission per entry. Only regular files named after an exercise module
are taken; anything else (symlinks, paths that leave the zip, oversized files) is left out with a
warning in the report.
"""

import shutil
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from solutions import EXERCISES

MODULES = {f"{name}.py" for name in EXERCISES}
MAX_FILE_BYTES = 2 * 2**20


@dataclass
class Submission:
    name: str
    source: Path
    warnings: list[str] = field(default_factory=list)


def _holds_modules(path: Path) -> bool:
    return any((path / name).exists() or (path / "exercises" / name).exists() for name in MODULES)


def find(paths) -> list[Submission]:
    """The submissions named by the paths (each a submission or a class of them), sorted by name."""
    found = []
    for path in map(Path, paths):
        if path.is_dir() and not _holds_modules(path) and any(path.iterdir()):
            found += [Submission(p.stem if p.suffix == ".zip" else p.name, p) for p in sorted(path.iterdir())
                      if p.is_dir() or p.suffix == ".zip"]
        else:
            found.append(Submission(path.stem if path.suffix == ".zip" else path.name, path))
    names = [s.name for s in found]
    for submission in found:
        if names.count(submission.name) > 1:
            submission.name = f"{submission.name}-{zlib.crc32(str(submission.source).encode()):08x}"
    return sorted(found, key=lambda s: s.name)


def stage(submission: Submission, target: Path) -> Path:
    """Copy the submission's module files into `target` (a new directory); returns it."""
    target.mkdir(parents=True)
    source = submission.source
    if source.suffix == ".zip" and source.is_file():
        _stage_zip(submission, target)
    elif source.is_dir():
        folder = source / "exercises" if (source / "exercises").is_dir() and not any(
            (source / m).exists() for m in MODULES) else source
        for name in sorted(MODULES):
            _stage_file(submission, folder / name, target)
    else:
        submission.warnings.append(f"{source.name}: neither a directory nor a .zip file")
    if not any(target.iterdir()):
        submission.warnings.append("no exercise module was found (expected files such as perceptron.py)")
    return target


def _stage_file(submission: Submission, path: Path, target: Path) -> None:
    if path.is_symlink():
        submission.warnings.append(f"{path.name}: a symbolic link, left out")
    elif path.is_file():
        if path.stat().st_size > MAX_FILE_BYTES:
            submission.warnings.append(f"{path.name}: larger than {MAX_FILE_BYTES} bytes, left out")
        else:
            shutil.copyfile(path, target / path.name)


def _stage_zip(submission: Submission, target: Path) -> None:
    try:
        archive = zipfile.ZipFile(submission.source)
    except (zipfile.BadZipFile, OSError) as error:
        submission.warnings.append(f"{submission.source.name}: not a readable zip ({error})")
        return
    with archive:
        for info in archive.infolist():
            name = PurePosixPath(info.filename.replace("\\", "/"))
            if info.is_dir():
                continue
            if name.is_absolute() or ".." in name.parts:
                submission.warnings.append(f"{info.filename}: a path that leaves the submission, left out")
            elif stat.S_ISLNK(info.external_attr >> 16):
                submission.warnings.append(f"{info.filename}: a symbolic link, left out")
            elif name.name in MODULES and not (target / name.name).exists():
                if info.file_size > MAX_FILE_BYTES:
                    submission.warnings.append(f"{info.filename}: larger than {MAX_FILE_BYTES} bytes, left out")
                    continue
                try:
                    data = archive.read(info)
                except Exception as error:  # a corrupt member
                    submission.warnings.append(f"{info.filename}: unreadable ({error})")
                    continue
                (target / name.name).write_bytes(data[:MAX_FILE_BYTES])

"""Find submissions and stage their module files, treating every folder and archive as hostile.

A submission is a folder (or a .zip of one) holding the exercise modules (perceptron.py, …, or
notebooks perceptron.ipynb, …), directly or in the shallowest sub-folder that holds any, e.g.
`exercises/` or the wrapper folder of an LMS download; `__MACOSX` and hidden folders are ignored.
A folder holding no modules but sub-folders or zips is a class: one submission per entry.

The student's own modules beside the exercise modules (helpers.py) are staged with them. Staging
never follows a link: every path component is opened with O_NOFOLLOW relative to its parent, only regular files with one link and at most MAX_FILE_BYTES are copied, and zip members
whose names leave the archive, hold control characters or are links are left out. What is left
out is named in the report's warnings.
"""

import json
import os
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader.catalogue import EXERCISES
from grader.isolation import downloads
from grader.isolation.cells import module_source
from grader.text import printable

SOURCES = {f"{name}{suffix}" for name in EXERCISES for suffix in (".py", ".ipynb")}
MAX_FILE_BYTES = 2 * 2**20
MAX_DEPTH = 3
MAX_WARNINGS = 50  # what one submission's report keeps of what staging found
MAX_DIRECTORY_BYTES = 16 * 2**20  # a zip's central directory: what zipfile reads (and holds) before anything else
MAX_HELPERS = 20  # modules of the student's own beside the exercises (helpers.py, …) that are staged too
MAX_ENTRIES = 100_000  # entries looked at (a student's folder of 50,000 images is searched whole)
IGNORED = ("__MACOSX", "__pycache__")


@dataclass
class Submission:
    name: str
    source: Path
    warnings: list[str] = field(default_factory=list)  # for the student: what staging left out or found
    attention: list[str] = field(default_factory=list)  # why its score is not a graded one (nothing read)
    link: bool = False  # a class entry that is a link: nothing of it is read
    capped: bool = False  # staging stopped looking after MAX_ENTRIES entries
    within: Path | None = None  # the class folder it was found in (None: it was named itself)
    files: dict[str, Path] | None = None  # an LMS's flat files of this student: the file's own name → its path
    origin: dict = field(default_factory=dict)  # what the LMS says of it: lms, id, name, late, submitted_at

    def warn(self, text: str) -> None:
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(printable(text)[:300])
        elif len(self.warnings) == MAX_WARNINGS:
            self.warnings.append("… and more (only the first warnings are kept)")

    def needs_attention(self, text: str) -> None:
        self.attention.append(printable(text))


def _ignored(name: str) -> bool:
    return name in IGNORED or name.startswith(".")


def _kind(entry: Path) -> str | None:
    """What a class folder's entry is, without following it: 'link', 'folder', 'zip' or None."""
    try:
        mode = entry.lstat().st_mode
    except OSError:
        return None
    if _ignored(entry.name) or entry.suffix not in ("", ".zip") and not stat.S_ISDIR(mode):
        return None
    if stat.S_ISLNK(mode):
        return "link"
    return "folder" if stat.S_ISDIR(mode) else "zip" if stat.S_ISREG(mode) else None


def _is_class(path: Path) -> bool:
    """A folder of submissions: no modules at its top or in exercises/, and more than one folder or
    zip (one folder alone is the wrapper of a single submission), or an LMS's flat files."""
    if not path.is_dir() or any(os.path.lexists(path / name) or os.path.lexists(path / "exercises" / name)
                                for name in SOURCES):
        return False
    entries = list(path.iterdir())
    kinds = [_kind(p) for p in entries]
    return len([k for k in kinds if k]) > 1 or "zip" in kinds or bool(_flat_files(entries))


def _flat_files(entries: list[Path]) -> list[Path]:
    """The regular files among a folder's entries that an LMS download names per student."""
    return [p for p in entries if (downloads.CANVAS.fullmatch(p.name) or downloads.BLACKBOARD.fullmatch(p.name))
            and stat.S_ISREG(p.lstat().st_mode)]


def _downloaded(path: Path, entries: list[Path]) -> list[Submission]:
    """The submissions of an LMS's flat files in a class folder (Canvas's, Blackboard's)."""
    found = []
    for lms, students in (("canvas", downloads.canvas(entries)), ("blackboard", downloads.blackboard(entries))):
        for user, student in students.items():
            origin = {"lms": lms, "id": user, "name": printable(student["name"]),
                      "late": "yes" if student.get("late") else "", "submitted_at": student.get("submitted_at", "")}
            found.append(Submission(printable(student["name"]), path / f"{lms}-{user}", within=path,
                                    files=student["files"], origin=origin))
    return found


# names of the class's own outputs (reports/), which no student's folder may take
RESERVED = {"gradebook.csv", "gradebook.sqlite", "class.json", "histogram.png", "checks.csv", "checks.png"}


def find(paths, roster: list[dict] = ()) -> list[Submission]:
    """The submissions named by the paths (each a submission or a class of them), sorted by name,
    each named as the roster names its student (see `identify`). A name is printable text (see
    `printable`); a name two submissions share, or one of the class's outputs, gets a suffix of its
    path's hash."""
    found = []
    for given in map(Path, paths):
        path = given.resolve()  # what the instructor names may be a link; what it holds is never followed
        if _is_class(path):
            entries = sorted(path.iterdir())
            flat = _flat_files(entries)
            found += _downloaded(path, flat)
            files_of = {m["id"] for m in map(downloads.moodle, entries) if m and m["plugin"] == "file"}
            for entry in entries:
                kind = _kind(entry) if entry not in flat else None
                moodle = downloads.moodle(entry) if kind == "folder" else None
                if moodle and moodle["plugin"] != "file" and moodle["id"] in files_of:
                    continue  # the online text beside a student's files (Moodle): not a submission of its own
                if kind:
                    moodle = moodle and {k: v for k, v in moodle.items() if k != "plugin"}
                    name = moodle["name"] if moodle else entry.stem if entry.suffix == ".zip" else entry.name
                    submission = Submission(printable(name), entry, link=kind == "link", within=path,
                                            origin={"lms": "moodle", **moodle} if moodle else {})
                    if submission.link:
                        submission.warn(f"{entry.name}: a symbolic link, left out")
                        submission.needs_attention("the class entry is a symbolic link: nothing of it was read")
                    found.append(submission)
        else:
            found.append(Submission(printable(given.stem if given.suffix == ".zip" else given.name), path))
    identify(found, roster)
    names = [s.name.casefold() for s in found]
    for submission in found:
        if names.count(submission.name.casefold()) > 1 or submission.name.casefold() in RESERVED:
            submission.name = f"{submission.name}-{zlib.crc32(str(submission.source).encode()):08x}"
    return sorted(found, key=lambda s: s.name)


def identify(submissions: list[Submission], roster: list[dict]) -> None:
    """Name each submission as the roster (store.read_roster's rows) names its student: by the LMS's
    id in the download, else by its name being the roster's student, name, username or email (case
    aside). Unmatched submissions keep their names, and so do those whose name is the student's in
    another case."""
    by_id = {row["id"]: row["student"] for row in roster if row.get("id")}
    by_name = {row[key].casefold(): row["student"] for row in roster
               for key in ("student", "name", "username", "email") if row.get(key)}
    for submission in submissions:
        user = submission.origin.get("id", "")
        matched = by_id.get(user) or by_name.get(user.casefold()) or by_name.get(submission.name.casefold())
        if matched and matched.casefold() != submission.name.casefold():  # (a name that differs only in case is kept)
            submission.name = printable(matched)


def stage(submission: Submission, target: Path) -> Path:
    """Copy the submission's module files into `target` (a new directory); returns it. Whatever the
    submission holds, this returns: what cannot be read is a warning, and a submission of which
    nothing gradable was read needs the instructor's attention (its zero is not a graded one)."""
    target.mkdir(parents=True)
    source = submission.source
    try:
        if submission.link:
            pass
        elif submission.files is not None:
            _stage_files(submission, target)
        elif source.suffix == ".zip" and source.is_file() and not source.is_symlink():
            _stage_zip(submission, target)
        elif source.is_dir():
            _stage_folder(submission, target)
            only = [p for p in source.iterdir() if p.suffix.lower() == ".zip" and stat.S_ISREG(p.lstat().st_mode)]
            if not any(target.iterdir()) and len(only) == 1:  # a folder holding only the student's zip (Moodle)
                _stage_zip(submission, target, only[0])
        else:
            submission.warn(f"{source.name}: neither a folder nor a .zip file")
    except Exception as error:  # noqa: BLE001  (one submission's oddity must never stop its class)
        submission.needs_attention(f"could not be read ({type(error).__name__}: {str(error)[:200]})")
        for path in target.iterdir():
            path.unlink()
    if not any(target.iterdir()) and not submission.attention:
        looked = (f"looked for {', '.join(sorted(f'{m}.py' for m in EXERCISES))} or .ipynb notebooks, at its top "
                  f"and in sub-folders up to {MAX_DEPTH} deep")
        submission.warn(f"no exercise module was found in {source.name} ({looked})")
        submission.needs_attention("nothing gradable was found in it" + (
            f" (the search stopped at {MAX_ENTRIES} entries: {source.name} holds more)" if submission.capped else ""))
    return target


def _choose(candidates: dict[str, set], submission: Submission) -> str | None:
    """The shallowest folder (relative, '' for the top) that holds exercise modules."""
    if not candidates:
        return None
    depth = min(folder.count("/") + bool(folder) for folder in candidates)
    shallowest = sorted(f for f in candidates if f.count("/") + bool(f) == depth)
    if len(shallowest) > 1:
        submission.warn(f"several folders hold exercise modules ({', '.join(shallowest)}); graded {shallowest[0]}")
    return shallowest[0]


# --- folders ----------------------------------------------------------------------------------


def _open_dir(name, dir_fd=None) -> int:
    return os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)


def _locate_in_folder(submission: Submission) -> list[str] | None:
    """Path components (from its root) of the folder to grade, or None; links are never entered, and
    a folder that cannot be opened is named in a warning."""
    candidates, seen = {}, 0

    def walk(fd: int, parts: list[str]) -> None:
        nonlocal seen
        names = []
        with os.scandir(fd) as entries:
            for entry in entries:
                seen += 1
                if seen > MAX_ENTRIES:
                    submission.capped = True
                    break
                if entry.is_symlink() and entry.name not in SOURCES:
                    submission.warn(f"{'/'.join([*parts, entry.name])}: a symbolic link, left out")
                elif entry.name in SOURCES or entry.is_dir(follow_symlinks=False):  # all else: never kept
                    names.append((entry.name, entry.is_dir(follow_symlinks=False)))
        modules = {name for name, is_dir in names if not is_dir and name in SOURCES}
        if modules:
            candidates["/".join(parts)] = modules
        if len(parts) < MAX_DEPTH and not submission.capped:
            for name, is_dir in sorted(names):
                if is_dir and not _ignored(name):
                    try:
                        child = _open_dir(name, dir_fd=fd)
                    except OSError as error:
                        submission.warn(f"{'/'.join([*parts, name])}/: could not be opened ({error.strerror})")
                        continue
                    try:
                        walk(child, [*parts, name])
                    finally:
                        os.close(child)

    try:
        top = _open_dir(submission.source)
    except OSError as error:
        submission.needs_attention(f"could not be read ({error.strerror})")
        return None
    try:
        walk(top, [])
    finally:
        os.close(top)
    if submission.capped:
        submission.warn(f"only the first {MAX_ENTRIES} entries were searched for exercise modules")
    chosen = _choose(candidates, submission)
    return None if chosen is None else [p for p in chosen.split("/") if p]


def _stage_folder(submission: Submission, target: Path) -> None:
    parts = _locate_in_folder(submission)
    if parts is None:
        return
    fd = _open_dir(submission.source)
    try:
        for part in parts:
            child = _open_dir(part, dir_fd=fd)
            os.close(fd)
            fd = child
        helpers = sorted(name for name in os.listdir(fd) if helper(name))
        for name in sorted(SOURCES) + helpers[:MAX_HELPERS]:
            data = _read_regular(fd, name, submission)
            if data is not None:
                _write(target, name, data, submission)
        if len(helpers) > MAX_HELPERS:
            submission.warn(f"only {MAX_HELPERS} of its {len(helpers)} other modules were kept")
    finally:
        os.close(fd)


def helper(name: str) -> bool:
    """A module of the student's own beside the exercises (helpers.py): staged with them."""
    return name.endswith(".py") and name[:-3].isidentifier() and name not in SOURCES and name != "__init__.py"


def _read_regular(dir_fd: int, name: str, submission: Submission) -> bytes | None:
    """The bytes of dir_fd/name if it is a regular file with one link and a sane size, else None."""
    try:
        info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(info.st_mode):
        submission.warn(f"{name}: a symbolic link, left out")
        return None
    if not stat.S_ISREG(info.st_mode):
        submission.warn(f"{name}: not a regular file, left out")
        return None
    if info.st_nlink != 1:
        submission.warn(f"{name}: a file with {info.st_nlink} hard links, left out")
        return None
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dir_fd)
    except OSError as error:  # e.g. a file of mode 000, as `unzip` restores one
        submission.warn(f"{name}: could not be read ({error.strerror}), left out")
        return None
    try:
        opened = os.fstat(fd)
        if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino) or not stat.S_ISREG(opened.st_mode):
            submission.warn(f"{name}: changed while it was read, left out")
            return None
        data = os.read(fd, MAX_FILE_BYTES + 1)
    except OSError as error:
        submission.warn(f"{name}: could not be read ({error.strerror}), left out")
        return None
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        submission.warn(f"{name}: larger than {MAX_FILE_BYTES} bytes, left out")
        return None
    return data


def _write(target: Path, name: str, data: bytes, submission: Submission) -> None:
    """Write a module, or the module a notebook stands for (a .py beside it wins)."""
    if name.endswith(".py"):
        (target / name).write_bytes(data)
        return
    module = target / name.replace(".ipynb", ".py")
    if module.exists():
        return
    try:  # read as JSON of any shape: what a notebook holds of code is its code cells' sources
        module.write_text(module_source(json.loads(data.decode("utf-8"))), encoding="utf-8")
    except Exception as error:  # noqa: BLE001  (not JSON, too deep, not UTF-8: one notebook never stops the rest)
        submission.warn(f"{name} is not a readable notebook ({type(error).__name__}); graded as not done")


# --- zips -------------------------------------------------------------------------------------


def _member_problem(info: zipfile.ZipInfo) -> str:
    name = info.orig_filename  # zipfile cuts names at a NUL: "speed.py\0.txt" would read as speed.py
    if not name or any(ord(c) < 32 or ord(c) == 127 for c in name):
        return "a name with control characters"
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts:
        return "a path that leaves the submission"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "a symbolic link"
    return ""


def _directory_size(path: Path) -> int:
    """The size of a zip's central directory, read from its end record (the zip64 one if there is
    one) without parsing the directory: zipfile would hold an object per member."""
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        end = handle.tell()
        handle.seek(max(0, end - 65557))
        tail = handle.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        raise zipfile.BadZipFile("no end of central directory")
    size = int.from_bytes(tail[at + 12: at + 16], "little")
    locator = tail.rfind(b"PK\x06\x07", 0, at)
    if size == 0xFFFFFFFF and locator >= 0:  # zip64: the size is in the zip64 end record the locator points to
        with open(path, "rb") as handle:
            handle.seek(int.from_bytes(tail[locator + 8: locator + 16], "little"))
            record = handle.read(56)
        size = int.from_bytes(record[40:48], "little")
    return size


def _stage_files(submission: Submission, target: Path) -> None:
    """An LMS's flat files of one student: the modules by their own names, a zip by its contents."""
    for name, path in sorted(submission.files.items()):
        if name.lower().endswith(".zip"):
            _stage_zip(submission, target, path)
            continue
        if name not in SOURCES and not helper(name):
            continue
        folder = _open_dir(path.parent)
        try:
            data = _read_regular(folder, path.name, submission)
        finally:
            os.close(folder)
        if data is not None:
            _write(target, name, data, submission)


def _stage_zip(submission: Submission, target: Path, path: Path | None = None) -> None:
    path = path or submission.source
    try:
        if _directory_size(path) > MAX_DIRECTORY_BYTES:
            raise zipfile.BadZipFile(f"a central directory of more than {MAX_DIRECTORY_BYTES} bytes")
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        submission.warn(f"{path.name}: not a readable zip ({error})")
        submission.needs_attention(f"{path.name} is not a readable zip ({error})")
        return
    with archive:
        members, candidates = {}, {}
        listed = archive.infolist()
        if len(listed) > MAX_ENTRIES:
            submission.capped = True
            submission.warn(f"only the first {MAX_ENTRIES} of the zip's {len(listed)} members were searched")
        for info in listed[:MAX_ENTRIES]:
            parts = PurePosixPath(info.filename).parts
            if not parts or not (parts[-1] in SOURCES or helper(parts[-1])) or info.filename.endswith("/"):
                continue  # not a module (a name that is only a NUL has no parts at all)
            problem = _member_problem(info)
            if problem:
                submission.warn(f"{info.orig_filename!r}: {problem}, left out")
                continue
            folder = "/".join(parts[:-1])
            if len(parts) - 1 > MAX_DEPTH or any(_ignored(p) for p in parts[:-1]):
                continue
            members[(folder, parts[-1])] = info
            if parts[-1] in SOURCES:
                candidates.setdefault(folder, set()).add(parts[-1])
        chosen = _choose(candidates, submission)
        helpers = sorted(name for (folder, name) in members if folder == chosen and helper(name))
        for name in sorted(SOURCES) + helpers[:MAX_HELPERS]:
            info = members.get((chosen, name))
            if info is None:
                continue
            if info.file_size > MAX_FILE_BYTES:
                submission.warn(f"{info.filename}: larger than {MAX_FILE_BYTES} bytes, left out")
                continue
            try:
                with archive.open(info) as member:
                    data = member.read(MAX_FILE_BYTES + 1)
            except Exception as error:  # noqa: BLE001  (a corrupt member: any error zipfile or zlib raises)
                submission.warn(f"{info.filename}: unreadable ({type(error).__name__})")
                continue
            if len(data) > MAX_FILE_BYTES:
                submission.warn(f"{info.filename}: larger than {MAX_FILE_BYTES} bytes, left out")
                continue
            _write(target, name, data, submission)


def seen_folders(submissions) -> tuple[str, ...]:
    """Where the submissions lie (their class folders, or themselves): what no worker may read."""
    return tuple(sorted({str(s.within or s.source) for s in submissions if not s.link}))


def digest(staged: Path) -> str:
    """What was staged, as one SHA-256 of its files' names and bytes: a rerun tells an unchanged
    submission by it."""
    import hashlib

    whole = hashlib.sha256()
    for path in sorted(staged.iterdir()):
        whole.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return whole.hexdigest()

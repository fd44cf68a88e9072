"""What hostile submissions make the trusted side hold is bounded: the peak memory of the grading
process that grades them stays within a margin of one that grades honest submissions, whatever they
return, raise, print or hold in their archives."""

import shutil
import struct
import zipfile
from pathlib import Path

import pytest

from grader.catalogue import KIT
from grader.isolation.staging import find
from grader.scoring.run import Options, grade_all
from grader.scoring.slot import SLOTS
from tests.kit.conftest import UID

pytestmark = pytest.mark.slow

MARGIN = 300 * 2**20  # what hostile submissions may add to an honest class's peak
HUGE = "np.zeros(60 * 2**20, np.uint8)"  # 60 MiB: a reply under the wire's 64 MiB, far larger than expected
HOSTILE = {
    "huge-replies": ("def step_fn(a: float) -> float:", f"import numpy as np\n\n\ndef step_fn(a: float) -> float:\n"
                                                         f"    return {HUGE}\n\n\ndef _unused(a: float) -> float:"),
    "huge-message": ("import tensorflow as tf\n", "import tensorflow as tf\n\n"
                     "error = ValueError('x' * 2**28)\nfor _ in range(10_000):\n"
                     "    try:\n        raise ValueError('y' * 2**16) from error\n"
                     "    except ValueError as chained:\n        error = chained\nraise error\n"),
    "output-flood": ("import tensorflow as tf\n", "import sys\nimport tensorflow as tf\n\n"
                     "for _ in range(256):\n    sys.stdout.write('x' * 2**22)\n    sys.stderr.write('y' * 2**22)\n"),
}


def solutions(folder: Path) -> Path:
    shutil.copytree(KIT / "solutions", folder, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    return folder


def peak_of_a_fresh_slot(cls: Path) -> tuple[int, list[dict]]:
    """(peak resident memory of the one grading process that graded the class, the reports)."""
    while SLOTS.idle:
        SLOTS.idle.pop().close()
    reports = grade_all(find([cls]), Options(seed=3, worker_uid=UID, exercises=("perceptron", "mlp")))
    [slot] = SLOTS.idle
    status = Path(f"/proc/{slot.process.pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))) * 1024, reports


def many_members(path: Path) -> Path:
    """A zip whose end record announces a central directory of 2 GiB (zipfile would read it all)."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("perceptron.py", (KIT / "solutions" / "perceptron.py").read_text())
    data = bytearray(path.read_bytes())
    at = data.rfind(b"PK\x05\x06")
    data[at + 12: at + 16] = struct.pack("<I", 2**31)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.timeout(1200)
def test_hostile_submissions_hold_no_more_of_the_trusted_side_than_honest_ones(tmp_path):
    honest = tmp_path / "honest"
    for name in ("honest-1", "honest-2", "honest-3"):
        solutions(honest / name)
    honest_peak, _ = peak_of_a_fresh_slot(honest)
    hostile = tmp_path / "hostile"
    for name, (old, new) in HOSTILE.items():
        module = solutions(hostile / name) / "perceptron.py"
        assert old in module.read_text()
        module.write_text(module.read_text().replace(old, new, 1))
    many_members(hostile / "zip-directory-of-2-GiB.zip")
    warnings = zipfile.ZipFile(hostile / "many-warnings.zip", "w")
    for i in range(5000):  # 5,000 members named to be left out with a warning each
        member = zipfile.ZipInfo("x")
        member.filename = f"exercises/perceptron.py\0{i}"
        warnings.writestr(member, "")
    warnings.close()
    hostile_peak, reports = peak_of_a_fresh_slot(hostile)
    by_name = {r["student"]: r for r in reports}
    assert by_name["zip-directory-of-2-GiB"]["status"].startswith("needs attention")
    assert len(by_name["many-warnings"]["warnings"]) <= 51
    assert all(len(t["message"]) < 3000 for r in reports for t in r["tests"])
    print(f"\npeak of the grading process: honest class {honest_peak / 2**20:.0f} MiB, "
          f"hostile class {hostile_peak / 2**20:.0f} MiB")
    assert hostile_peak <= honest_peak + MARGIN, (honest_peak, hostile_peak)

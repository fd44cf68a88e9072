"""The one MNIST loader of the kit: finds `mnist.npz`, checks every array against its SHA-256.

MNIST: Y. LeCun, C. Cortes, C. J. C. Burges; CC BY-SA 3.0. The file is looked for at
$KIT_MNIST if set, else at data/mnist.npz in the kit. `python -m data.mnist --from PATH` copies a
local file there; `python -m data.mnist --download` fetches the official file (internet needed).
"""

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
import urllib.request
from pathlib import Path

import numpy as np

DEFAULT_PATH = Path(__file__).resolve().parent / "mnist.npz"
OFFICIAL_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
SHA256 = {
    "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    "y_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
    "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    "y_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
}
HOW_TO_GET_IT = (
    "Give it a copy with `python -m data.mnist --from /path/to/mnist.npz` (checked, then copied to "
    "data/mnist.npz), point $KIT_MNIST at it, or, with internet access, run `python -m data.mnist --download`."
)


class MNISTError(RuntimeError):
    """MNIST is missing or is not the expected data."""


def mnist_path() -> Path:
    """Where the kit looks for mnist.npz: $KIT_MNIST if set, else data/mnist.npz."""
    return Path(os.environ.get("KIT_MNIST") or DEFAULT_PATH)


def _array_hash(array: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


def read_verified(path: Path) -> dict[str, np.ndarray]:
    """The four MNIST arrays of the .npz at `path`, each checked against its SHA-256."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in SHA256}
    except FileNotFoundError:
        raise MNISTError(f"MNIST was not found at {path}. {HOW_TO_GET_IT}") from None
    except Exception as error:  # noqa: BLE001  (a corrupt zip, a missing key, not an .npz at all)
        raise MNISTError(f"{path} is not a readable MNIST .npz ({error}). {HOW_TO_GET_IT}") from None
    wrong = [key for key, digest in SHA256.items() if _array_hash(arrays[key]) != digest]
    if wrong:
        raise MNISTError(f"{path} holds other data than MNIST (hash mismatch in {', '.join(wrong)}). {HOW_TO_GET_IT}")
    return arrays


_VERIFIED: dict = {}  # (file, size, modification time) → its verified arrays, read-only: read once per process


def load_mnist(path=None):
    """((x_train, y_train), (x_test, y_test)) as uint8 arrays, shapes (60000, 28, 28), (60000,),
    (10000, 28, 28), (10000,): the layout of keras.datasets.mnist.load_data(). Fresh copies at every
    call (change them as you like); the file is read and checked once per process while it is unchanged."""
    path = Path(path) if path else mnist_path()
    try:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    except OSError:
        key = None  # read_verified says what is wrong
    if key is None or key not in _VERIFIED:
        arrays = read_verified(path)
        for array in arrays.values():
            array.setflags(write=False)
        _VERIFIED.clear()
        _VERIFIED[key] = arrays
    arrays = {name: array.copy() for name, array in _VERIFIED[key].items()}
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def install(source: Path, target: Path) -> None:
    """Copy a verified MNIST file to `target` (nothing is written if `source` is not MNIST)."""
    read_verified(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.resolve() != target.resolve():
        shutil.copyfile(source, target)


def download(target: Path, url: str = OFFICIAL_URL) -> None:
    """Fetch the official file, check its arrays, and only then move it to `target`."""
    with tempfile.TemporaryDirectory() as scratch:
        fetched = Path(scratch) / "mnist.npz"
        try:
            with urllib.request.urlopen(url, timeout=60) as response, open(fetched, "wb") as out:
                shutil.copyfileobj(response, out)
        except OSError as error:
            raise MNISTError(f"could not download {url} ({error}). {HOW_TO_GET_IT}") from None
        install(fetched, target)


SHARED_COPY = DEFAULT_PATH.parents[2] / "shared" / "data" / "mnist.npz"  # a course checkout's copy, beside the kit


def provide(source: Path | None = None, fetch: bool = False) -> bool:
    """Make sure a verified MNIST is where the kit looks: already there, copied from `source` or from
    the course's shared copy, or (`fetch`) downloaded; says where, or why not; True when it is."""
    target = mnist_path()
    places = [source] if source is not None else [target] + ([SHARED_COPY] if SHARED_COPY.exists() else [])
    problem = None
    for place in places:
        try:
            install(place, target)
        except MNISTError as error:
            problem = error
            continue
        print(f"MNIST: verified at {target}")
        return True
    if fetch and source is None:
        print(f"MNIST: not at {target}; downloading the official file …")
        try:
            download(target)
            print(f"MNIST: verified at {target}")
            return True
        except MNISTError as error:
            problem = error
    print(f"MNIST: {problem}", file=sys.stderr)
    return False


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data.mnist", description="Provide and check MNIST for the kit.")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--from", dest="source", type=Path, help="copy this verified mnist.npz into place")
    group.add_argument("--download", action="store_true", help="download the official file (internet needed)")
    args = parser.parse_args(argv)
    target = mnist_path()
    try:
        if args.source:
            install(args.source, target)
        elif args.download:
            download(target)
        read_verified(target)
    except MNISTError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"MNIST is ready at {target} (all four array hashes match)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

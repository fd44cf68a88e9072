"""Confinement of the grading worker that needs no root: Landlock and Linux namespaces.

`confine` runs in the worker between fork and exec (as `preexec_fn`, after the switch to a worker
uid where there is one). It applies, where the kernel allows each:

- new user, IPC, network and mount namespaces: no System V IPC objects shared with anything else,
  no network at all (only a loopback that is down), a size-limited tmpfs to write in, which
  vanishes with the worker (without Landlock the host's world-writable folders stay writable too),
  and an empty folder mounted over the kit and over the
  folders given as hidden (a class folder, the reports);
- Landlock: the worker may read only the Python installation, the system's programs and libraries
  and a few files of /etc, read its own staged package, and write only in that tmpfs; it may not connect or bind TCP sockets, reach
  abstract Unix sockets or send signals outside its own domain. The kit, the class folder, other
  workers, the reports, /tmp, /run/lock and the /proc of other processes are out of reach.

Written against the kernel's interfaces with ctypes rather than a binding: it must run in a
freshly forked child of a threaded process (nothing but system calls is safe there) and it uses
Landlock's network and scope rights (ABI 4 and 6), which the Python bindings on PyPI did not cover
when this was written. `probe()` says, without side effects, which layers this machine offers.
"""

import ctypes
import functools
import os
import struct
import sys

from grader import catalogue

CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWNET = 0x00020000, 0x08000000, 0x10000000, 0x40000000
MS_NOSUID, MS_NODEV, MS_REC, MS_PRIVATE = 2, 4, 0x4000, 1 << 18
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS = 1, 4, 38
SYS_LANDLOCK_CREATE_RULESET, SYS_LANDLOCK_ADD_RULE, SYS_LANDLOCK_RESTRICT_SELF = 444, 445, 446
LANDLOCK_CREATE_RULESET_VERSION, LANDLOCK_RULE_PATH_BENEATH = 1, 1
# filesystem rights by the ABI version that introduced them
FS_RIGHTS = {1: (1 << 13) - 1, 2: 1 << 13, 3: 1 << 14, 5: 1 << 15}
READ_FILE, READ_DIR, EXECUTE, WRITE_FILE = 1 << 2, 1 << 3, 1 << 0, 1 << 1
NET_BIND_TCP, NET_CONNECT_TCP = 1, 2
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1, 2
# what Python, TensorFlow, Keras and matplotlib read beyond their installation (seen with strace): the
# system's programs and libraries and a few files of /etc, not all of it (nor /opt, /srv, /home)
SYSTEM_READABLE = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc/ld.so.cache", "/etc/ld.so.conf",
                   "/etc/ld.so.conf.d", "/etc/localtime", "/etc/fonts", "/etc/nsswitch.conf", "/etc/passwd",
                   "/etc/group", "/sys/devices/system/cpu", "/proc/cpuinfo", "/proc/meminfo", "/proc/stat",
                   "/proc/self", "/dev/urandom", "/dev/zero")
MS_RDONLY, MS_NOEXEC = 1, 8

KIT = os.path.realpath(catalogue.KIT)
DISTRIBUTION = "nn-tf-kit"
NOT_PACKAGES = (".", "..", "__pycache__")

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def _check(result: int, what: str) -> int:
    if result < 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")
    return result


def landlock_abi() -> int:
    """The Landlock ABI version of this kernel, 0 if there is none."""
    if not sys.platform.startswith("linux"):
        return 0
    version = _libc.syscall(SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0),
                            ctypes.c_uint32(LANDLOCK_CREATE_RULESET_VERSION))
    return max(int(version), 0)


def _fs_rights(abi: int) -> int:
    return sum(bits for version, bits in FS_RIGHTS.items() if abi >= version)


def python_paths() -> list[str]:
    """Where this Python and its packages live (what the worker must be able to read)."""
    import site

    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable)),
             *site.getsitepackages()}
    return sorted(p for p in paths if p and os.path.exists(p))


def kit_paths(search: list[str] | None = None) -> set[str]:
    """The kit and every install of it on the search path: the packages a non-editable install
    copies into site-packages (solutions/, grader/), and the checkout an editable install points to
    (which need not be the one grading): what the worker may never read."""
    import importlib.metadata
    import json
    from urllib.parse import unquote, urlparse

    paths = {KIT}
    for distribution in importlib.metadata.distributions(name=DISTRIBUTION, path=search or sys.path):
        try:
            origin = json.loads(distribution.read_text("direct_url.json") or "{}")
        except ValueError:
            origin = {}
        if origin.get("dir_info", {}).get("editable") and str(origin.get("url", "")).startswith("file://"):
            paths.add(os.path.realpath(unquote(urlparse(origin["url"]).path)))
        for file in distribution.files or []:
            top = file.parts[0]  # a package folder (not a script outside, '../../../bin/nn-kit')
            if len(file.parts) > 1 and top not in NOT_PACKAGES and not top.endswith((".dist-info", ".egg-info")):
                paths.add(os.path.realpath(file.locate().parents[len(file.parts) - 2]))
    return paths


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _without(roots, hidden: set[str]) -> list[str]:
    """The roots less the hidden paths: a root that holds one is replaced by its entries, recursively."""
    kept = []
    for given in roots:
        root = os.path.realpath(given)
        inside = {h for h in hidden if h == root or h.startswith(root.rstrip("/") + "/")}
        if not inside:
            kept.append(given)  # as given: /proc/self must name the worker, not this process
        elif root not in inside and os.path.isdir(root):
            kept += _without([os.path.join(root, name) for name in sorted(os.listdir(root))], inside)
    return kept


@functools.cache
def kit_folders() -> frozenset:
    """`kit_paths()` of this process, found once."""
    return frozenset(kit_paths())


@functools.cache
def readable() -> tuple[str, ...]:
    """What a confined worker may read: Python, its packages and system folders, less the kit's
    paths (computed before any fork: nothing but system calls is safe in the forked child)."""
    return tuple(_without([*python_paths(), *SYSTEM_READABLE], kit_folders()))


def _landlock(abi: int, readable, read_only, writable) -> None:
    fs = _fs_rights(abi)
    attr = struct.pack("<QQQ", fs, NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0,
                       SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0)
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8
    buffer = ctypes.create_string_buffer(attr[:size], size)
    ruleset = _check(_libc.syscall(SYS_LANDLOCK_CREATE_RULESET, buffer, ctypes.c_size_t(size), ctypes.c_uint32(0)),
                     "landlock_create_ruleset")
    try:
        read = READ_FILE | READ_DIR | EXECUTE
        for paths, access in ((readable, read), (read_only, read), (writable, fs)):
            for path in paths:
                try:
                    fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
                except OSError:
                    continue
                try:
                    directory = os.path.isdir(path)
                    rule = struct.pack("<Qi", access if directory else access & (READ_FILE | EXECUTE | WRITE_FILE), fd)
                    _check(_libc.syscall(SYS_LANDLOCK_ADD_RULE, ctypes.c_int(ruleset),
                                         ctypes.c_int(LANDLOCK_RULE_PATH_BENEATH),
                                         ctypes.create_string_buffer(rule, len(rule)), ctypes.c_uint32(0)),
                           f"landlock_add_rule {path}")
                finally:
                    os.close(fd)
        _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
        _check(_libc.syscall(SYS_LANDLOCK_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)),
               "landlock_restrict_self")
    finally:
        os.close(ruleset)


def _namespaces(writable: str, size_bytes: int, hidden, strict: bool) -> None:
    uid, gid = os.geteuid(), os.getegid()
    _check(_libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET), "unshare")
    # after a switch of uid the process is not dumpable, and its /proc/self files belong to root
    _check(_libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), "dumpable")
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
        with open(f"/proc/self/{name}", "w") as handle:
            handle.write(text)
    _check(_libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "mount --make-rprivate /")
    _check(_libc.mount(b"tmpfs", writable.encode(), b"tmpfs", MS_NOSUID | MS_NODEV,
                       f"size={size_bytes},mode=0700,uid={uid},gid={gid}".encode()), "mount tmpfs")
    for path in hidden:  # an empty, read-only folder over each: what was there is out of sight
        if os.path.isdir(path):
            done = _libc.mount(b"tmpfs", path.encode(), b"tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                               b"size=4k,mode=0")
            if strict:  # where Landlock hides it anyway, a mount that fails changes nothing
                _check(done, f"hide {path}")


def confine(scratch: str, writable: str, size_bytes: int, layers: tuple[str, ...], hidden=()) -> None:
    """Confine this process (see the module's docstring); `layers` are those `probe` found; `hidden`:
    folders no worker may read beyond the kit's (a class folder, the reports), hidden by both layers."""
    needed = [*readable(), scratch, writable]  # a folder that holds any of these cannot be hidden
    hidden = sorted(kit_folders() | {path for path in map(os.path.realpath, hidden)
                                     if not any(_inside(kept, path) for kept in map(os.path.realpath, needed))})
    if "namespaces" in layers:
        _namespaces(writable, size_bytes, hidden, strict="landlock" not in layers)
    if "landlock" in layers:
        _landlock(landlock_abi(), _without(readable(), set(hidden)), [scratch], [writable, "/dev/null"])


def die_with_parent() -> None:
    """SIGKILL this process when the process that started it dies (set after every change of
    credentials, which clears it)."""
    _check(_libc.prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0), "pdeathsig")


def probe(scratch: str, writable: str, uid: int | None = None) -> tuple[str, ...]:
    """The layers that work here for a worker running as uid, tried in a throwaway child:
    ("namespaces", "landlock") or fewer."""
    found = []
    readable()
    for layer in ("namespaces", "landlock"):
        child = os.fork()
        if child == 0:
            try:
                if uid is not None:
                    os.setgroups([])
                    os.setgid(uid)
                    os.setuid(uid)
                confine(scratch, writable, 2**20, (layer,))
                os._exit(0)
            except BaseException:  # noqa: BLE001  (the layer does not work here)
                os._exit(1)
        _, status = os.waitpid(child, 0)
        if os.waitstatus_to_exitcode(status) == 0:
            found.append(layer)
    return tuple(found)

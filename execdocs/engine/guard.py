"""Keep the repository as it was and know every input of a run.

Two guards work together in the forked child:

- `isolate`: the repository is mounted under an overlay in a mount namespace of the child's
  own, so that whatever writes into it (Python, native code such as torch.save, child
  processes, sqlite) writes into a throw-away upper layer; the worker reads that layer after
  the run (`changes`) and fails the snippet, and the real tree is never touched.
- `Auditor`: an audit hook that records every file and folder listing the snippet reads, with
  the digest it had at that moment; refuses Python-level writes into the repository at the
  snippet's own line; and notes what makes a run's inputs unknowable (another process, a socket).
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import stat
import sys
from pathlib import Path

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
MS_REC = 0x4000
MS_PRIVATE = 1 << 18

# Audit events that change the file system, and the positions of the paths they change.
WRITE_EVENTS = {
    "open": (0,), "os.mkdir": (0,), "os.remove": (0,), "os.rmdir": (0,), "os.rename": (0, 1),
    "os.truncate": (0,), "os.symlink": (1,), "os.link": (1,), "os.utime": (0,), "os.chmod": (0,),
    "os.chown": (0,), "os.mkfifo": (0,), "os.mknod": (0,), "os.setxattr": (0,), "os.removexattr": (0,),
    "shutil.rmtree": (0,), "shutil.copyfile": (1,), "shutil.move": (1,),
}
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
LISTING_EVENTS = ("os.listdir", "os.scandir")
# After one of these, the run depends on what it cannot see (what another process reads,
# what a socket answers): it still runs, but it is never served from the cache.
UNTRACKED_EVENTS = {
    "subprocess.Popen": "starts another process", "os.system": "starts another process",
    "os.exec": "replaces the process", "os.posix_spawn": "starts another process", "os.spawn": "starts another process",
    "os.fork": "forks another process", "os.forkpty": "forks another process", "pty.spawn": "starts another process",
    "socket.connect": "opens a network connection", "socket.bind": "opens a network socket",
}


def isolate(root: Path, layer: Path) -> str | None:
    """Put `root` under a writable overlay whose upper layer is `layer`; None, or why it could not be done."""
    if sys.platform != "linux":
        return f"mount namespaces do not exist on {sys.platform}"
    libc = ctypes.CDLL(None, use_errno=True)
    uid, gid = os.geteuid(), os.getegid()
    flags = CLONE_NEWNS if uid == 0 else CLONE_NEWUSER | CLONE_NEWNS
    if libc.unshare(flags) != 0:
        return f"unshare failed: {os.strerror(ctypes.get_errno())}"
    try:
        if uid != 0:  # an unprivileged user gets mount rights in a user namespace of its own
            Path("/proc/self/setgroups").write_text("deny")
            Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
            Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
    except OSError as error:
        return f"cannot map the user in a user namespace: {error.strerror}"
    if libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        return f"cannot make mounts private: {os.strerror(ctypes.get_errno())}"
    upper, work = layer / "upper", layer / "work"
    upper.mkdir(parents=True, exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    escape = lambda path: str(path).replace("\\", "\\\\").replace(",", "\\,").replace(":", "\\:")  # noqa: E731
    options = f"lowerdir={escape(root)},upperdir={escape(upper)},workdir={escape(work)}"
    if libc.mount(b"overlay", os.fsencode(root), b"overlay", 0, options.encode()) != 0:
        return f"cannot mount an overlay on the repository: {os.strerror(ctypes.get_errno())}"
    return None


def changes(layer: Path) -> list[str]:
    """What a run changed in the repository, read from the overlay's upper layer: 'path (created or changed|deleted)'."""
    upper = layer / "upper"
    found = []
    for folder, folders, files in os.walk(upper):
        for name in sorted(folders + files):
            path = Path(folder, name)
            info = path.lstat()
            relative = path.relative_to(upper).as_posix()
            if stat.S_ISCHR(info.st_mode) and info.st_rdev == 0:
                found.append(f"{relative} (deleted)")
            elif not stat.S_ISDIR(info.st_mode):
                found.append(f"{relative} (created or changed)")
            elif not any(Path(folder, name).iterdir()):
                found.append(f"{relative}/ (folder created or changed)")
    return sorted(found)


def digest_file(path: Path) -> str | None:
    """SHA-256 of a file's bytes, or None when it cannot be read (gone, a folder)."""
    try:
        with open(path, "rb") as file:
            return hashlib.file_digest(file, "sha256").hexdigest()
    except OSError:
        return None


def digest_listing(path: Path) -> str | None:
    """SHA-256 of a folder's sorted entry names (a listing is an input: glob, os.listdir)."""
    try:
        names = sorted(os.listdir(path))
    except OSError:
        return None
    return hashlib.sha256("\0".join(names).encode("utf-8", "surrogateescape")).hexdigest()


def input_digest(root: Path, name: str) -> str | None:
    """The digest a recorded input has now: `name` as Auditor records it (relative to root, or absolute; '/' at the end for a listing)."""
    path = Path(name) if Path(name).is_absolute() else root / name
    return digest_listing(path) if name.endswith("/") else digest_file(path)


class Auditor:
    """The audit hook of one run (see the module docstring)."""

    def __init__(self, root: Path, display: str, scratch: Path, excluded: list[Path]):
        self.root = root
        self.display = display  # the snippet's filename in its code objects
        self.scratch = scratch
        # Inputs that are part of the toolchain (covered by the cache key's versions) or the run's own.
        self.excluded = [*excluded, scratch, *map(Path, {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}),
                         Path("/proc"), Path("/sys"), Path("/dev")]
        self.reads: dict[str, str | None] = {}
        self.written: set[Path] = set()
        self.untracked: str | None = None
        self.active = True
        self._busy = False  # digesting a file opens it: that open is the guard's own, not the snippet's

    def __call__(self, event: str, args: tuple) -> None:
        if not self.active or self._busy:
            return
        self._busy = True
        try:
            self._handle(event, args)
        finally:
            self._busy = False

    def _handle(self, event: str, args: tuple) -> None:
        if event in UNTRACKED_EVENTS and self.untracked is None:
            self.untracked = f"line {self.snippet_line() or '?'} {UNTRACKED_EVENTS[event]} ({event})"
        elif event in LISTING_EVENTS:
            self.listed(args[0] if args else None)
        if event not in WRITE_EVENTS:
            return
        if event == "open":
            self.opened(args)
            return
        for position in WRITE_EVENTS[event]:
            self.writing(args[position] if position < len(args) else None)

    def opened(self, args: tuple) -> None:
        name, mode, flags = (tuple(args) + (None, None, None))[:3]
        writes = bool((flags or 0) & WRITE_FLAGS) or any(c in (mode or "") for c in "wax+")
        if writes:
            self.writing(name)
            return
        path = _resolved(name)
        if path is None or path in self.written or self._excluded(path) or not path.is_file():
            return
        key = self._name(path)
        if key not in self.reads:
            self.reads[key] = digest_file(path)

    def listed(self, name) -> None:
        if _caller().f_code.co_filename.startswith("<frozen importlib"):
            return  # the import system looking for a module: what it imports is recorded as modules
        if isinstance(name, int):
            self.untracked = self.untracked or f"line {self.snippet_line() or '?'} lists a folder by file descriptor"
            return
        path = _resolved(name if name not in (None, b"", "") else ".")
        if path is None or self._excluded(path):
            return
        key = self._name(path) + "/"
        if key not in self.reads:
            self.reads[key] = digest_listing(path)

    def writing(self, name) -> None:
        path = _resolved(name)
        if path is None:
            return
        if path.is_relative_to(self.root) and not path.is_relative_to(self.scratch):
            raise PermissionError(errno.EACCES, "a snippet must not change files in the repository; write to a relative path "
                                  "instead (the working directory is a temporary folder)", self._name(path))
        self.written.add(path)

    def record_modules(self, modules: list) -> None:
        """Count imported modules' files as inputs, whatever their loader (a valid .pyc is never opened as .py)."""
        for module in modules:
            spec = getattr(module, "__spec__", None)
            origin = getattr(spec, "origin", None) if spec is not None and getattr(spec, "has_location", False) else None
            path = _resolved(origin)
            if path is not None and not self._excluded(path) and path.is_file():
                self.reads.setdefault(self._name(path), digest_file(path))

    def snippet_line(self) -> int | None:
        """The line of the snippet that is running now (the innermost frame in the snippet's own file)."""
        frame = sys._getframe(1)
        while frame is not None:
            if frame.f_code.co_filename == self.display:
                return frame.f_lineno
            frame = frame.f_back
        return None

    def _excluded(self, path: Path) -> bool:
        return any(path.is_relative_to(folder) for folder in self.excluded)

    def _name(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else str(path)


def _caller():
    """The frame that raised the audit event: the first one outside this module."""
    frame = sys._getframe(1)
    while frame.f_back is not None and frame.f_code.co_filename == __file__:
        frame = frame.f_back
    return frame


def _resolved(name) -> Path | None:
    if not isinstance(name, (str, bytes, os.PathLike)):
        return None
    try:
        return Path(os.fsdecode(name)).resolve()
    except (OSError, ValueError, RuntimeError):
        return None

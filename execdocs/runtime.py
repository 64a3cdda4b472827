"""Run one snippet file inside a fresh forked process and describe what it printed."""

from __future__ import annotations

import builtins
import contextlib
import errno
import io
import os
import random
import re
import sys
import tempfile
import time
import traceback
from pathlib import Path

from execdocs.errors import SnippetError, display_path
from execdocs.sections import compile_chunks, split_chunks
from execdocs.source import read_source, reproduce
from execdocs.settings import MAX_LINE_CHARS, MAX_OUTPUT_CHARS, MAX_OUTPUT_LINES, ROOT

# Terminal escape sequences: CSI (colours, cursor moves), OSC (titles, links) and the other
# ESC-introduced controls. A page shows the text, never the codes.
ANSI_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|[ -/]*[0-~])")
# Control characters left after that (NUL, bell, backspace, form feed, C1 codes); tab and newline stay.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Output kept in memory before counting only: enough for MAX_OUTPUT_CHARS of any UTF-8 text.
CAPTURE_BYTES = 4 * MAX_OUTPUT_CHARS + 4096

# Audit events that change the file system, and the positions of the paths they change.
WRITE_EVENTS = {
    "open": (0,), "os.mkdir": (0,), "os.remove": (0,), "os.rmdir": (0,), "os.rename": (0, 1),
    "os.truncate": (0,), "os.symlink": (1,), "os.link": (1,), "os.utime": (0,), "os.chmod": (0,),
    "os.chown": (0,), "os.mkfifo": (0,), "os.mknod": (0,), "os.setxattr": (0,), "os.removexattr": (0,),
    "shutil.rmtree": (0,),
}
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def execute(path: Path, seed: int = 0) -> dict:
    """Execute `path` chunk by chunk in one namespace; return outputs, values and files read.

    Meant to run in a child process that exits afterwards: it changes the working
    directory, installs an audit hook and leaves the modules it imported behind.
    """
    started = time.perf_counter()
    path = path.resolve()
    try:
        source = read_source(path)
        compiled = compile_chunks(path, source, split_chunks(path, source))
    except (SnippetError, OSError) as error:
        return _failure(error if isinstance(error, SnippetError) else SnippetError(path, None, str(error)))

    reads: set[Path] = set()
    sys.dont_write_bytecode = True  # never leave __pycache__ folders in snippets/
    sys.path.insert(0, str(path.parent))  # as `python snippets/x/y.py` would
    sys.argv = [str(path)]
    namespace = {"__name__": "__main__", "__file__": str(path), "__builtins__": builtins}
    # Files a snippet writes land in a fresh folder, deleted afterwards; the repository is read-only.
    with tempfile.TemporaryDirectory(prefix="execdocs-", ignore_cleanup_errors=True) as scratch:
        os.chdir(scratch)
        sys.addaudithook(_auditor(reads, Path(scratch).resolve()))
        _seed_generators(seed)
        chunks, error = _run_chunks(path, compiled, namespace)
    if error is not None:
        return _failure(error)
    return {
        "ok": True,
        "chunks": chunks,
        "values": collect_values(namespace),
        "reads": sorted(display_path(p) for p in reads if p != path),
        "seconds": time.perf_counter() - started,
    }


def _run_chunks(path: Path, compiled: list, namespace: dict) -> tuple[list[dict], SnippetError | None]:
    chunks = []
    for chunk, code in compiled:
        captured = Capture()
        stream = io.TextIOWrapper(captured, encoding="utf-8", errors="backslashreplace", newline="\n", write_through=True)
        with contextlib.redirect_stdout(stream), contextlib.redirect_stderr(stream):
            try:
                exec(code, namespace)
                error = None
            except SystemExit as exit_:
                error = None if exit_.code in (None, 0) else _located(path, exit_)
            except BaseException as raised:  # the snippet's own failure, whatever it is
                namespace.clear()  # free what it allocated first: a MemoryError still gets its report
                error = _located(path, raised)
        stream.flush()
        text = captured.getvalue().decode("utf-8", errors="backslashreplace")  # bytes written to .buffer may be anything
        dropped = captured.dropped - (captured.dropped > 0 and captured.tail == b"\n")  # a final newline is no content
        chunks.append({"name": chunk.name, "output": clean_output(text, dropped)})
        if error is not None:
            return chunks, error
    return chunks, None


class Capture(io.BytesIO):
    """What a section prints, as bytes (so `sys.stdout.buffer` works); past CAPTURE_BYTES only counted."""

    def __init__(self):
        super().__init__()
        self.dropped = 0
        self.tail = b""  # the last byte printed, kept or not

    def write(self, data) -> int:
        size = len(data)
        room = max(0, CAPTURE_BYTES - self.tell())
        if room:
            super().write(bytes(data[:room]))
        self.dropped += max(0, size - room)
        self.tail = bytes(data[-1:]) or self.tail
        return size


def clean_output(text: str, dropped: int = 0) -> str:
    """What a terminal would show, made safe for a page: no control codes, runaway output cut with a note.

    `dropped` counts bytes printed beyond what was kept in memory; they are reported as cut.
    """
    if not text and not dropped:
        return ""
    raw_lines = text.replace("\r\n", "\n").split("\n")
    newline_at_end = raw_lines[-1] == ""
    if newline_at_end:
        raw_lines.pop()
    lines = []
    for line in raw_lines:
        # A carriage return rewrites the line (progress bars): keep what was written last.
        line = next((part for part in reversed(line.split("\r")) if part), "")
        line = CONTROL.sub("", ANSI_ESCAPE.sub("", line))
        if len(line) > MAX_LINE_CHARS:
            line = line[:MAX_LINE_CHARS] + f" [... line cut: {len(line) - MAX_LINE_CHARS} more characters]"
        lines.append(line)
    everything = "\n".join(lines)
    kept = "\n".join(lines[:MAX_OUTPUT_LINES])[:MAX_OUTPUT_CHARS]
    cut = len(everything) - len(kept) + dropped
    if cut:
        return kept + f"\n[... output cut: {cut} more characters]\n"
    return kept + "\n" if newline_at_end else kept


def clean_text(text: str) -> str:
    """A string value made safe to quote: no control codes, lone surrogates escaped."""
    text = text.encode("utf-8", errors="backslashreplace").decode("utf-8")
    return CONTROL.sub("", ANSI_ESCAPE.sub("", text))


def collect_values(namespace: dict) -> dict:
    """Module-level scalars (numbers, short strings, 0-d arrays and tensors), for prose."""
    values = {}
    for name, value in namespace.items():
        if name.startswith("_"):
            continue
        scalar = _as_scalar(value)
        if scalar is not None:
            values[name] = scalar
    return values


def _as_scalar(value):
    if isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        return clean_text(value) if len(value) <= 200 else None
    module = type(value).__module__ or ""
    if module.split(".")[0] in ("numpy", "torch"):
        try:
            if value.ndim == 0:
                return value.item()
        except (AttributeError, RuntimeError, ValueError):
            return None
    return None


def _seed_generators(seed: int) -> None:
    """Start Python's, NumPy's and torch's global generators from `seed`.

    A forked child would otherwise inherit its worker's state: the same numbers within a
    build but others in the next. Seeded, builds repeat; the nondeterminism check reruns
    with another seed, which exposes snippets that rely on these defaults.
    """
    random.seed(seed)
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed(seed)
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(seed)


def _auditor(reads: set[Path], scratch: Path):
    """An audit hook noting every repository file the snippet opens (imports included), refusing writes there."""
    root = ROOT.resolve()

    def hook(event: str, args: tuple) -> None:
        if event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)):
            target = _resolved(args[0])
            if target and target.is_relative_to(root) and "__pycache__" not in target.parts and target.is_file():
                reads.add(target)
        if event not in WRITE_EVENTS or (event == "open" and not (args[2] or 0) & WRITE_FLAGS):
            return
        for position in WRITE_EVENTS[event]:
            target = _resolved(args[position]) if position < len(args) and isinstance(args[position], (str, bytes, os.PathLike)) else None
            if target and target.is_relative_to(root) and not target.is_relative_to(scratch):
                raise PermissionError(errno.EACCES, "a snippet must not change files in the repository; "
                                      "write to a relative path instead (the working directory is a temporary folder)", display_path(target))

    return hook


def _resolved(name) -> Path | None:
    try:
        return Path(os.fsdecode(name)).resolve()
    except (OSError, ValueError):
        return None


def _located(path: Path, error: BaseException) -> SnippetError:
    """The snippet's own traceback, frames of the engine removed, located at its deepest line."""
    frames = traceback.extract_tb(error.__traceback__)
    while frames and frames[0].filename != str(path):
        frames.pop(0)
    mine = [frame for frame in frames if frame.filename == str(path)]
    line = mine[-1].lineno if mine else None
    summary = "".join(traceback.format_exception_only(type(error), error)).strip()
    detail = "Traceback (most recent call last):\n" + "".join(traceback.StackSummary.from_list(frames).format())
    detail = detail.replace(str(path), display_path(path)) + summary + "\n" + reproduce(path)
    return SnippetError(path, line, summary.splitlines()[-1], detail)


def _failure(error: SnippetError) -> dict:
    return {"ok": False, "error": {"path": error.path, "line": error.line, "message": error.message, "detail": error.detail}}

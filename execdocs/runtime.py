"""Run one snippet file inside a fresh forked process and describe what it printed."""

from __future__ import annotations

import builtins
import contextlib
import io
import os
import re
import sys
import tempfile
import time
import traceback
from pathlib import Path

from execdocs.errors import SnippetError, display_path
from execdocs.sections import compile_chunks, split_chunks
from execdocs.settings import MAX_OUTPUT_CHARS, ROOT

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def execute(path: Path) -> dict:
    """Execute `path` chunk by chunk in one namespace; return outputs, values and files read.

    Meant to run in a child process that exits afterwards: it changes the working
    directory, installs an audit hook and leaves the modules it imported behind.
    """
    started = time.perf_counter()
    path = path.resolve()
    reads: set[Path] = set()
    try:
        source = path.read_text(encoding="utf-8")
        compiled = compile_chunks(path, source, split_chunks(path, source))
    except (SnippetError, UnicodeDecodeError, OSError) as error:
        return _failure(error if isinstance(error, SnippetError) else SnippetError(path, None, str(error)))

    sys.addaudithook(_recorder(reads))
    sys.dont_write_bytecode = True  # never leave __pycache__ folders in snippets/
    sys.path.insert(0, str(path.parent))  # as `python snippets/x/y.py` would
    sys.argv = [str(path)]
    os.chdir(tempfile.mkdtemp(prefix="execdocs-"))  # files a snippet writes land outside the repo
    namespace = {"__name__": "__main__", "__file__": str(path), "__builtins__": builtins}

    chunks = []
    for chunk, code in compiled:
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
            try:
                exec(code, namespace)
                error = None
            except SystemExit as exit_:
                error = None if exit_.code in (None, 0) else _located(path, exit_)
            except BaseException as raised:  # the snippet's own failure, whatever it is
                error = _located(path, raised)
        chunks.append({"name": chunk.name, "output": clean_output(buffer.getvalue())})
        if error is not None:
            return _failure(error)

    return {
        "ok": True,
        "chunks": chunks,
        "values": collect_values(namespace),
        "reads": sorted(display_path(p) for p in reads if p != path),
        "seconds": time.perf_counter() - started,
    }


def clean_output(text: str) -> str:
    """Drop terminal colour codes and cut runaway output with a visible note."""
    text = ANSI_ESCAPE.sub("", text)
    if len(text) > MAX_OUTPUT_CHARS:
        cut = len(text) - MAX_OUTPUT_CHARS
        text = text[:MAX_OUTPUT_CHARS] + f"\n[... output cut: {cut} more characters]\n"
    return text


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
        return value if len(value) <= 200 else None
    module = type(value).__module__ or ""
    if module.split(".")[0] in ("numpy", "torch"):
        try:
            if value.ndim == 0:
                return value.item()
        except (AttributeError, RuntimeError, ValueError):
            return None
    return None


def _recorder(reads: set[Path]):
    """An audit hook noting every repository file the snippet opens (imports included)."""
    root = ROOT.resolve()

    def hook(event: str, args: tuple) -> None:
        if event != "open" or not args or not isinstance(args[0], (str, bytes, os.PathLike)):
            return
        try:
            target = Path(os.fsdecode(args[0])).resolve()
        except (OSError, ValueError):
            return
        if target.is_relative_to(root) and "__pycache__" not in target.parts and target.is_file():
            reads.add(target)

    return hook


def _located(path: Path, error: BaseException) -> SnippetError:
    """The snippet's own traceback, frames of the engine removed, located at its deepest line."""
    frames = traceback.extract_tb(error.__traceback__)
    while frames and frames[0].filename != str(path):
        frames.pop(0)
    mine = [frame for frame in frames if frame.filename == str(path)]
    line = mine[-1].lineno if mine else None
    summary = "".join(traceback.format_exception_only(type(error), error)).strip()
    detail = "Traceback (most recent call last):\n" + "".join(traceback.StackSummary.from_list(frames).format())
    detail = detail.replace(str(path), display_path(path)) + summary
    return SnippetError(path, line, summary.splitlines()[-1], detail)


def _failure(error: SnippetError) -> dict:
    return {"ok": False, "error": {"path": error.path, "line": error.line, "message": error.message, "detail": error.detail}}

"""Run one snippet in a freshly forked process, as `python snippets/x.py` would, and describe what it did.

Meant to run in a child process that exits afterwards: it changes the working directory,
the mounts, fds 1 and 2 and sys.modules["__main__"], installs an audit hook and leaves
the modules it imported behind.
"""

from __future__ import annotations

import builtins
import importlib.machinery
import linecache
import os
import random
import resource
import site
import sys
import tempfile
import time
import traceback
import types
from pathlib import Path

from execdocs.engine.capture import FdCapture, clean_text, printed_text
from execdocs.engine.config import ENGINE_PACKAGE
from execdocs.engine.errors import SnippetError
from execdocs.engine.figures import take_figures
from execdocs.engine.guard import Auditor
from execdocs.engine.protocol import Problem, Request, Result, Section
from execdocs.engine.sections import compile_chunks, split_chunks
from execdocs.engine.source import reproduce

# What to do about a run that went past its memory limit.
MORE_MEMORY = ("Use less memory, or raise the limit with a line `# execdocs: memory_mb=4096` in the snippet "
               "(or EXECDOCS_MEMORY_MB=4096 for every snippet)")


def run(request: Request, scratch: Path) -> Result | Problem:
    """Execute the request's source chunk by chunk in a real `__main__` module, in the empty folder `scratch`."""
    started = time.perf_counter()
    display = request.display
    # Warnings, tracebacks and syntax errors read the source from linecache: give them the text that runs.
    linecache.cache[display] = (len(request.source), None, request.source.splitlines(True), display)
    try:
        compiled = compile_chunks(display, request.source, split_chunks(display, request.source))
    except SnippetError as error:
        return Problem(error.path, error.line, error.message, error.detail)
    root = Path(request.root)
    path = Path(request.path)
    scratch.mkdir(parents=True, exist_ok=True)
    scratch = scratch.resolve()
    os.chdir(scratch)  # relative writes land here, outside the repository
    os.environ["TMPDIR"] = str(scratch)
    tempfile.tempdir = str(scratch)
    sys.dont_write_bytecode = True  # never leave __pycache__ folders in snippets/
    sys.path.insert(0, str(path.parent))  # as `python snippets/x/y.py` would
    _import_repository_modules_from_source(root, [ENGINE_PACKAGE, *map(Path, request.excluded)])
    sys.argv = [str(path)]
    main = types.ModuleType("__main__")  # a real module: classes defined in the snippet pickle
    main.__dict__.update({"__file__": str(path), "__builtins__": builtins})
    sys.modules["__main__"] = main
    baseline = set(sys.modules)
    auditor = Auditor(root, display, scratch, [ENGINE_PACKAGE, *map(Path, request.excluded)])
    limits = request.limits
    capture = FdCapture(keep_bytes=4 * limits["max_output_chars"] + 4096)
    replacements = _path_replacements(root, scratch)
    sys.addaudithook(auditor)
    _seed_generators(request.seed)
    sections: list[Section] = []
    problem = exit_line = None
    for chunk, code in compiled:
        if problem is not None or exit_line is not None:
            sections.append(Section(chunk.name, "", ran=False))
            continue
        try:
            exec(code, main.__dict__)
        except SystemExit as exit_:
            if exit_.code in (None, 0):
                exit_line = _deepest_line(exit_, display) or chunk.last
            else:
                problem = _located(display, exit_)
        except BaseException as raised:  # the snippet's own failure, whatever it is
            main.__dict__.clear()  # free what it allocated first: a MemoryError still gets its report
            problem = _located(display, raised)
        figures = []
        if problem is None:
            try:
                figures = take_figures()
            except Exception as error:  # a figure matplotlib cannot save: the section's fault, reported there
                problem = Problem(display, chunk.first, f"cannot save the figure this section draws: {type(error).__name__}: {error}")
        sections.append(Section(chunk.name, printed_text(capture.take(), limits, replacements), figures=figures))
    auditor.active = False
    if problem is not None:
        if problem.message.startswith("MemoryError"):
            problem.message += f" (over its memory limit of {limits['memory_mb']:g} MB). {MORE_MEMORY}"
        return problem
    auditor.record_modules([module for name, module in list(sys.modules.items()) if name not in baseline])
    reads = {name: sha for name, sha in auditor.reads.items() if name != display}
    return Result(sections, collect_values(main.__dict__), reads, auditor.untracked, exit_line, time.perf_counter() - started)


class _SourceOnlyLoader(importlib.machinery.SourceFileLoader):
    """Loads a repository module from its .py, never from __pycache__: a .pyc can be stale yet look valid (same size, same second)."""

    def path_stats(self, path):
        raise OSError("the source is read every time")


def _import_repository_modules_from_source(root: Path, excluded: list[Path]) -> None:
    """Make imports of modules inside the repository (but not of its toolchain folders) ignore bytecode."""
    details = [(_SourceOnlyLoader, importlib.machinery.SOURCE_SUFFIXES),
               (importlib.machinery.ExtensionFileLoader, importlib.machinery.EXTENSION_SUFFIXES)]

    def hook(folder: str):
        path = Path(folder or ".").resolve()
        if not path.is_relative_to(root) or any(path.is_relative_to(other) for other in excluded):
            raise ImportError("not a repository folder")  # the usual finder takes it
        return importlib.machinery.FileFinder(folder, *details)

    sys.path_hooks.insert(0, hook)
    sys.path_importer_cache.clear()


def limit_memory(extra_mb: float) -> None:
    """Cap the address space at what the fork inherited plus `extra_mb`."""
    with open("/proc/self/statm") as statm:
        inherited = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    limit = inherited + int(extra_mb * 1024 * 1024)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


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


def _path_replacements(root: Path, scratch: Path) -> list[tuple[str, str]]:
    """Absolute paths of this machine that may appear in output (warnings, reprs), and what a page shows instead."""
    folders = {str(Path(p).resolve()) for p in [*site.getsitepackages(), sys.prefix, sys.base_prefix] if p}
    pairs = [(f"{scratch}/", ""), (str(scratch), "."), (f"{root}/", "")]
    pairs += [(f"{folder}/", "") for folder in sorted(folders, key=len, reverse=True)]
    return pairs


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


def _deepest_line(error: BaseException, display: str) -> int | None:
    mine = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename == display]
    return mine[-1].lineno if mine else None


def _located(display: str, error: BaseException) -> Problem:
    """The snippet's own traceback, frames of the engine removed, located at its deepest line."""
    frames = traceback.extract_tb(error.__traceback__)
    while frames and frames[0].filename != display:
        frames.pop(0)
    summary = "".join(traceback.format_exception_only(type(error), error)).strip()
    detail = "Traceback (most recent call last):\n" + "".join(traceback.StackSummary.from_list(frames).format())
    return Problem(display, _deepest_line(error, display), summary.splitlines()[-1], detail + summary + "\n" + reproduce(display))

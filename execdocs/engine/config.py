"""The engine's settings as one object: paths, limits, languages and seeds, passed in, never read at import."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from execdocs.engine.errors import SnippetError

# Where the engine itself lives: its source is part of every cache key.
ENGINE_PACKAGE = Path(__file__).resolve().parent.parent
DEFAULT_ROOT = ENGINE_PACKAGE.parent


class ConfigError(ValueError):
    """A setting that cannot be used, named with what to write instead."""


@dataclass(frozen=True)
class Limits:
    """What one snippet run may use and show. A snippet may raise its own time and memory."""

    timeout: float = 10.0  # seconds
    memory_mb: float = 2048.0  # on top of what the warm worker already holds
    max_output_chars: int = 20_000  # one section's output; the rest is cut with a note
    max_output_lines: int = 500
    max_line_chars: int = 500
    max_figure_bytes: int = 60_000  # one figure's SVG: pages stay light

    # Bounds for the per-snippet `# execdocs: timeout=... memory_mb=...` line.
    MAX_TIMEOUT = 3600.0
    MIN_MEMORY_MB = 64.0
    MAX_MEMORY_MB = 262_144.0

    def __post_init__(self):  # one spelling per limit: 2048 and 2048.0 must give the same cache key
        object.__setattr__(self, "timeout", float(self.timeout))
        object.__setattr__(self, "memory_mb", float(self.memory_mb))

    def with_options(self, options: dict[str, float]) -> Limits:
        """These limits with a snippet's own timeout and memory."""
        return replace(self, **options)

    def as_dict(self) -> dict:
        return {"timeout": self.timeout, "memory_mb": self.memory_mb, "max_output_chars": self.max_output_chars,
                "max_output_lines": self.max_output_lines, "max_line_chars": self.max_line_chars,
                "max_figure_bytes": self.max_figure_bytes}


def checked_limit(name: str, raw: str) -> float:
    """A timeout or memory limit as a finite number within its bounds, or a ConfigError saying which are allowed."""
    bounds = {"timeout": (0.0, Limits.MAX_TIMEOUT, "seconds"), "memory_mb": (Limits.MIN_MEMORY_MB, Limits.MAX_MEMORY_MB, "MB")}
    low, high, unit = bounds[name]
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    above = value > low if name == "timeout" else value >= low
    if not (math.isfinite(value) and above and value <= high):
        raise ConfigError(f"{name}={raw} is not allowed: use a number of {unit} above {low:g} and at most {high:g}")
    return value


@dataclass(frozen=True)
class Config:
    """Paths, limits, languages and seeds of one site; tests make one per temporary copy."""

    root: Path = DEFAULT_ROOT
    cache_dir: Path | None = None  # default: <root>/.cache/execdocs
    limits: Limits = field(default_factory=Limits)
    languages: tuple[str, ...] = ("en", "zh")
    hash_seed: int = 0  # PYTHONHASHSEED of the worker, and the seed of the global random generators
    parallel: int = max(1, min(4, os.cpu_count() or 1))
    fork: bool | None = None  # None: fork each run where that is safe (Linux), else a fresh process per run
    build_id: str | None = None  # set by the build command: runs that are never cached are shared by its two languages
    # Modules the warm worker imports once, so that each forked snippet starts with them.
    preload: tuple[str, ...] = ("numpy", "torch", "torch.nn", "torch.nn.functional", "matplotlib.pyplot")

    def __post_init__(self):
        object.__setattr__(self, "root", Path(self.root).resolve())
        cache = Path(self.cache_dir) if self.cache_dir else self.root / ".cache" / "execdocs"
        object.__setattr__(self, "cache_dir", cache.resolve())

    @property
    def snippets_dir(self) -> Path:
        return self.root / "snippets"

    @property
    def docs_dir(self) -> Path:
        return self.root / "docs"

    @property
    def expected_dir(self) -> Path:
        return self.root / "tests" / "expected"

    @property
    def mathjax_dir(self) -> Path:
        return self.root / "node_modules" / "mathjax" / "es5"

    def with_seed(self, hash_seed: int) -> Config:
        return replace(self, hash_seed=hash_seed)

    def error(self, path: Path | str, line: int | None, message: str, detail: str = "") -> SnippetError:
        """A SnippetError whose path is shown relative to this site's root."""
        return SnippetError(self.display_path(path), line, message, detail)

    def display_path(self, path: Path | str) -> str:
        """Path relative to the repository when it is inside it, so messages stay short and the same on every machine."""
        path = Path(path)
        try:
            return path.absolute().relative_to(self.root).as_posix()
        except ValueError:
            try:
                return path.resolve().relative_to(self.root).as_posix()
            except ValueError:
                return str(path)

    @classmethod
    def from_env(cls, environ: dict | None = None) -> Config:
        """The settings of the command line and the MkDocs hook: defaults, overridden by EXECDOCS_* variables."""
        environ = os.environ if environ is None else environ
        root = Path(environ.get("EXECDOCS_ROOT") or DEFAULT_ROOT)
        limits = Limits()
        for name, variable in (("timeout", "EXECDOCS_TIMEOUT"), ("memory_mb", "EXECDOCS_MEMORY_MB")):
            if environ.get(variable):
                try:
                    limits = replace(limits, **{name: checked_limit(name, environ[variable])})
                except ConfigError as error:
                    raise ConfigError(f"{variable}: {error}") from None
        return cls(root=root, cache_dir=environ.get("EXECDOCS_CACHE") or None, limits=limits,
                   build_id=environ.get("EXECDOCS_BUILD_ID") or None)

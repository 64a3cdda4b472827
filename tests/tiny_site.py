"""A tiny copy of the site (tests/fixtures/tiny_site) to break on purpose, checked in-process or built as a user would.

Each copy gets its own cache and Config. `check()` runs what the build does before MkDocs
(every page and snippet checked, every snippet run) in this process, with the session's
shared warm worker: most faults need no more. `build()` runs `python -m execdocs build` in a
subprocess, for what only MkDocs shows (links, anchors, rendered pages). Nothing of the real
repository's content is involved; the engine's folder is linked in for the mkdocs.yml hook path.
"""

from __future__ import annotations

import atexit
import functools
import io
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

from execdocs.engine.client import Engine, Run
from execdocs.engine.config import DEFAULT_ROOT, Config
from execdocs.website.build import prepare
from execdocs.website.checks import included_snippets

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "tiny_site"
LINKED = ("execdocs", "node_modules")  # shared with the repository, never copied
# Settings from the caller's environment that would change what a build does.
ENGINE_VARIABLES = ("EXECDOCS_ROOT", "EXECDOCS_CACHE", "EXECDOCS_TIMEOUT", "EXECDOCS_MEMORY_MB", "EXECDOCS_BUILD_ID",
                    "SOURCE_DATE_EPOCH", "PYTHONHASHSEED")


@dataclass
class Result:
    """What a command printed and how it ended."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def error_lines(self) -> list[str]:
        """The lines the build prints to say why it failed."""
        return self.stderr.splitlines()


@dataclass
class TinySite:
    """One copy of the tiny site, with its own cache folder."""

    root: Path
    cache: Path

    @classmethod
    def copy(cls, folder: Path, cache: Path | None = None) -> TinySite:
        """Copy the fixture into `folder`/site; start from a copy of `cache` when given (a warm cache)."""
        root = folder / "site"
        shutil.copytree(FIXTURE, root)
        for name in LINKED:
            (root / name).symlink_to(DEFAULT_ROOT / name, target_is_directory=True)
        own_cache = folder / "cache"
        if cache is not None and cache.is_dir():
            shutil.copytree(cache, own_cache)
        return cls(root, own_cache)

    def config(self, **extra: str) -> Config:
        """The copy's settings, as the build command would read them with `extra` environment variables."""
        return Config.from_env({"EXECDOCS_ROOT": str(self.root), "EXECDOCS_CACHE": str(self.cache), **extra})

    def write(self, relative: str, text: str) -> Path:
        """Create or replace a file of the copy; `text` is dedented, so tests can indent it."""
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def edit(self, relative: str, old: str, new: str) -> None:
        """Replace the one occurrence of `old` in a file of the copy."""
        path = self.root / relative
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{relative} does not contain {old!r} exactly once"
        path.write_text(text.replace(old, new), encoding="utf-8")

    def check(self, **extra_env: str) -> Result:
        """What `python -m execdocs build` does before MkDocs, in this process: its ERROR lines, or success."""
        notes = io.StringIO()
        errors = prepare(self.config(**extra_env), log=lambda line: print(line, file=notes))
        return Result(1 if errors else 0, notes.getvalue(), "\n".join(errors) + ("\n" if errors else ""))

    def runs(self, **extra_env: str) -> dict[Path, Run]:
        """Every included snippet's Run (raises the build's SnippetError if one fails)."""
        config = self.config(**extra_env)
        return Engine(config).run(included_snippets(config))

    def env(self, **extra: str) -> dict[str, str]:
        env = {name: value for name, value in os.environ.items() if name not in ENGINE_VARIABLES}
        return {**env, "EXECDOCS_ROOT": str(self.root), "EXECDOCS_CACHE": str(self.cache), "NO_MKDOCS_2_WARNING": "1", **extra}

    def run(self, *args: str, **extra_env: str) -> Result:
        """`python <args>` in the copy, as a user would run it there."""
        done = subprocess.run([sys.executable, *args], cwd=self.root, env=self.env(**extra_env),
                              capture_output=True, text=True, timeout=600)
        return Result(done.returncode, done.stdout, done.stderr)

    def build(self, site_dir: Path | None = None, **extra_env: str) -> Result:
        """`python -m execdocs build`: the documented build, both languages, strict."""
        args = ["--site-dir", str(site_dir)] if site_dir else []
        return self.run("-m", "execdocs", "build", *args, **extra_env)

    def page(self, language: str, url: str = "") -> str:
        """A built page's HTML, by its URL path below the language ('' for the home page)."""
        return (self.root / "site" / language / url / "index.html").read_text(encoding="utf-8")

    def files(self) -> dict[str, bytes]:
        """Every file of the copy except the built site and the linked folders: what `git status` would see."""
        found = {}
        for folder, folders, names in os.walk(self.root):
            if Path(folder) == self.root:
                folders[:] = [name for name in folders if name not in ("site", *LINKED)]
            for name in names:
                path = Path(folder, name)
                found[path.relative_to(self.root).as_posix()] = path.read_bytes()
        return dict(sorted(found.items()))


@functools.cache
def warm_cache() -> Path:
    """A cache holding the run of the fixture's own snippet, made by checking the untouched tiny site once.

    Copies start from it, so that a test pays only for the snippets it breaks. The untouched
    site must pass: otherwise no fault test would mean anything.
    """
    folder = Path(tempfile.mkdtemp(prefix="tiny-site-warm-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    site = TinySite.copy(folder)
    result = site.check()
    assert result.returncode == 0, f"the untouched tiny site does not pass its checks:\n{result.output}"
    return site.cache

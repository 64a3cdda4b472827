"""The engine's client: serve runs from the cache, send the rest to one warm worker."""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from execdocs.cache import RunCache
from execdocs.errors import SnippetError, display_path
from execdocs.sections import split_chunks, whole_code
from execdocs.source import read_source, snippet_options
from execdocs.settings import HASH_SEED, MEMORY_LIMIT_MB, ROOT, TIMEOUT_SECONDS


@dataclass
class Run:
    """What one snippet printed, section by section, and the scalars it left behind."""

    path: Path
    chunks: list[dict]
    values: dict
    seconds: float = 0.0
    cached: bool = False
    source: str = field(default="", repr=False)

    def output(self, section: str | None = None) -> str:
        """Output of one named section, or of the whole file when `section` is None."""
        return "".join(c["output"] for c in self.chunks if section is None or c["name"] == section)

    def code(self, section: str | None = None) -> str:
        """Code of one named section, or of the whole file, as a page shows it."""
        if section is None:
            return whole_code(self.source)
        return next(c.code for c in _chunks(self.path, self.source) if c.name == section)


@lru_cache(maxsize=256)
def _chunks(path: Path, source: str) -> list:
    """A snippet's chunks, split once per distinct source text (pages show many sections of one file)."""
    return split_chunks(path, source)


class Engine:
    """Runs snippets isolated and in parallel; one instance per process is enough."""

    def __init__(self, cache: RunCache | None = None, timeout: float = TIMEOUT_SECONDS, memory_mb: int = MEMORY_LIMIT_MB,
                 hash_seed: int = HASH_SEED):
        self.cache = cache or RunCache()
        self.timeout = timeout  # defaults; a snippet may set its own with `# execdocs: timeout=60`
        self.memory_mb = memory_mb
        self.hash_seed = hash_seed  # PYTHONHASHSEED of the worker, and the seed of the global random generators
        self.executed: list[Path] = []  # every path actually run by this engine, for tests and benchmarks
        self._worker: subprocess.Popen | None = None
        self._next_id = 0

    def run(self, paths: Iterable[Path]) -> dict[Path, Run]:
        """Run every snippet in `paths` (cached where possible); raise one error listing all failures."""
        outcomes = self.run_each(paths)
        failures = [outcome for outcome in outcomes.values() if isinstance(outcome, SnippetError)]
        if failures:
            first, rest = failures[0], failures[1:]
            raise SnippetError(first.path, first.line, first.message, "\n\n".join([first.detail, *map(str, rest)]).strip("\n"))
        return outcomes

    def run_each(self, paths: Iterable[Path]) -> dict[Path, Run | SnippetError]:
        """Run every snippet in `paths`; each gets its Run, or the SnippetError that stopped it."""
        paths = list(dict.fromkeys(Path(p).resolve() for p in paths))
        results: dict[Path, dict] = {}
        cached: set[Path] = set()
        for path in paths:
            if not path.is_file():
                results[path] = {"ok": False, "error": {"path": display_path(path), "line": None, "message": "snippet file not found", "detail": ""}}
                continue
            hit = self.cache.load(path, self.hash_seed)
            if hit is not None:
                results[path] = hit
                cached.add(path)
        missing = [path for path in paths if path not in results]
        if missing:
            results.update(self._execute(missing))
        outcomes: dict[Path, Run | SnippetError] = {}
        for path in paths:
            result = results[path]
            if not result["ok"]:
                error = result["error"]
                outcomes[path] = SnippetError(error["path"], error["line"], error["message"], error["detail"])
                continue
            if path not in cached:
                self.cache.store(path, result, self.hash_seed)
            source = read_source(path)
            outcomes[path] = Run(path, result["chunks"], result["values"], result.get("seconds", 0.0), path in cached, source)
        return outcomes

    def close(self) -> None:
        """Stop the worker, if one was started."""
        if self._worker is not None:
            worker, self._worker = self._worker, None
            worker.stdin.close()
            worker.wait(timeout=30)
            worker.stdout.close()

    def _execute(self, paths: list[Path]) -> dict[Path, dict]:
        by_id, results, requests = {}, {}, []
        for path in paths:
            try:
                options = snippet_options(path, read_source(path))
            except SnippetError as error:
                results[path] = {"ok": False, "error": {"path": error.path, "line": error.line, "message": error.message, "detail": error.detail}}
                continue
            self._next_id += 1
            by_id[self._next_id] = path
            requests.append({"id": self._next_id, "path": str(path), "seed": self.hash_seed,
                             "timeout": options.get("timeout", self.timeout), "memory_mb": options.get("memory_mb", self.memory_mb)})
        if not requests:
            return results
        worker = self._ensure_worker()
        worker.stdin.writelines(json.dumps(request) + "\n" for request in requests)
        worker.stdin.flush()
        while len(results) < len(paths):
            line = worker.stdout.readline()
            if not line:
                self._worker = None
                raise SnippetError(paths[0], None, f"the snippet worker stopped unexpectedly (exit status {worker.wait()})")
            reply = json.loads(line)
            path = by_id[reply["id"]]
            results[path] = reply["result"]
            if reply["result"]["ok"]:
                self.executed.append(path)
            else:
                reply["result"]["error"]["path"] = display_path(reply["result"]["error"]["path"])
        return results

    def _ensure_worker(self) -> subprocess.Popen:
        if self._worker is None or self._worker.poll() is not None:
            # A fixed hash seed keeps set and dict-of-str order identical between runs.
            env = {**os.environ, "PYTHONHASHSEED": str(self.hash_seed), "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
            self._worker = subprocess.Popen(
                [sys.executable, "-m", "execdocs.worker"], cwd=ROOT, env=env, text=True,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=1,
            )
            atexit.register(self.close)
            ready = self._worker.stdout.readline()
            if not ready:
                raise SnippetError("execdocs/worker.py", None, f"the snippet worker failed to start (exit status {self._worker.wait()}); see the error above")
        return self._worker


_shared: Engine | None = None


def shared_engine() -> Engine:
    """The process-wide engine: `mkdocs serve` keeps its warm worker across rebuilds."""
    global _shared
    if _shared is None:
        _shared = Engine()
    return _shared

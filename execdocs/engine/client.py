"""The engine's client: serve runs from the cache, send the rest to one warm worker."""

from __future__ import annotations

import atexit
import itertools
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from execdocs.engine.cache import RunCache, run_key
from execdocs.engine.config import DEFAULT_ROOT, Config
from execdocs.engine.errors import SnippetError
from execdocs.engine.protocol import Reply, Request, Result, Section, dumps_request
from execdocs.engine.sections import split_chunks, whole_code
from execdocs.engine.source import Source, read_source, snippet_options

# Folders inside a repository that belong to the toolchain, not to the lesson: reading them is no input.
TOOLCHAIN_FOLDERS = (".venv", "node_modules", ".git")
_request_ids = itertools.count(1)  # unique across engines that share a worker


@dataclass
class Run:
    """What one snippet printed, section by section, and the scalars it left behind, with the source that ran."""

    path: Path
    display: str
    sections: list[Section]
    values: dict
    source: str = field(default="", repr=False)  # the text that ran, which may differ from the file by now
    seconds: float = 0.0
    cached: bool = False
    exit_line: int | None = None
    untracked: str | None = None

    def output(self, section: str | None = None) -> str:
        """Output of one named section, or of the whole file when `section` is None."""
        return "".join(s.output for s in self.sections if section is None or s.name == section)

    def code(self, section: str | None = None) -> str:
        """Code of one named section, or of the whole file, as a page shows it."""
        if section is None:
            return whole_code(self.source)
        return next(c.code for c in _chunks(self.display, self.source) if c.name == section)

    def chunks(self) -> list:
        """The snippet's chunks (named sections and the code between them), one per entry of `sections`."""
        return _chunks(self.display, self.source)

    def figures(self, section: str | None = None) -> list[dict]:
        """The figures one named section (or the whole file) drew."""
        return [figure for s in self.sections if section is None or s.name == section for figure in s.figures]

    def ran(self, section: str) -> bool:
        """Whether a named section ran (it does not after a sys.exit before it)."""
        return all(s.ran for s in self.sections if s.name == section)


@lru_cache(maxsize=256)
def _chunks(display: str, source: str) -> list:
    """A snippet's chunks, split once per distinct source text (pages show many sections of one file)."""
    return split_chunks(display, source)


class Engine:
    """Runs snippets isolated and in parallel; one instance per process is enough."""

    def __init__(self, config: Config | None = None, cache: RunCache | None = None, log: Callable[[str], None] | None = None):
        self.config = config or Config.from_env()
        self.cache = cache or RunCache(self.config.cache_dir)
        self.log = log or (lambda message: print(message, file=sys.stderr))
        self.executed: list[Path] = []  # every path actually run by this engine, for tests and benchmarks
        self.not_cached: list[str] = []  # why runs were not kept, 'file:line ...'
        self._worker: WorkerProcess | None = None

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
        config = self.config
        paths = list(dict.fromkeys(Path(p).absolute() for p in paths))
        outcomes: dict[Path, Run | SnippetError] = {}
        requests: dict[int, tuple[Path, Source, str, Request]] = {}
        for path in paths:
            try:
                source = read_source(config, path)
                limits = config.limits.with_options(snippet_options(config, path, source.text)).as_dict()
            except SnippetError as error:
                outcomes[path] = error
                continue
            display = config.display_path(path)
            key = run_key(display, source.data, config.hash_seed, limits)
            hit = self.cache.load(key, config.root, config.build_id)
            if hit is not None:
                outcomes[path] = self._as_run(path, display, source.text, hit, cached=True)
                continue
            request = Request(next(_request_ids), str(path), display, source.text, config.hash_seed, limits, str(config.root),
                              [str(config.root / name) for name in TOOLCHAIN_FOLDERS])
            requests[request.id] = (path, source, key, request)
        for reply in self._execute([request for *_, request in requests.values()]):
            path, source, key, request = requests[reply.id]
            if reply.problem is not None:
                outcomes[path] = reply.problem.error()
                continue
            self.executed.append(path)
            if not self.cache.store(key, reply.result, config.root, config.build_id):
                self.not_cached.append(f"{request.display}: not cached: " + (reply.result.untracked or "an input changed while it ran")
                                       + "; it runs again at every build")
            outcomes[path] = self._as_run(path, request.display, source.text, reply.result, cached=False)
        return {path: outcomes[path] for path in paths}

    @staticmethod
    def _as_run(path: Path, display: str, text: str, result: Result, cached: bool) -> Run:
        return Run(path, display, result.sections, result.values, text, result.seconds, cached, result.exit_line, result.untracked)

    def close(self) -> None:
        """Let go of the worker (it stops when no engine uses it any more)."""
        self._worker = None

    def _execute(self, requests: list[Request]) -> list[Reply]:
        if not requests:
            return []
        if self._worker is None or not self._worker.alive():
            self._worker = WorkerProcess.for_config(self.config, self.log)
        return self._worker.execute(requests)


class WorkerProcess:
    """One warm worker process, shared by every engine with the same seed, preload and parallelism."""

    _shared: dict[tuple, WorkerProcess] = {}

    def __init__(self, config: Config, log: Callable[[str], None]):
        settings = {"root": str(config.root), "preload": list(config.preload), "parallel": config.parallel}
        if config.fork is not None:
            settings["fork"] = config.fork
        # A fixed hash seed keeps set and dict-of-str order identical between runs.
        env = {**os.environ, "PYTHONHASHSEED": str(config.hash_seed), "MPLBACKEND": "Agg",
               "PYTHONPATH": os.pathsep.join(filter(None, [str(DEFAULT_ROOT), os.environ.get("PYTHONPATH", "")]))}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "execdocs.engine.worker", json.dumps(settings)], cwd="/", env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=1,
        )
        atexit.register(self.close)
        ready = self.process.stdout.readline()
        if not ready:
            raise SnippetError("execdocs/engine/worker.py", None,
                               f"the snippet worker failed to start (exit status {self.process.wait()}); see the error above")
        started = json.loads(ready)
        for note in started.get("notes", []):
            log(f"execdocs: {note}")
        self.isolation = started.get("isolation")
        if self.isolation:
            log(f"execdocs: cannot isolate the repository here ({self.isolation}): only Python-level writes into it are "
                "refused; writes by native code or child processes are not caught")

    _starting = threading.Lock()  # `mkdocs serve` starts one ahead of time, in a thread, while a build may ask too

    @classmethod
    def for_config(cls, config: Config, log: Callable[[str], None]) -> WorkerProcess:
        key = (config.hash_seed, config.preload, config.parallel, config.fork)
        with cls._starting:
            worker = cls._shared.get(key)
            if worker is None or not worker.alive():
                worker = cls._shared[key] = cls(config, log)
        return worker

    def alive(self) -> bool:
        return self.process.poll() is None

    def execute(self, requests: list[Request]) -> list[Reply]:
        """Send the requests, wait for every reply; if the worker dies, name the snippets it was running."""
        worker = self.process
        worker.stdin.writelines(dumps_request(request) + "\n" for request in requests)
        worker.stdin.flush()
        replies, waiting = [], {request.id: request for request in requests}
        while waiting:
            line = worker.stdout.readline()
            if not line:
                status = worker.wait()
                names = ", ".join(request.display for request in waiting.values())
                raise SnippetError(next(iter(waiting.values())).display, None,
                                   f"the snippet worker stopped unexpectedly (exit status {status}) while running: {names}")
            reply = Reply.loads(line)
            if reply.id in waiting:
                waiting.pop(reply.id)
                replies.append(reply)
        return replies

    def close(self) -> None:
        """Stop the worker: it exits at the end of its input."""
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait(timeout=60)
        self.process.stdout.close()


_shared: Engine | None = None


def shared_engine(config: Config | None = None) -> Engine:
    """The process-wide engine: `mkdocs serve` keeps its warm worker across rebuilds."""
    global _shared
    if _shared is None or (config is not None and _shared.config != config):
        _shared = Engine(config)
    return _shared

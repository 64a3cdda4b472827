"""The warm worker: imports torch once, then forks a fresh child for every snippet run.

Protocol: `execdocs.engine.protocol`. The client writes one Request a line to stdin; the
worker answers one Reply a line on its stdout, in completion order. It starts with one line
`{"ready": true, "isolation": null | "why not"}` and exits at EOF.

Forking keeps the cost of `import torch` to once per build while every snippet still starts
from the same clean state. A run is over when its child exits (a pidfd says so), not when
its output pipe closes: a grandchild that lingers cannot hold a run open. Then everything
the run started is killed, and the overlay's upper layer says whether it wrote into the
repository.
"""

from __future__ import annotations

import ctypes
import gc
import importlib
import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from execdocs.engine import child
from execdocs.engine import figures
from execdocs.engine.guard import changes, isolate
from execdocs.engine.protocol import Problem, Reply, Request, Result, dumps_request, loads_request

PR_SET_CHILD_SUBREAPER = 36
RUN_MARK = "EXECDOCS_RUN"  # in the environment of every process a run starts, to find and end them


@dataclass
class Running:
    request: Request
    pid: int
    pidfd: int | None  # readable when the run's process ends (Linux); None: polled
    folder: Path  # result file and overlay layer of this run
    mark: str
    deadline: float
    process: subprocess.Popen | None = field(default=None)  # the fresh process of a run, where runs are not forked
    started: bool = True  # a fresh process has finished its imports (its deadline then starts)


# Forking after importing torch is safe on Linux only; elsewhere each run is a fresh process.
FORK_IS_SAFE = sys.platform == "linux"
POLL_SECONDS = 0.05  # how often runs without a pidfd are looked at
STARTUP_SECONDS = 300.0  # a fresh process's own imports, which the snippet's timeout does not count


def main() -> None:
    """Preload the heavy modules, then serve run requests until stdin closes."""
    if sys.argv[1] == "--run":  # one run in a fresh process (where forking is unsafe)
        folder = Path(sys.argv[2])
        for module in json.loads((folder / "preload.json").read_text()):
            importlib.import_module(module)
        request = loads_request((folder / "request.json").read_text(encoding="utf-8"))
        (folder / "started").touch()  # the snippet's time starts now
        _child(request, folder, os.environ[RUN_MARK])
        return
    settings = json.loads(sys.argv[1])
    fork = settings.get("fork", FORK_IS_SAFE)
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # a stray print in the worker must not corrupt the protocol
    if fork:
        for module in settings["preload"]:
            importlib.import_module(module)
        figures.warm_up()  # what every figure loads, loaded once for all the forked runs
        # The collector's full passes in a run would walk every object torch made here (a run paid 0.2 s for them,
        # and copied the pages they touched): what exists before the fork is left out of collection for good.
        gc.freeze()
    if sys.platform == "linux":  # orphans of a run come back to the worker, which ends them
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    home = Path(tempfile.mkdtemp(prefix="execdocs-worker-"))
    try:
        isolation = _probe_isolation(Path(settings["root"]), home) if FORK_IS_SAFE else f"no mount namespaces on {sys.platform}"
        notes = [] if fork else [f"each snippet runs in a fresh process (slower: it imports torch every time), since forking after "
                                 f"importing torch is not safe on {sys.platform}"]
        if sys.platform != "linux":
            notes.append(f"the memory limit is not enforced on {sys.platform} (RLIMIT_AS): a snippet can use all the memory there is")
        replies.write(json.dumps({"ready": True, "isolation": isolation, "notes": notes}) + "\n")
        _serve(sys.stdin.buffer.raw, replies, settings["parallel"], home, None if fork else settings["preload"])
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _probe_isolation(root: Path, home: Path) -> str | None:
    """Whether a child can put the repository under an overlay here; the reason if not."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        reason = isolate(root, home / "probe")
        os.write(write_fd, (reason or "").encode())
        os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as answer:
        reason = answer.read().decode()
    os.waitpid(pid, 0)
    shutil.rmtree(home / "probe", ignore_errors=True)
    return reason or None


def _serve(requests_in, replies, parallel: int, home: Path, spawn_preload: list[str] | None) -> None:
    selector = selectors.DefaultSelector()
    selector.register(requests_in, selectors.EVENT_READ, data=None)
    queue: list[Request] = []
    running: dict[int, Running] = {}  # pidfd -> run
    pending = b""
    open_input = True
    layouts: list[tuple] = []  # math the runs laid out, to lay out here when no run waits (figures.py)
    while open_input or queue or running:
        while queue and len(running) < parallel:
            run = _start(queue.pop(0), home) if spawn_preload is None else _spawn(queue.pop(0), home, spawn_preload)
            running[run.pid] = run
            if run.pidfd is not None:
                selector.register(run.pidfd, selectors.EVENT_READ, data=run)
        timeout = None
        if running:
            timeout = max(0.0, min(run.deadline for run in running.values()) - time.monotonic())
            if any(run.pidfd is None for run in running.values()):
                timeout = min(timeout, POLL_SECONDS)
        elif layouts and not queue:
            timeout = 0
        events = selector.select(timeout)
        if not events and layouts and not queue and not running:
            figures.learn_layout(layouts.pop(0))
            gc.freeze()  # what it made, too
        for key, _ in events:
            if key.data is None:
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    open_input = False
                    selector.unregister(key.fileobj)
                    continue
                pending += chunk
                *lines, pending = pending.split(b"\n")
                queue.extend(loads_request(line) for line in lines if line.strip())
            else:
                layouts += _finish(selector, running, key.data, replies, timed_out=False)
        for run in [run for run in running.values() if run.process is not None]:
            if run.process.poll() is not None:
                layouts += _finish(selector, running, run, replies, timed_out=False)
            elif not run.started and (run.folder / "started").exists():
                run.started, run.deadline = True, time.monotonic() + run.request.limits["timeout"]
        now = time.monotonic()
        for run in [run for run in running.values() if run.deadline <= now]:
            _finish(selector, running, run, replies, timed_out=True)


def _start(request: Request, home: Path) -> Running:
    folder = Path(tempfile.mkdtemp(prefix=f"run-{request.id}-", dir=home))
    mark = f"{os.getpid()}-{request.id}"
    pid = os.fork()
    if pid == 0:  # the child: run one snippet, write its result, never return
        try:
            _child(request, folder, mark)
        finally:
            os._exit(0)
    return Running(request, pid, os.pidfd_open(pid), folder, mark, time.monotonic() + request.limits["timeout"])


def _spawn(request: Request, home: Path, preload: list[str]) -> Running:
    """A run in a fresh Python process: slower (it imports torch again) but safe where forking after import is not."""
    folder = Path(tempfile.mkdtemp(prefix=f"run-{request.id}-", dir=home))
    mark = f"{os.getpid()}-{request.id}"
    (folder / "request.json").write_text(dumps_request(request), encoding="utf-8")
    (folder / "preload.json").write_text(json.dumps(preload), encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "execdocs.engine.worker", "--run", str(folder)],
                               env={**os.environ, RUN_MARK: mark}, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    return Running(request, process.pid, None, folder, mark, time.monotonic() + STARTUP_SECONDS, process, started=False)


def _child(request: Request, folder: Path, mark: str) -> None:
    if os.getpgid(0) != os.getpid():
        os.setpgid(0, 0)  # its own process group: everything it starts can be ended together
    os.environ[RUN_MARK] = mark
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # nothing reaches the protocol pipes; output is captured later
        os.dup2(devnull, fd)
    layouts_before = figures.layouts_made()
    try:
        isolate(Path(request.root), folder / "layer")  # where it cannot be done, the worker said so once at start
        if sys.platform == "linux":  # RLIMIT_AS is not enforced on macOS: the worker said so at start
            child.limit_memory(request.limits["memory_mb"])
        outcome = child.run(request, folder / "work")  # the worker deletes the folder after the run
    except BaseException as error:  # the engine's own failure in this child, reported against the snippet
        outcome = Problem(request.display, None, f"the engine failed while running it: {type(error).__name__}: {error}")
    kind = "result" if isinstance(outcome, Result) else "problem"
    if kind == "result":
        figures.save_layouts(folder / "layouts.pickle", layouts_before)
    text = Reply(request.id, **{kind: outcome}).dumps()
    temporary = folder / "reply.tmp"
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(folder / "reply.json")


def _finish(selector, running: dict, run: Running, replies, *, timed_out: bool) -> list[tuple]:
    """Reply for a run that ended; returns the math layouts it made (figures.py), for the worker to make too."""
    del running[run.pid]
    if run.pidfd is not None:
        selector.unregister(run.pidfd)
    if timed_out:
        _kill_group(run.pid)
    _, status = os.waitpid(run.pid, 0) if run.process is None else (run.pid, _wait_status(run.process))
    if run.pidfd is not None:
        os.close(run.pidfd)
    _end_everything_started_by(run)
    _reap_orphans({other.pid for other in running.values()})
    request = run.request
    reply_file = run.folder / "reply.json"
    if timed_out:
        reply = _problem(request, f"did not finish within {request.limits['timeout']:g} s (timeout); it may loop forever or wait for "
                                  "input. If it is only slow, allow it more time with a line `# execdocs: timeout=60` in the snippet "
                                  "(or EXECDOCS_TIMEOUT=60 for every snippet)")
    elif reply_file.is_file():
        reply = Reply.loads(reply_file.read_text(encoding="utf-8"))
    elif os.WIFSIGNALED(status):
        reply = _problem(request, f"the process running it died with signal {os.WTERMSIG(status)} (out of memory or a crash in "
                                  f"native code; its memory limit is {request.limits['memory_mb']:g} MB). {child.MORE_MEMORY}")
    else:
        reply = _problem(request, f"the process running it ended with status {os.WEXITSTATUS(status)} before reporting "
                                  "(os._exit, or a crash in native code)")
    changed = changes(run.folder / "layer") if (run.folder / "layer").is_dir() else []
    if changed:
        shown = ", ".join(changed[:10]) + (f" and {len(changed) - 10} more" if len(changed) > 10 else "")
        reply = _problem(request, f"wrote into the repository: {shown}. A snippet must not change files in the repository, "
                                  "by any means (open, torch.save, a child process...); write to a relative path instead (the "
                                  "working directory is a temporary folder). The repository was left as it was")
    layouts = figures.load_layouts(run.folder / "layouts.pickle") if reply.result is not None and run.process is None else []
    shutil.rmtree(run.folder, ignore_errors=True)
    replies.write(reply.dumps() + "\n")
    return layouts


def _wait_status(process: subprocess.Popen) -> int:
    """The raw wait status of a finished Popen, as os.waitpid gives it."""
    code = process.wait()
    return (-code) & 0x7F if code < 0 else code << 8


def _problem(request: Request, message: str) -> Reply:
    return Reply(request.id, problem=Problem(request.display, None, message))


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _end_everything_started_by(run: Running) -> None:
    """Kill the run's process group and every process that carries its mark, until none is left."""
    _kill_group(run.pid)
    for _ in range(50):
        marked = [pid for pid in _processes() if _has_mark(pid, run.mark)]
        if not marked:
            return
        for pid in marked:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in marked:  # orphans came back to the worker (its subreaper): collect them
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        time.sleep(0.01)


def _reap_orphans(running: set[int]) -> None:
    """Collect the exit status of finished orphans handed to the worker, leaving running snippets alone."""
    for pid in _processes():
        if pid in running:
            continue
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] == "Z" and int(fields[1]) == os.getpid():
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass


def _processes() -> list[int]:
    try:
        return [int(name) for name in os.listdir("/proc") if name.isdigit() and int(name) != os.getpid()]
    except OSError:
        return []


def _has_mark(pid: int, mark: str) -> bool:
    try:
        with open(f"/proc/{pid}/environ", "rb") as environ:
            return f"{RUN_MARK}={mark}".encode() in environ.read().split(b"\0")
    except OSError:
        return False


if __name__ == "__main__":
    main()

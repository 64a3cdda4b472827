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
import importlib
import json
import os
import selectors
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from execdocs.engine import child
from execdocs.engine.guard import changes, isolate
from execdocs.engine.protocol import Problem, Reply, Request, Result, loads_request

PR_SET_CHILD_SUBREAPER = 36
RUN_MARK = "EXECDOCS_RUN"  # in the environment of every process a run starts, to find and end them


@dataclass
class Running:
    request: Request
    pid: int
    pidfd: int
    folder: Path  # result file and overlay layer of this run
    mark: str
    deadline: float
    isolation: str | None = field(default=None)


def main() -> None:
    """Preload the heavy modules, then serve run requests until stdin closes."""
    settings = json.loads(sys.argv[1])
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # a stray print in the worker must not corrupt the protocol
    for module in settings["preload"]:
        importlib.import_module(module)
    if sys.platform == "linux":  # orphans of a run come back to the worker, which ends them
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    home = Path(tempfile.mkdtemp(prefix="execdocs-worker-"))
    try:
        replies.write(json.dumps({"ready": True, "isolation": _probe_isolation(Path(settings["root"]), home)}) + "\n")
        _serve(sys.stdin.buffer.raw, replies, settings["parallel"], home)
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


def _serve(requests_in, replies, parallel: int, home: Path) -> None:
    selector = selectors.DefaultSelector()
    selector.register(requests_in, selectors.EVENT_READ, data=None)
    queue: list[Request] = []
    running: dict[int, Running] = {}  # pidfd -> run
    pending = b""
    open_input = True
    while open_input or queue or running:
        while queue and len(running) < parallel:
            run = _start(queue.pop(0), home)
            running[run.pidfd] = run
            selector.register(run.pidfd, selectors.EVENT_READ, data=run)
        timeout = None
        if running:
            timeout = max(0.0, min(run.deadline for run in running.values()) - time.monotonic())
        for key, _ in selector.select(timeout):
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
                _finish(selector, running, key.data, replies, timed_out=False)
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


def _child(request: Request, folder: Path, mark: str) -> None:
    os.setpgid(0, 0)  # its own process group: everything it starts can be ended together
    os.environ[RUN_MARK] = mark
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # nothing reaches the protocol pipes; output is captured later
        os.dup2(devnull, fd)
    try:
        isolate(Path(request.root), folder / "layer")  # where it cannot be done, the worker said so once at start
        child.limit_memory(request.limits["memory_mb"])
        outcome = child.run(request, folder / "work")  # the worker deletes the folder after the run
    except BaseException as error:  # the engine's own failure in this child, reported against the snippet
        outcome = Problem(request.display, None, f"the engine failed while running it: {type(error).__name__}: {error}")
    kind = "result" if isinstance(outcome, Result) else "problem"
    text = Reply(request.id, **{kind: outcome}).dumps()
    temporary = folder / "reply.tmp"
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(folder / "reply.json")


def _finish(selector, running: dict, run: Running, replies, *, timed_out: bool) -> None:
    selector.unregister(run.pidfd)
    del running[run.pidfd]
    if timed_out:
        _kill_group(run.pid)
    _, status = os.waitpid(run.pid, 0)
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
    shutil.rmtree(run.folder, ignore_errors=True)
    replies.write(reply.dumps() + "\n")


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

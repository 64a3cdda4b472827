"""The warm worker: imports torch once, then forks a fresh child for every snippet run.

Protocol (JSON lines): the client writes `{"id": 1, "path": "...", "timeout": 10,
"memory_mb": 2048, "seed": 0}` to stdin; the worker answers `{"id": 1, "result": {...}}` on its
stdout, in completion order. It starts with one line `{"ready": true}` and exits at EOF.
Forking keeps the cost of `import torch` to once per build while every snippet still
starts from the same clean state: nothing one snippet does can reach another.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import selectors
import signal
import sys
import time
from pathlib import Path

from execdocs.settings import PARALLEL_RUNS, PRELOAD

# What to do about a run that went past its memory limit.
MORE_MEMORY = ("Use less memory, or raise the limit with a line `# execdocs: memory_mb=4096` in the snippet "
               "(or EXECDOCS_MEMORY_MB=4096 for every snippet)")


def main() -> None:
    """Preload the heavy modules, then serve run requests until stdin closes."""
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # a stray print in the worker must not corrupt the protocol
    for module in PRELOAD:
        importlib.import_module(module)
    replies.write(json.dumps({"ready": True}) + "\n")
    _serve(sys.stdin.buffer.raw, replies)


def _serve(requests_in, replies) -> None:
    selector = selectors.DefaultSelector()
    selector.register(requests_in, selectors.EVENT_READ, data=None)
    queue: list[dict] = []
    running: dict[int, dict] = {}  # read fd -> run state
    pending = b""
    open_input = True
    while open_input or queue or running:
        while queue and len(running) < PARALLEL_RUNS:
            run = _start(queue.pop(0))
            running[run["fd"]] = run
            selector.register(run["fd"], selectors.EVENT_READ, data=run)
        timeout = None
        if running:
            timeout = max(0.0, min(run["deadline"] for run in running.values()) - time.monotonic())
        for key, _ in selector.select(timeout):
            if key.data is None:
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    open_input = False
                    selector.unregister(key.fileobj)
                    continue
                pending += chunk
                *lines, pending = pending.split(b"\n")
                queue.extend(json.loads(line) for line in lines if line.strip())
            else:
                run = key.data
                data = os.read(run["fd"], 1 << 20)
                if data:
                    run["buffer"] += data
                    continue
                _finish(selector, running, run, replies, killed=False)
        now = time.monotonic()
        for run in [run for run in running.values() if run["deadline"] <= now]:
            os.kill(run["pid"], signal.SIGKILL)
            _finish(selector, running, run, replies, killed=True)


def _start(request: dict) -> dict:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run one snippet, send its result, never return
        os.close(read_fd)
        try:
            _child(request, write_fd)
        finally:
            os._exit(0)
    os.close(write_fd)
    return {"request": request, "pid": pid, "fd": read_fd, "buffer": b"", "deadline": time.monotonic() + request["timeout"]}


def _child(request: dict, write_fd: int) -> None:
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # C-level writes and input() must not touch the protocol pipes
        os.dup2(devnull, fd)
    _limit_memory(request["memory_mb"])
    from execdocs.runtime import execute

    result = execute(Path(request["path"]), request.get("seed", 0))
    if not result["ok"] and result["error"]["message"].startswith("MemoryError"):
        result["error"]["message"] += f" (over its memory limit of {request['memory_mb']:g} MB). {MORE_MEMORY}"
    payload = json.dumps(result, allow_nan=True).encode()
    with os.fdopen(write_fd, "wb") as out:
        out.write(payload)


def _limit_memory(extra_mb: float) -> None:
    """Cap the address space at what the fork inherited plus `extra_mb`."""
    with open("/proc/self/statm") as statm:
        inherited = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    limit = inherited + int(extra_mb * 1024 * 1024)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _finish(selector, running, run, replies, *, killed: bool) -> None:
    selector.unregister(run["fd"])
    os.close(run["fd"])
    del running[run["fd"]]
    _, status = os.waitpid(run["pid"], 0)
    request = run["request"]
    if killed:
        result = _crash(request, f"did not finish within {request['timeout']:g} s (timeout); it may loop forever or wait for input. "
                                 "If it is only slow, allow it more time with a line `# execdocs: timeout=60` in the snippet "
                                 "(or EXECDOCS_TIMEOUT=60 for every snippet)")
    elif run["buffer"]:
        result = json.loads(run["buffer"])
    elif os.WIFSIGNALED(status):
        result = _crash(request, f"the process running it died with signal {os.WTERMSIG(status)} (out of memory or a crash "
                                 f"in native code; its memory limit is {request['memory_mb']:g} MB). {MORE_MEMORY}")
    else:
        result = _crash(request, f"the process running it exited with status {os.WEXITSTATUS(status)} before reporting")
    replies.write(json.dumps({"id": request["id"], "result": result}, allow_nan=True) + "\n")


def _crash(request: dict, message: str) -> dict:
    return {"ok": False, "error": {"path": request["path"], "line": None, "message": message, "detail": ""}}


if __name__ == "__main__":
    main()

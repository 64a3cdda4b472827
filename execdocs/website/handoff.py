"""What `execdocs build` hands its MkDocs processes: the verdict of its checks, and the pages they covered.

The build starts both MkDocs processes first, then checks every page and runs every snippet
while they import MkDocs and load their configuration (a second core's worth of work that
used to wait). Each process waits in on_files for the verdict, then skips the page checks
the build already made on the same text. A process started by `mkdocs build` or `mkdocs
serve` alone is handed nothing: it waits for nothing and checks every page itself.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

VARIABLE = "EXECDOCS_CHECKED"  # the file the verdict is written to, set by `execdocs build` for its MkDocs processes
POLL_SECONDS = 0.01


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def publish(path: Path, checked: dict[str, str]) -> None:
    """Say the checks passed, with {page display path: digest of the text checked}; atomic, as the processes poll for it."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(checked, sort_keys=True), encoding="utf-8")
    os.replace(partial, path)


def checked_pages() -> dict[str, str]:
    """The pages the build checked, once it has (waits for the verdict); {} for a process no build started."""
    where = os.environ.get(VARIABLE)
    if not where:
        return {}
    path, parent = Path(where), os.getppid()
    while not path.exists():
        if os.getppid() != parent:  # the build is gone (killed): check everything here rather than wait for ever
            return {}
        time.sleep(POLL_SECONDS)
    return json.loads(path.read_text(encoding="utf-8"))

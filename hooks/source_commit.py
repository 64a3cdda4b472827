"""MkDocs hook: the commit the site is built from, for the "last updated" line of every page.

The date is the committer date of HEAD (`git log -1`), not of each page's last change: it is
the same in a full, fresh or shallow clone of the same commit, so the build stays
byte-identical wherever it runs, and it never depends on the clock. Outside a git
repository (say, an unpacked source archive) pages show no date.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def head_commit(folder: Path) -> dict[str, str] | None:
    """{'date': 'YYYY-MM-DD' (UTC), 'commit': 12-digit hash, 'epoch': seconds} of HEAD, or None outside git."""
    try:
        output = subprocess.run(
            ["git", "-C", str(folder), "log", "-1", "--date=format-local:%Y-%m-%d", "--format=%cd %H %ct"],
            capture_output=True, text=True, check=True, env={**os.environ, "TZ": "UTC"},
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return None
    if len(output) != 3:
        return None
    date, commit, epoch = output
    return {"date": date, "commit": commit[:12], "epoch": epoch}  # a fixed length: git's own abbreviation varies by clone


def on_config(config):
    config.extra["source_commit"] = head_commit(Path(config.docs_dir))
    return config

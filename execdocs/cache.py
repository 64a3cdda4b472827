"""Content-addressed cache of snippet runs: keyed by source and versions, never by file times."""

from __future__ import annotations

import hashlib
import json
import os
import platform
from functools import cache
from importlib import metadata
from pathlib import Path

from execdocs.errors import display_path
from execdocs.settings import CACHE_DIR, ENGINE_VERSION, ROOT


@cache
def toolchain() -> dict:
    """The versions that can change what a snippet prints."""
    versions = {"engine": ENGINE_VERSION, "python": platform.python_version()}
    for package in ("numpy", "torch"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return versions


def digest(path: Path) -> str | None:
    """SHA-256 of a file's bytes, or None when it no longer exists."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def run_key(path: Path, seed: int = 0) -> str:
    """The cache key of one snippet run: its path, its bytes, the toolchain and the seed it ran with."""
    material = json.dumps([toolchain(), display_path(path), digest(path), seed], sort_keys=True)
    return hashlib.sha256(material.encode()).hexdigest()


def well_formed(result) -> bool:
    """A successful run as the runtime describes it; anything else in a cache file is corrupt."""
    try:
        return (
            result["ok"] is True
            and all(isinstance(c["name"], (str, type(None))) and isinstance(c["output"], str) for c in result["chunks"])
            and isinstance(result["values"], dict)
            and all(isinstance(v, (bool, int, float, str)) for v in result["values"].values())
        )
    except (KeyError, TypeError):
        return False


class RunCache:
    """One JSON file per run, named by its key, with the digests of every file it read."""

    def __init__(self, folder: Path = CACHE_DIR):
        self.folder = Path(folder)

    def load(self, path: Path, seed: int = 0) -> dict | None:
        """The stored result for `path`, or None if absent, corrupt or stale."""
        entry = self.folder / f"{run_key(path, seed)}.json"
        try:
            record = json.loads(entry.read_text(encoding="utf-8"))
            fresh = record["toolchain"] == toolchain() and all(
                digest(ROOT / name) == sha for name, sha in record["reads"].items()
            )
            result = record["result"]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # absent or unreadable: run again
        return result if fresh and well_formed(result) else None

    def store(self, path: Path, result: dict, seed: int = 0) -> None:
        """Keep a successful result; failures are always re-run."""
        if not result.get("ok"):
            return
        reads = {name: digest(ROOT / name) for name in result.get("reads", [])}
        record = {"toolchain": toolchain(), "snippet": display_path(path), "reads": reads, "result": result}
        self.folder.mkdir(parents=True, exist_ok=True)
        entry = self.folder / f"{run_key(path, seed)}.json"
        temporary = entry.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(record, allow_nan=True), encoding="utf-8")
        temporary.replace(entry)  # atomic: a reader never sees half a file

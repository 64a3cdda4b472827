"""Content-addressed cache of snippet runs: keyed by what ran, never by file times.

The key covers the bytes the child executed, the snippet's repository path, the seed, the
effective limits, the engine's own source and every installed package's version. An entry
also lists every input the run read (files, folder listings, imported modules) with the
digest each had when it was read; it is served only while all of them still match, and only
if its checksum shows it was written by the engine and not edited since.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
from dataclasses import asdict
from functools import cache
from importlib import metadata
from pathlib import Path

from execdocs.engine.config import ENGINE_PACKAGE
from execdocs.engine.guard import input_digest
from execdocs.engine.protocol import Result

ENGINE_SOURCE = ENGINE_PACKAGE / "engine"  # what can change how a snippet runs; the site's own rules cannot


# A wheel's metadata folder names the distribution and its version: `torch-2.13.0.dist-info`.
DIST_INFO = re.compile(r"(?P<name>[^-]+)-(?P<version>[^-]+)\.dist-info")


@cache
def toolchain() -> dict:
    """Everything installed that can change what a snippet prints: Python, the machine, every package's version."""
    packages = sorted(set(map(_name_and_version, metadata.distributions())))
    return {"python": platform.python_version(), "machine": platform.machine(),
            "packages": hashlib.sha256(json.dumps(packages).encode()).hexdigest(),
            "numpy": _version("numpy"), "torch": _version("torch")}


def _name_and_version(dist: metadata.Distribution) -> tuple[str, str]:
    """From the folder's name where it says both (parsing every METADATA file took 0.2 s per process), else from the file."""
    folder = getattr(dist, "_path", None)  # PathDistribution's folder; other finders may have none
    match = DIST_INFO.fullmatch(folder.name) if isinstance(folder, Path) else None
    if match:
        return match["name"].lower(), match["version"]
    return (dist.metadata["Name"] or "").lower(), dist.version


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


@cache
def engine_digest() -> str:
    """SHA-256 of the engine's source files: a change to the engine is a change to every run."""
    sha = hashlib.sha256()
    for path in sorted(ENGINE_SOURCE.rglob("*.py")):
        sha.update(path.relative_to(ENGINE_SOURCE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return sha.hexdigest()


def run_key(display: str, data: bytes, seed: int, limits: dict) -> str:
    """The cache key of one run: what ran (bytes), where, with which seed and limits, by which engine and toolchain."""
    material = json.dumps([toolchain(), engine_digest(), display, hashlib.sha256(data).hexdigest(), seed, limits], sort_keys=True)
    return hashlib.sha256(material.encode()).hexdigest()


def _checksum(key: str, body: dict) -> str:
    return hashlib.sha256((key + json.dumps(body, sort_keys=True, allow_nan=True)).encode()).hexdigest()


class RunCache:
    """One JSON file per run, named by its key."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def load(self, key: str, root: Path, build_id: str | None = None) -> Result | None:
        """The stored result for `key`, or None if absent, corrupt, edited, or one of its inputs changed.

        A run whose inputs cannot all be known is served only within the build that made it
        (both languages show one run), never to the next build.
        """
        try:
            record = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            body = record["body"]
            if record["checksum"] != _checksum(key, body) or body["toolchain"] != toolchain():
                return None
            result = Result.from_dict(body["result"])
            if result.untracked and (build_id is None or body["build"] != build_id):
                return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # absent or unreadable: run again
        if any(input_digest(root, name) != sha for name, sha in result.reads.items()):
            return None
        return result

    def store(self, key: str, result: Result, root: Path, build_id: str | None = None) -> bool:
        """Keep a result whose inputs are known and unchanged since they were read; say whether it was kept for later builds."""
        if any(input_digest(root, name) != sha for name, sha in result.reads.items()):
            return False  # an input changed while it ran: the next build runs it again
        if result.untracked and build_id is None:
            return False
        body = {"toolchain": toolchain(), "result": asdict(result), "build": build_id if result.untracked else None}
        record = {"checksum": _checksum(key, body), "body": body}
        self.folder.mkdir(parents=True, exist_ok=True)
        entry = self.folder / f"{key}.json"
        temporary = entry.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(record, allow_nan=True), encoding="utf-8")
        temporary.replace(entry)  # atomic: a reader never sees half a file
        return not result.untracked

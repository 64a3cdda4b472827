"""A temporary repository for engine tests: its own root, snippets/, README and cache, run in-process."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from execdocs.engine.client import Engine
from execdocs.engine.config import Config


@pytest.fixture
def repo(tmp_path) -> Path:
    """A temporary repository with a README and a snippets/ folder."""
    root = tmp_path / "repo"
    (root / "snippets").mkdir(parents=True)
    (root / "README.md").write_text("readme\n", encoding="utf-8")
    return root


@pytest.fixture
def config(repo, tmp_path) -> Config:
    """The temporary repository's settings, with a cache of its own."""
    return Config(root=repo, cache_dir=tmp_path / "cache")


def write(repo: Path, name: str, code: str) -> Path:
    """Write snippets/<name> (dedented) and return its path."""
    path = repo / "snippets" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(code).lstrip(), encoding="utf-8")
    return path


def run_one(config: Config, path: Path):
    """The Run of one snippet (raises its SnippetError)."""
    return Engine(config).run([path])[path]

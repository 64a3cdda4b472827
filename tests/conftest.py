"""Shared fixtures: one engine and one site build for the whole test session."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from execdocs.build import included_snippets
from execdocs.runner import Engine
from execdocs.settings import ROOT, SNIPPETS_DIR


def pytest_addoption(parser):
    parser.addoption(
        "--update-outputs", action="store_true",
        help="write the snippets' current outputs to tests/expected/ instead of comparing",
    )


def all_snippets() -> list[Path]:
    """Every snippet file; files and folders whose name starts with '_' are helpers, not snippets."""
    return sorted(p for p in SNIPPETS_DIR.rglob("*.py") if not any(part.startswith("_") for part in p.relative_to(SNIPPETS_DIR).parts))


@pytest.fixture(scope="session")
def engine():
    engine = Engine()
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def runs(engine):
    """Every snippet, run once (in parallel, through the cache): its Run or its SnippetError."""
    return engine.run_each(all_snippets() + included_snippets())


@pytest.fixture(scope="session")
def built_site(tmp_path_factory, runs):
    """The whole site, built by the documented command; returns (site_dir, build log)."""
    site = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "execdocs", "build", "--site-dir", str(site)],
        cwd=ROOT, capture_output=True, text=True,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"python -m execdocs build failed:\n{log}"
    return site, log

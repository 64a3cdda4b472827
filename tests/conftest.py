"""Shared fixtures: one engine and one site build for the whole test session."""

from __future__ import annotations

import subprocess
import sys

import pytest

from execdocs.build import included_snippets
from execdocs.runner import Engine
from execdocs.settings import ROOT
from execdocs.site_checks import snippet_files


def pytest_addoption(parser):
    parser.addoption(
        "--update-outputs", action="store_true",
        help="write the snippets' current outputs to tests/expected/ instead of comparing",
    )


@pytest.fixture(scope="session")
def engine():
    engine = Engine()
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def runs(engine):
    """Every snippet, run once (in parallel, through the cache): its Run or its SnippetError."""
    return engine.run_each(snippet_files() + included_snippets())


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

"""Shared fixtures: one engine and one site build for the whole test session."""

from __future__ import annotations

import subprocess
import sys

import pytest

from execdocs.engine.client import Engine
from execdocs.engine.config import Config
from execdocs.website.checks import included_snippets, snippet_files


def pytest_addoption(parser):
    parser.addoption(
        "--update-outputs", action="store_true",
        help="write the snippets' current outputs to tests/expected/ instead of comparing",
    )


@pytest.fixture(scope="session")
def config() -> Config:
    """The real site's settings (its root, its cache), as the build command reads them."""
    return Config.from_env()


@pytest.fixture(scope="session")
def engine(config):
    engine = Engine(config)
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def runs(engine, config):
    """Every snippet, run once (in parallel, through the cache): its Run or its SnippetError."""
    return engine.run_each(snippet_files(config) + included_snippets(config))


@pytest.fixture(scope="session")
def built_site(tmp_path_factory, runs, config):
    """The whole site, built by the documented command; returns (site_dir, build log)."""
    site = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "execdocs", "build", "--site-dir", str(site)],
        cwd=config.root, capture_output=True, text=True,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"python -m execdocs build failed:\n{log}"
    return site, log

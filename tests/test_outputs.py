"""The recorded outputs in tests/expected/ are what the snippets print today."""

from __future__ import annotations

import difflib

import pytest
from recorded_outputs import describe, expected_file

from execdocs.engine.config import Config
from execdocs.engine.errors import SnippetError
from execdocs.website.checks import included_snippets, snippet_files

CONFIG = Config()  # the real site, for collection (the `config` fixture is the same settings)
display_path = CONFIG.display_path

UPDATE_HINT = "If the new output is right, accept it with `make accept` (pytest tests/test_outputs.py --update-outputs)."


@pytest.mark.parametrize("snippet", snippet_files(CONFIG), ids=display_path)
def test_output_matches_record(snippet, runs, request, config):
    """Assert a snippet's output and values equal its recorded JSON, or rewrite it with --update-outputs."""
    run = runs[snippet]
    if isinstance(run, SnippetError):
        pytest.fail(f"{display_path(snippet)} does not run:\n{run}", pytrace=False)
    actual = describe(run)
    record = expected_file(config, snippet)
    if request.config.getoption("--update-outputs"):
        record.parent.mkdir(parents=True, exist_ok=True)
        if not record.is_file() or record.read_text(encoding="utf-8") != actual:
            record.write_text(actual, encoding="utf-8")
        return
    if not record.is_file():
        pytest.fail(f"{display_path(snippet)} has no recorded output ({display_path(record)}). {UPDATE_HINT}", pytrace=False)
    expected = record.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(
            expected.splitlines(True), actual.splitlines(True),
            f"{display_path(record)} (recorded)", f"{display_path(snippet)} (printed now)",
        ))
        pytest.fail(f"{display_path(snippet)} prints something else than its record:\n{diff}\n{UPDATE_HINT}", pytrace=False)


def test_no_record_without_snippet(config):
    """Assert every recorded output still has its snippet (a removed snippet leaves no stale record)."""
    snippets = {expected_file(config, s) for s in snippet_files(config)}
    stale = [display_path(p) for p in config.expected_dir.rglob("*.json") if p not in snippets]
    assert not stale, f"recorded outputs whose snippet is gone: {stale}; delete them"


def test_every_snippet_is_included_by_a_page(config):
    """Assert no snippet is an orphan that no page shows."""
    used = set(included_snippets(config))
    orphans = [display_path(s) for s in snippet_files(config) if s not in used]
    assert not orphans, f"snippets no page includes: {orphans}; include them with run(...) or delete them"


"""The recorded output of a snippet, as reviewed in version control (tests/expected/*.json)."""

from __future__ import annotations

import json
from pathlib import Path

from execdocs.errors import display_path
from execdocs.runner import Run
from execdocs.settings import EXPECTED_DIR, SNIPPETS_DIR

OUTSIDE_SECTIONS = "(outside sections)"


def expected_file(snippet: Path) -> Path:
    """tests/expected/<chapter>/<topic>.json for snippets/<chapter>/<topic>.py."""
    return EXPECTED_DIR / snippet.resolve().relative_to(SNIPPETS_DIR.resolve()).with_suffix(".json")


def describe(run: Run) -> str:
    """A run as stable, diff-friendly JSON: output lines per section, then the values."""
    output: dict[str, list[str]] = {}
    for chunk in run.chunks:
        name = chunk["name"] or OUTSIDE_SECTIONS
        output.setdefault(name, []).extend(chunk["output"].splitlines())
    record = {
        "snippet": display_path(run.path),
        "output": {name: lines for name, lines in output.items() if lines or name != OUTSIDE_SECTIONS},
        "values": run.values,
    }
    return json.dumps(record, indent=2, ensure_ascii=False) + "\n"

"""The site's own stylesheets parse: one unclosed block silently swallows every rule after it.

(A merge once dropped the `}` of the print block: the dark-scheme and touch-target rules below
it then applied only to paper, and only axe noticed.)
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

STYLESHEETS = sorted((Path(__file__).resolve().parent.parent / "overrides").rglob("*.css"))
COMMENTS_AND_STRINGS = re.compile(r'/\*.*?\*/|"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'', re.S)


@pytest.mark.parametrize("stylesheet", STYLESHEETS, ids=lambda path: path.name)
def test_every_block_is_closed(stylesheet):
    """Assert braces balance and never close more than is open (comments and strings aside)."""
    depth = 0
    for number, line in enumerate(COMMENTS_AND_STRINGS.sub(lambda m: "\n" * m[0].count("\n"), stylesheet.read_text(encoding="utf-8")).split("\n"), 1):
        depth += line.count("{") - line.count("}")
        assert depth >= 0, f"{stylesheet.name}:{number}: a '}}' closes nothing"
    assert depth == 0, f"{stylesheet.name}: {depth} block(s) never closed: the rules after the first unclosed one are lost"

"""Numbers typed in a page's prose must come from code, never from an author's copy.

A number in running text passes if a snippet the page includes contains it literally
(an input such as 0.9 or 1000; "90 %" passes for 0.9), or if it is not typed at all but
produced by `{{ value(...) }}`. Code, inline code, math, HTML comments and directives
are not prose: a figure quoted from elsewhere, such as a wrong one in an article, is
written in inline code. Checked are decimals (0.4170, 1e-3) and whole numbers of two
or more digits (1000); single digits (steps, class indices) and years are not.
"""

from __future__ import annotations

import re
from pathlib import Path

from execdocs.errors import SnippetError, display_path
from execdocs.prose import line_of, prose
from execdocs.source import read_source

# A number as people and Python write it: 0.4170, 1,000, 1_000, 1e-3. Not part of a word
# (float32, log2, 第3章 is fine: CJK letters do not count) and not part of a version (3.11.2).
NUMBER = re.compile(r"(?<![A-Za-z0-9_.])\d+(?:[,_]\d{3})*(?:\.\d+)?(?:[eE][-+]?\d+)?(?![A-Za-z0-9_]|\.\d)")
PERCENT = re.compile(r"[ \t\u00a0]?%")
YEAR = re.compile(r"(?:19|20)\d\d")


def value_of(token: str) -> float:
    return float(token.replace(",", "").replace("_", ""))


def checked(token: str) -> bool:
    """Whether a number in prose needs backing: a decimal, or a whole number of 2+ digits that is no year."""
    if any(mark in token for mark in ".eE"):
        return True
    digits = token.replace(",", "").replace("_", "")
    return len(digits) >= 2 and not YEAR.fullmatch(digits)


def literals(paths) -> set[float]:
    """Every number written anywhere in these snippets (code, comments and strings alike)."""
    found = set()
    for path in paths:
        found |= {value_of(match[0]) for match in NUMBER.finditer(read_source(path))}
    return found


def check_numbers(text: str, page: Path, snippets: list[Path]) -> list[SnippetError]:
    """Numbers typed in `page`'s prose that none of its `snippets` contains."""
    snippets = list(dict.fromkeys(snippets))
    known = literals(path for path in snippets if path.is_file())
    running = prose(text)
    names = ", ".join(display_path(path) for path in snippets) or "none"
    problems = []
    for match in NUMBER.finditer(running):
        token = match[0]
        if not checked(token):
            continue
        value = value_of(token)
        percent = PERCENT.match(running, match.end()) is not None
        if value in known or (percent and value / 100 in known):
            continue
        problems.append(SnippetError(
            page, line_of(running, match.start()),
            f"the number {token} is typed in prose, but no snippet this page includes contains it (snippets: {names}); "
            f'quote a computed number with {{{{ value("<snippet>.py:<name>", ".4f") }}}}, put an input in the snippet, '
            f"or write a figure quoted from elsewhere in inline code: `{token}`",
        ))
    return problems

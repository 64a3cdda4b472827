"""Numbers typed in a page's prose and math must come from code, never from an author's copy.

A number in running text or in a formula passes if a snippet the page includes has it as a
number in its code (an input such as 0.9 or 1000; "90 %" passes for 0.9; a number in a
comment or a string does not count), or if it is not typed at all but produced by
`{{ value(...) }}`, which works inside math too. Code, inline code, HTML comments and
directives are not prose: a figure quoted from elsewhere, such as a wrong one in an article,
is written in inline code. Checked are decimals (0.4170, 1e-3) and whole numbers of two or
more digits (1000); single digits (steps, class indices) and years are not.
"""

from __future__ import annotations

import io
import re
import tokenize
from functools import lru_cache
from pathlib import Path

from execdocs.engine.config import Config
from execdocs.engine.errors import SnippetError
from execdocs.engine.markdown import line_of
from execdocs.engine.source import read_source
from execdocs.website.prose import written_text

# A number as people and Python write it: 0.4170, 1,000, 1_000, 1e-3. Not part of a word
# (float32, log2, 第3章 is fine: CJK letters do not count) and not part of a version (3.11.2).
NUMBER = re.compile(r"(?<![A-Za-z0-9_.])\d+(?:[,_]\d{3})*(?:\.\d+)?(?:[eE][-+]?\d+)?(?![A-Za-z0-9_]|\.\d)")
PERCENT = re.compile(r"[ \t\u00a0]?(?:%|\\%)")
YEAR = re.compile(r"(?:19|20)\d\d")


def value_of(token: str) -> float:
    return float(token.replace(",", "").replace("_", ""))


def checked(token: str) -> bool:
    """Whether a number in prose needs backing: a decimal, or a whole number of 2+ digits that is no year."""
    if any(mark in token for mark in ".eE"):
        return True
    digits = token.replace(",", "").replace("_", "")
    return len(digits) >= 2 and not YEAR.fullmatch(digits)


def literals(config: Config, paths) -> set[float]:
    """Every number literal in the code of these snippets (comments and strings do not count)."""
    found = set()
    for path in paths:
        found |= _literals_of(read_source(config, path).text)
    return found


@lru_cache(maxsize=256)
def _literals_of(text: str) -> frozenset[float]:
    """The number literals of one snippet's code: once per text, though every page including the snippet asks."""
    found = set()
    for token in _tokens(text):
        if token.type == tokenize.NUMBER and not token.string.endswith(("j", "J")):
            try:
                found.add(value_of(token.string) if not token.string.startswith("0x") else float(int(token.string, 16)))
            except ValueError:
                continue
    return frozenset(found)


def _tokens(text: str) -> list[tokenize.TokenInfo]:
    """The file's tokens, up to the first that does not parse (that error is reported when the snippet runs)."""
    tokens = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            tokens.append(token)
    except (tokenize.TokenError, SyntaxError):
        pass
    return tokens


def check_numbers(config: Config, text: str, page: Path, snippets: list[Path]) -> list[SnippetError]:
    """Numbers typed in `page`'s prose or math that none of its `snippets` has in its code."""
    snippets = list(dict.fromkeys(snippets))
    known = literals(config, [path for path in snippets if path.is_file()])
    written = written_text(text)
    names = ", ".join(config.display_path(path) for path in snippets) or "none"
    problems = []
    for match in NUMBER.finditer(written):
        token = match[0]
        if not checked(token):
            continue
        value = value_of(token)
        percent = PERCENT.match(written, match.end()) is not None
        if value in known or (percent and value / 100 in known):
            continue
        problems.append(config.error(
            page, line_of(written, match.start()),
            f"the number {token} is typed in prose or math, but no snippet this page includes has it in its code (snippets: {names}); "
            f'quote a computed number with {{{{ value("<snippet>.py:<name>", ".4f") }}}} (it works inside math too), put an input in '
            f"the snippet's code, or write a figure quoted from elsewhere in inline code: `{token}`",
        ))
    return problems

"""Where a Markdown page has code: fenced blocks, code spans and HTML comments (never prose, never directives).

Blanking replaces every character but newlines, so offsets and line numbers stay those of the page.
"""

from __future__ import annotations

import re

FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_IN_PARAGRAPH = r"(?:(?!\n[ \t]*\n).)"  # any character, but code spans never span a blank line
# A code span: a run of backticks, then anything up to the same run, within one paragraph.
CODE_SPAN = re.compile(rf"(?<!`)(`+)(?!`){_IN_PARAGRAPH}+?(?<!`)\1(?!`)", re.S)


def blank_all(text: str, pattern: re.Pattern, fill: str = " ") -> str:
    """`text` with every match of `pattern` turned into `fill` characters, newlines kept."""
    return pattern.sub(lambda match: re.sub(r"[^\n]", fill, match[0]), text)


def outside_fences(text: str) -> list[str]:
    """The page's lines, those of fenced code blocks (fences included) blanked."""
    lines = text.split("\n")
    fence = None  # the opening fence while inside a code block
    for number, line in enumerate(lines):
        match = FENCE.match(line)
        if fence is None and match:
            fence = match[1]
        elif fence is not None and match and match[1][0] == fence[0] and len(match[1]) >= len(fence) and not line.strip(" \t`~"):
            lines[number], fence = " " * len(line), None
            continue
        if fence is not None:
            lines[number] = " " * len(line)
    return lines


def without_code(text: str) -> str:
    """The page with fenced code blocks, HTML comments and code spans blanked: where directives and prose live."""
    text = "\n".join(outside_fences(text))
    text = blank_all(text, HTML_COMMENT)
    return blank_all(text, CODE_SPAN)


def line_of(text: str, offset: int) -> int:
    """1-based line number of a character offset."""
    return text.count("\n", 0, offset) + 1

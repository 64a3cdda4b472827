"""A page's prose: its Markdown with code, comments, directives (and math) blanked out.

Blanking replaces every character but newlines (with spaces; directives with a
placeholder), so offsets and line numbers in the result are those of the page: the
checks report `page:line`.
"""

from __future__ import annotations

import re

from execdocs.settings import DIRECTIVE

PLACEHOLDER = "\u00a4"  # what a directive becomes: not a space (math may not end in one), not a digit
FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
ANY_DIRECTIVE = re.compile(DIRECTIVE.pattern + r"|\{\{.*?\}\}", re.S)  # unknown ones are errors elsewhere
_IN_PARAGRAPH = r"(?:(?!\n[ \t]*\n).)"  # any character, but code spans and math never span a blank line
# A code span: a run of backticks, then anything up to the same run, within one paragraph.
CODE_SPAN = re.compile(rf"(?<!`)(`+)(?!`){_IN_PARAGRAPH}+?(?<!`)\1(?!`)", re.S)
MATH = re.compile(
    rf"(?<!\\)\$\${_IN_PARAGRAPH}*?(?<!\\)\$\$"  # display: $$ ... $$
    rf"|\\\[{_IN_PARAGRAPH}*?\\\]"  # display: \[ ... \]
    rf"|\\begin\{{(?P<env>[A-Za-z*]+)\}}{_IN_PARAGRAPH}*?\\end\{{(?P=env)\}}"  # \begin{align} ... \end{align}
    rf"|\\\({_IN_PARAGRAPH}*?\\\)"  # inline: \( ... \)
    rf"|(?<![\\$])\$(?!\s)(?:\\.|(?!\n[ \t]*\n)[^\\$])+?(?<![\s\\])\$",  # inline: $ ... $
    re.S,
)
# Markup around prose whose digits are not quoted numbers: tags, link targets, attribute
# lists, footnote labels, entities, URLs, list markers, reference definitions.
MARKUP = re.compile(
    r"<[A-Za-z/!][^>]*>"
    r"|\]\([^)\n]*\)|\]\[[^\]\n]*\]|\[\^[^\]\n]+\]"
    r"|\{\s*[:#.][^{}\n]*\}"
    r"|&#?\w+;"
    r"|\bhttps?://\S+"
    r"|^[ \t]*\d+[.)](?=[ \t])"
    r"|^[ \t]*\[[^\]\n]+\]:.*$",
    re.M,
)


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
    """The page with fenced code blocks, HTML comments, directives and code spans blanked."""
    lines = outside_fences(text)
    text = "\n".join(lines)
    text = blank_all(text, HTML_COMMENT)
    text = blank_all(text, ANY_DIRECTIVE, PLACEHOLDER)  # a value inside $...$ stays part of the formula
    return blank_all(text, CODE_SPAN)


def prose(text: str) -> str:
    """The page's running text only: also without math and Markdown/HTML markup."""
    return blank_all(blank_all(without_code(text), MATH), MARKUP)


def line_of(text: str, offset: int) -> int:
    """1-based line number of a character offset."""
    return text.count("\n", 0, offset) + 1

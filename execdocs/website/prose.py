"""A page's prose: its Markdown with code, comments, directives (and math) blanked out.

Blanking replaces every character but newlines (with spaces; directives with a
placeholder), so offsets and line numbers in the result are those of the page: the
checks report `page:line`.
"""

from __future__ import annotations

import re

from execdocs.engine.directives import DIRECTIVE
from execdocs.engine.markdown import blank_all, without_code

PLACEHOLDER = "\u00a4"  # what a directive becomes: not a space (math may not end in one), not a digit
ANY_DIRECTIVE = re.compile(DIRECTIVE.pattern + r"|\{\{.*?\}\}", re.S)  # unknown ones are errors elsewhere
_IN_PARAGRAPH = r"(?:(?!\n[ \t]*\n).)"  # any character, but math never spans a blank line
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


def without_code_or_directives(text: str) -> str:
    """The page with code, HTML comments and code spans blanked, and each directive a placeholder (math kept)."""
    return blank_all(without_code(text), ANY_DIRECTIVE, PLACEHOLDER)  # a value inside $...$ stays part of the formula


def written_text(text: str) -> str:
    """What the author typed as text, math included: no code, comments, directives or Markdown/HTML markup."""
    return blank_all(without_code_or_directives(text), MARKUP)


def prose(text: str) -> str:
    """The page's running text only: also without math."""
    return blank_all(written_text(text), MATH)

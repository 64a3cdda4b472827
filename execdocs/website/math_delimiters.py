"""Find math that arithmatex would leave half open: unbalanced `$`, `$$`, `\\(`/`\\)`, `\\[`/`\\]`."""

from __future__ import annotations

import re
from pathlib import Path

from execdocs.engine.config import Config
from execdocs.engine.errors import SnippetError
from execdocs.engine.markdown import line_of
from execdocs.website.prose import without_code_or_directives

# `\\` and `\$` come first so that they are skipped whole: an escaped backslash, a literal dollar.
DELIMITER = re.compile(r"\\\\|\\\$|\$\$|\$|\\\(|\\\)|\\\[|\\\]")
CLOSER = {"$": "$", "$$": "$$", "\\(": "\\)", "\\[": "\\]"}
OPENER = {"\\)": "\\(", "\\]": "\\["}
# A paragraph: consecutive non-blank lines. A formula never spans a blank line.
PARAGRAPH = re.compile(r"(?:^[ \t]*\S.*(?:\n|\Z))+", re.M)


def check_math(config: Config, text: str, page: Path) -> list[SnippetError]:
    """Every formula in `page` that is opened and not closed, or closed and not opened, outside code."""
    prose = without_code_or_directives(text)
    problems = []
    for paragraph in PARAGRAPH.finditer(prose):
        opened: re.Match | None = None
        for token in DELIMITER.finditer(prose, paragraph.start(), paragraph.end()):
            mark = token[0]
            if mark in ("\\\\", "\\$"):
                continue
            if opened is None and mark in CLOSER:
                opened = token
            elif opened is None:
                problems.append(config.error(page, line_of(prose, token.start()), f"math not opened: this `{mark}` closes no `{OPENER[mark]}`; "
                                             f"add the opening `{OPENER[mark]}` or remove it"))
            elif mark == CLOSER[opened[0]]:
                opened = None
            else:
                problems.append(config.error(page, line_of(prose, token.start()), f"math mixed up: `{mark}` inside the formula opened by "
                                             f"`{opened[0]}` on line {line_of(prose, opened.start())}; close that one with `{CLOSER[opened[0]]}` first"))
                opened = None
                break
        if opened is not None:
            literal = ", or write a dollar sign that is not math as \\$" if opened[0] == "$" else ""
            problems.append(config.error(page, line_of(prose, opened.start()), f"math not closed: this `{opened[0]}` opens a formula that its paragraph "
                                         f"never closes; close it with `{CLOSER[opened[0]]}` before the next blank line{literal}"))
    return problems

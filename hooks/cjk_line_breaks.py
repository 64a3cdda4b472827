"""MkDocs hook: drop the line breaks that authors leave inside Chinese sentences.

Markdown turns a wrapped line into a newline, and browsers show a newline between two
Chinese characters as a space (English needs that space; Chinese does not have one).
Only text outside <pre> blocks is touched, so code and outputs stay byte for byte.
"""

from __future__ import annotations

import re

# CJK ideographs, CJK punctuation and full-width forms.
_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
_BREAK_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t]*\n[ \t]*(?=[{_CJK}])")
_PRE = re.compile(r"(<pre[\s>].*?</pre>)", re.S)


def join_cjk_lines(html: str) -> str:
    """Remove newlines between two CJK characters, except inside <pre> blocks."""
    parts = _PRE.split(html)
    return "".join(part if index % 2 else _BREAK_BETWEEN_CJK.sub("", part) for index, part in enumerate(parts))


def on_page_content(html, page, config, files):
    return join_cjk_lines(html) if config.theme["language"] == "zh" else html

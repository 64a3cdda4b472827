"""MkDocs hook: name each output block as output for screen readers.

An output block (`div.execdocs-output`, rendered by the run() directive) shows its title,
"Output" or "输出", as the first line of the block; a screen reader read it as one more line
of text. Here the block becomes a group named by that title, so it is announced as
"Output, group" before its lines, in the page's language; the visible title is hidden from
screen readers, which would otherwise read it twice.
"""

from __future__ import annotations

import re

_OUTPUT = re.compile(r'<div class="execdocs-output highlight"><span class="filename">([^<]+)</span>')


def label_outputs(html: str) -> str:
    """Give every output block role=group and its title as aria-label."""
    return _OUTPUT.sub(
        r'<div class="execdocs-output highlight" role="group" aria-label="\1"><span class="filename" aria-hidden="true">\1</span>', html
    )


def on_page_content(html, page, config, files):
    return label_outputs(html)

"""MkDocs hook: each page's meta description is its own first paragraph, in its own language.

Search engines and link previews show it (Material renders `page.meta.description`; the
Open Graph and Twitter tags in overrides/main.html reuse it). A description given in a
page's front matter wins. A formula reads as on the page: the text of its MathML copy
(`\\(p - y\\)` gives `p−y`), typeset at build time like the page's (math_render.py).
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from execdocs.engine.config import Config
from execdocs.website.math_render import FORMULA, shared_renderer

MAX_CHARS = 200  # search engines show about 160; a longer one is cut at a word or sentence end
_MATH_DELIMITERS = re.compile(r"\\[()\[\]]")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


class _Found(Exception):
    """Raised by the parser at the end of the first paragraph: the rest of the page need not be parsed."""


class _FirstParagraph(HTMLParser):
    """Collects the text of the first <p> that is not nested in another element (admonitions, tabs...)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.inside = False
        self.done = False
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "img", "hr", "input", "meta", "link", "wbr"):
            return
        if tag == "p" and self.depth == 0 and not self.done:
            self.inside = True
        self.depth += 1

    def handle_endtag(self, tag):
        if tag in ("br", "img", "hr", "input", "meta", "link", "wbr"):
            return
        self.depth -= 1
        if self.inside and self.depth == 0:
            self.inside, self.done = False, True
            raise _Found

    def handle_data(self, data):
        if self.inside:
            self.parts.append(data)


def first_paragraph(content: str, math_text=None) -> str:
    """The plain text of the first top-level paragraph of a page's HTML ('' if none); `math_text(tex)` reads a formula."""
    parser = _FirstParagraph()
    try:
        parser.feed(content)
    except _Found:  # read the formulas of the paragraph found, and only of it
        line, column = parser.getpos()
        end = sum(len(text) for text in content.splitlines(keepends=True)[: line - 1]) + column
        if math_text is not None and FORMULA.search(content, 0, end):
            parser = _FirstParagraph()
            try:
                parser.feed(FORMULA.sub(lambda match: html.escape(math_text(html.unescape(match["tex"]))), content[:end]) + "</p>")
            except _Found:
                pass
    text = _MATH_DELIMITERS.sub("", "".join(parser.parts))
    return " ".join(text.split())


def shorten(text: str, limit: int = MAX_CHARS) -> str:
    """`text` cut to `limit` characters at a word (or, in Chinese, any character) boundary, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if not _CJK.search(cut[-1]) and " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:，；：、") + "…"


def on_page_content(content, page, config, files):
    # A notebook page has no top-level paragraph (mkdocs-jupyter nests every cell): it keeps the site's description.
    if not page.meta.get("description") and not page.file.src_uri.endswith(".ipynb"):
        description = shorten(first_paragraph(content, shared_renderer(Config.from_env()).text))
        if description:
            page.meta["description"] = html.escape(description)
    return content

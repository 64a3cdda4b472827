"""What the language tests compare between a zh page and its en twin."""

from __future__ import annotations

import re
from pathlib import Path

from markdown.extensions.toc import slugify

from execdocs.engine.config import Config
from execdocs.engine.directives import find_directives

CONFIG = Config()
DOCS_DIR = CONFIG.docs_dir

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*(?:\{\s*#([\w\-]+)\s*\})?\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")


def pages(language: str) -> set[str]:
    """Page paths relative to docs/<language>/."""
    root = DOCS_DIR / language
    return {p.relative_to(root).as_posix() for p in root.rglob("*.md")}


def page_file(language: str, page: str) -> Path:
    return DOCS_DIR / language / page


def included(language: str, page: str) -> list[str]:
    """The run(...) targets of a page, in order."""
    path = page_file(language, page)
    return [d.target for d in find_directives(CONFIG, path.read_text(encoding="utf-8"), path) if d.kind == "run"]


def quoted(language: str, page: str) -> set[str]:
    """The value(...) targets a page quotes."""
    path = page_file(language, page)
    return {d.target for d in find_directives(CONFIG, path.read_text(encoding="utf-8"), path) if d.kind == "value"}


def anchors(language: str, page: str) -> list[tuple[int, str | None]]:
    """(level, anchor) of every heading below the title; explicit `{ #id }` or the slug MkDocs makes."""
    found, in_fence = [], False
    for line in page_file(language, page).read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else HEADING.match(line)
        if match and len(match[1]) > 1:
            found.append((len(match[1]), match[3] or slugify(match[2], "-") or None))
    return found

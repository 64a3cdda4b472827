"""What the browser tests and tests/browser/screenshots.py share: the pages, the server, Chromium.

Kept free of pytest so that the screenshot command can use it on its own.
"""

from __future__ import annotations

import functools
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from chromium import find_chromium

from execdocs.engine.config import Config
from execdocs.engine.directives import find_directives
from execdocs.website.notebooks import has_notebook, notebook_uri

DOCS_DIR, LANGUAGES = Config().docs_dir, Config().languages

# Headless, offline, quiet: no sandbox (containers run as root), no GPU, no updates or sync.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-quic", "--no-first-run", "--disable-sync",
]
NOT_FOUND = "404.html"  # the not-found page MkDocs writes in each language
LANGUAGE_NAMES = {"en": "English", "zh": "中文"}

# Math is typeset at build time (execdocs/website/math_render.py): a page must not load MathJax.
# Resolves once the page's fonts are ready; returns what went wrong, or "".
WAIT_FOR_MATH = """async (timeoutMs) => {
  if (window.MathJax) return "the page loads MathJax: its formulas should be typeset when the site is built";
  const timeout = new Promise((resolve) => setTimeout(() => resolve("timeout"), timeoutMs));
  const outcome = await Promise.race([document.fonts.ready.then(() => ""), timeout]);
  return outcome === "timeout" ? `fonts were still loading after ${timeoutMs / 1000} s` : outcome;
}"""
MATH_TIMEOUT_MS = 20_000


def playwright_chromium() -> str | None:
    """Where Playwright's own Chromium is (or would be, after `playwright install chromium`)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        return playwright.chromium.executable_path


def launch_chromium(playwright, executable: str | None = None):
    """Start headless Chromium: `executable`, else the one find_chromium finds (ChromiumNotFound says what to install)."""
    executable = executable or find_chromium(playwright_default=lambda: playwright.chromium.executable_path)
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)


# How long close_context lets a page finish loading before it closes the context anyway.
SETTLE_MS = 10_000


def close_context(context) -> None:
    """Close a browser context once each of its pages has finished loading.

    Chromium can leave Playwright's context.close() waiting for ever when a page is still navigating: measured here,
    a search result opened by Enter (navigation committed), then the context closed, hung 2 times in 6. So every
    context of the tests is closed through this (tests/browser/test_closing_contexts.py checks both)."""
    for page in context.pages:
        try:
            page.wait_for_load_state("load", timeout=SETTLE_MS)
        except Exception:  # noqa: BLE001 (a page that never loads, or already closed, is closed all the same)
            pass
    context.close()


@dataclass(frozen=True, order=True)
class SitePage:
    """One page of the built site: its language and its source under docs/<language>/ (or 404.html)."""

    language: str
    source: str

    @property
    def path(self) -> str:
        """The URL path the page is served at, e.g. /en/information/entropy/ or /zh/404.html."""
        if self.source == NOT_FOUND:
            return f"/{self.language}/{NOT_FOUND}"
        stem = self.source.removesuffix(".md").removesuffix(".ipynb").removesuffix("index").removesuffix("/")
        return f"/{self.language}/{stem}/" if stem else f"/{self.language}/"

    @property
    def doc(self) -> Path | None:
        """The Markdown source, or None for the 404 page (MkDocs makes it)."""
        return None if self.source == NOT_FOUND or self.is_notebook else DOCS_DIR / self.language / self.source

    @property
    def is_notebook(self) -> bool:
        """Whether this is a chapter's notebook page (made at build time, no source under docs/)."""
        return self.source.endswith(".ipynb")

    @property
    def name(self) -> str:
        """How messages and test ids name the page: its source file, docs/en/information/entropy.md."""
        if self.source == NOT_FOUND:
            return f"404 page ({self.path})"
        return f"notebook page {self.path}" if self.is_notebook else f"docs/{self.language}/{self.source}"

    @property
    def id(self) -> str:
        return f"{self.language}/{self.source}"

    def in_language(self, language: str) -> SitePage:
        return SitePage(language, self.source)


def sources(language: str) -> list[str]:
    """Page sources of one language, relative to docs/<language>/."""
    root = DOCS_DIR / language
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.md"))


def notebook_sources(language: str) -> list[str]:
    """The notebook pages of one language, as the build names them: one per page that shows a snippet section."""
    config = Config()
    chapters = [source for source in sources(language)
                if has_notebook(find_directives(config, (DOCS_DIR / language / source).read_text(encoding="utf-8"), DOCS_DIR / language / source))]
    return [notebook_uri(source) for source in chapters]


def site_pages(*, not_found: bool = True) -> list[SitePage]:
    """Every page of both languages, from docs/<language>/**/*.md, each chapter's notebook page, and each language's 404 page."""
    pages = [SitePage(language, source) for language in LANGUAGES for source in sources(language) + notebook_sources(language)]
    if not_found:
        pages += [SitePage(language, NOT_FOUND) for language in LANGUAGES]
    return pages


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serves files from the site directory without logging each request to stderr."""

    def log_message(self, format, *args):  # noqa: A002 (the base class names it)
        pass


@contextmanager
def serve(site_dir: Path) -> Iterator[str]:
    """Serve `site_dir` on 127.0.0.1 (a free port) in a thread; yields the base URL, http://127.0.0.1:PORT."""
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# ---------------------------------------------------------------------------
# Page weight
# ---------------------------------------------------------------------------

LOCAL_HOSTS = {"127.0.0.1"}
# Page weight budget, in bytes per page as a first-time visitor downloads it (nothing cached,
# no compression: http.server sends files as they are). See WEIGHT_BUDGET_NOTES below.
WEIGHT_BUDGET = {
    "HTML": 400_000,
    "CSS": 200_000,
    "JS": 250_000,
    "fonts": 10_000,
    "images": 50_000,
    "data": 50_000,
    "total": 750_000,  # issue 13: the heaviest page at most half of the 1.5 MB pages weighed with MathJax in the browser
}
NO_MATH_TOTAL = 300_000  # issue 13: a page without a formula (the home page, the 404 page) weighs at most this
WEIGHT_BUDGET_NOTES = (
    "HTML includes each formula as SVG (typeset at build time; glyph outlines once per page) with its MathML "
    "copy; JS is Material's bundle (114 kB) and the site's own scripts (the playground's only where it is): no MathJax; "
    "no web fonts; data is the two sitemaps: the search worker and index are fetched when search is first used (not counted)."
)
WEIGHT_KINDS = ("HTML", "CSS", "JS", "fonts", "images", "data")
_RESOURCE_KIND = {"document": "HTML", "stylesheet": "CSS", "script": "JS", "font": "fonts", "image": "images"}
_EXTENSION_KIND = {".html": "HTML", ".css": "CSS", ".js": "JS", ".woff": "fonts", ".woff2": "fonts",
                   ".png": "images", ".svg": "images", ".ico": "images", ".jpg": "images", ".webp": "images"}


def weight_kind(url: str, resource_type: str) -> str:
    """HTML, CSS, JS, fonts, images or data (search index, sitemaps)."""
    if resource_type in _RESOURCE_KIND:
        return _RESOURCE_KIND[resource_type]
    return _EXTENSION_KIND.get(Path(urllib.parse.urlsplit(url).path).suffix.lower(), "data")

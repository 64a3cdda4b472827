"""The offline copy (`make offline`) works opened from disk: math, search and language links (issue 14).

The zip is built once (tools/offline_archive.py) into a temporary folder and unpacked; a few
pages of each language are opened through file:// in the session's Chromium. They are the
same pages the online tests check one by one: here only what changes offline is at stake
(file:// addresses, math and search without a server), and the same JavaScript on more pages
would prove nothing more.
"""

from __future__ import annotations

import subprocess
import sys
import urllib.parse
import zipfile
from pathlib import Path

import pytest
from browsing import MATH_TIMEOUT_MS, WAIT_FOR_MATH, close_context, sources

from execdocs.engine.config import Config

LANGUAGES = Config().languages
ROOT = Config().root

ARCHIVE_TOOL = ROOT / "tools" / "offline_archive.py"
SEARCHES = {"en": ("label smoothing", "practice/label_smoothing.html"), "zh": ("标签平滑", "practice/label_smoothing.html")}
# The home page, a page deep in the tree with math and code, and the one with the most formulas.
SAMPLED = ("index.md", "information/entropy.md", "pytorch/gradient.md")
PAGES = [(language, source) for language in LANGUAGES for source in sources(language) if source in SAMPLED]


def offline_path(source: str) -> str:
    """The file MkDocs writes for a page when directory URLs are off: practice/label_smoothing.html."""
    return source.removesuffix(".md") + ".html"


@pytest.fixture(scope="session")
def offline_copy(tmp_path_factory) -> Path:
    """The offline zip, built by the documented command and unpacked: the folder holding index.html."""
    folder = tmp_path_factory.mktemp("offline")
    archive = folder / "offline.zip"
    result = subprocess.run([sys.executable, str(ARCHIVE_TOOL), "--out", str(archive)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(folder / "unpacked")
    (root,) = (folder / "unpacked").iterdir()
    return root


@pytest.fixture(scope="session")
def offline_visits(offline_copy, browser):
    """Each page of both languages opened from disk: math state, formula counts, network requests, language links."""
    visits = {}
    for language, source in PAGES:
        context = browser.new_context()
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda request, requests=requests: requests.append(request.url))
        page.goto((offline_copy / language / offline_path(source)).as_uri(), wait_until="load")
        visits[language, source] = {
            "math": page.evaluate(WAIT_FOR_MATH, MATH_TIMEOUT_MS),
            "typeset": page.locator("mjx-container").count(),
            "formulas": page.locator(".arithmatex").count(),
            "raw_tex": page.evaluate(r"""() => [...document.querySelectorAll('.arithmatex')].filter(e => !e.querySelector('mjx-container')).length"""),
            "network": [url for url in requests if not url.startswith(("file:", "data:", "blob:", "about:"))],
            "languages": {other: page.locator(f"a.md-select__link[hreflang={other}]").evaluate("a => a.href") for other in LANGUAGES},
            "lang": page.evaluate("document.documentElement.lang"),
        }
        close_context(context)
    return visits


@pytest.mark.parametrize("language, source", PAGES)
def test_offline_page_typesets_its_math(offline_visits, language, source):
    """Assert every formula of a page opened from disk is typeset (at build time: no script needed)."""
    visit = offline_visits[language, source]
    assert visit["math"] == "", visit["math"]
    assert visit["raw_tex"] == 0 and visit["typeset"] >= visit["formulas"], visit


@pytest.mark.parametrize("language, source", PAGES)
def test_offline_page_asks_nothing_of_the_network(offline_visits, language, source):
    """Assert a page opened from disk requests nothing over the network (no CDN, no sitemap of the public host)."""
    assert not offline_visits[language, source]["network"]


@pytest.mark.parametrize("language, source", PAGES)
def test_offline_language_links_open_the_same_page_on_disk(offline_visits, offline_copy, language, source):
    """Assert each language link points at the same page's file in that language, and the file exists."""
    visit = offline_visits[language, source]
    assert visit["lang"] == language
    for other, href in visit["languages"].items():
        target = Path(urllib.parse.unquote(urllib.parse.urlsplit(href).path))
        assert target == offline_copy / other / offline_path(source), f"{language}/{source}: the {other} link is {href}"
        assert target.is_file()


@pytest.mark.parametrize("language", LANGUAGES)
def test_offline_search_finds_the_page_that_teaches_it(offline_copy, browser, language):
    """Assert search works from disk (index inlined, iframe-worker shim) and finds the page that teaches the term."""
    query, expected = SEARCHES[language]
    page = browser.new_page()
    try:
        page.goto((offline_copy / language / "index.html").as_uri(), wait_until="load")
        field = page.locator("input.md-search__input")
        field.click()
        field.fill(query)
        results = page.locator(".md-search-result__item a")
        for _ in range(30):  # the worker (an iframe, from disk) may still be loading the index: ask again
            field.press("End")  # Material reads the box on keyup; fill() sends none
            page.wait_for_timeout(1000)
            if results.count():
                break
        hrefs = page.locator(".md-search-result__item a").evaluate_all("links => links.map(a => a.href)")
        assert any(urllib.parse.urlsplit(href).path.endswith(f"/{language}/{expected}") for href in hrefs), hrefs
    finally:
        close_context(page.context)


def test_offline_picker_opens_a_language(offline_copy, browser):
    """Assert the unpacked copy's index.html sends the reader to a language's home page file."""
    page = browser.new_page()
    try:
        page.goto((offline_copy / "index.html").as_uri())
        page.wait_for_url("**/index.html", timeout=10_000)
        page.wait_for_load_state("load")
        assert urllib.parse.urlsplit(page.url).path in {(offline_copy / language / "index.html").as_posix() for language in LANGUAGES}
        assert page.locator("h1").count() == 1
    finally:
        close_context(page.context)

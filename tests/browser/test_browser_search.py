"""Material's search box finds the page that teaches a topic, in Chinese on /zh/ and in English on /en/; by keyboard too."""

from __future__ import annotations

import re
import urllib.parse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from browsing import SitePage, close_context
from keyboard import focus_problem, tab_to

# (language, query, the page that teaches it). The Chinese index is cut into words by jieba.
SEARCHES = [
    ("zh", "交叉熵", "cross_entropy/kl_divergence.md"),
    ("zh", "标签平滑", "practice/label_smoothing.md"),
    ("en", "cross-entropy", "cross_entropy/kl_divergence.md"),
    ("en", "label smoothing", "practice/label_smoothing.md"),
]
TOP = 5  # the page must be among the first TOP pages listed


@pytest.fixture(scope="module")
def tab(browser):
    context = browser.new_context()
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    close_context(context)


SEARCH_READY_JS = """() => {
  const placeholder = JSON.parse(document.getElementById("__config").textContent).translations["search.result.placeholder"];
  const meta = document.querySelector(".md-search-result__meta");
  return meta && meta.textContent.trim() === placeholder;
}"""
RESULTS_JS = """() => [...document.querySelectorAll(".md-search-result__item")].map((item) => {
  const link = item.querySelector("a");
  return link ? link.href : "";
})"""


@pytest.mark.parametrize(("language", "query", "source"), SEARCHES, ids=[f"{language}-{source}" for language, _, source in SEARCHES])
def test_search_finds_the_page(tab, site_url, language, query, source):
    """Assert typing the query into the search box lists the page that teaches it among the first results."""
    expected = SitePage(language, source)
    assert expected.doc.is_file(), f"{expected.name} does not exist (yet): no page teaches {query!r} for the search to find"
    response = tab.goto(f"{site_url}/{language}/")
    assert response is not None and response.status == 200, f"/{language}/ answers {response.status if response else 'nothing'}"
    # The index is fetched when the reader first reaches for search (search-on-demand.js); Material
    # then builds it in a worker and shows its placeholder ("Type to start searching") under the box.
    toggle = tab.locator("label.md-header__button[for=__search]")
    field = tab.locator("input.md-search__input")
    (toggle if toggle.is_visible() else field).click()  # narrow screens show a button, wide ones the box
    try:
        tab.wait_for_function(SEARCH_READY_JS, timeout=20_000)
    except Exception:  # noqa: BLE001
        pytest.fail(f"the search on /{language}/ never became ready (search/search_index.json or the search worker failed?)")
    field.fill(query)
    field.press("End")  # Material reads the box on keyup (a typed key, or the key that commits an IME); fill() sends none
    try:
        tab.locator(".md-search-result__item").first.wait_for(timeout=15_000)
    except Exception:  # noqa: BLE001 (reported below with what the search shows)
        meta = tab.locator(".md-search-result__meta").text_content(timeout=1000) or ""
        pytest.fail(f"searching {query!r} on /{language}/ lists no result after 15 s (the search says: {meta.strip()!r})")
    found = list(dict.fromkeys(urllib.parse.urlsplit(href).path for href in tab.evaluate(RESULTS_JS)))
    assert expected.path in found[:TOP], (
        f"searching {query!r} on /{language}/ does not list {expected.path} ({expected.name}) among the first {TOP} pages; "
        f"it lists: {', '.join(found[:10]) or 'nothing'}"
    )


def test_the_search_index_loads_when_search_is_first_used(browser, site_url, language="zh"):
    """Assert a page load downloads neither the search index nor the search worker, and a click in the search box
    downloads each once, the index as plain UTF-8."""
    context = browser.new_context()
    page = context.new_page()
    fetched: list = []
    worker: list = []
    context.on("requestfinished", lambda request: fetched.append(request) if request.url.endswith("/search/search_index.json") else None)
    context.on("request", lambda request: worker.append(request.url) if "/workers/search." in request.url else None)
    page.goto(f"{site_url}/{language}/", wait_until="load")
    page.wait_for_timeout(500)
    assert not fetched, "the search index is downloaded with the page, before anyone searches"
    assert not worker, f"the search worker is downloaded with the page, before anyone searches: {worker}"
    toggle = page.locator("label.md-header__button[for=__search]")
    (toggle if toggle.is_visible() else page.locator("input.md-search__input")).click()
    page.wait_for_function(SEARCH_READY_JS, timeout=20_000)
    assert len(worker) == 1, f"the search worker was requested {len(worker)} times once search was used"
    assert len(fetched) == 1
    body = fetched[0].response().body().decode("utf-8")
    escaped = re.findall(r"\\u[4-9][0-9a-f]{3}", body)  # a Chinese character written as \uXXXX
    assert "熵" in body and not escaped, f"the Chinese index is not plain UTF-8: {escaped[:3]}"
    close_context(context)


SEARCH_OPEN_JS = "() => document.activeElement.matches('input.md-search__input') && document.getElementById('__search').checked"


def search_open_by_keyboard(tab, attempts: int = 3) -> bool:
    """Whether the search field has the focus and the search is open, after at most `attempts` Shift+Tab, Tab."""
    for _ in range(attempts):
        try:
            tab.wait_for_function(SEARCH_OPEN_JS, timeout=5_000)
            return True
        except PlaywrightTimeout:
            tab.keyboard.press("Shift+Tab")
            tab.wait_for_timeout(500)
            tab.keyboard.press("Tab")
    return False


@pytest.mark.parametrize(("language", "query", "source"), SEARCHES[1::2], ids=[f"{language}-{source}" for language, _, source in SEARCHES[1::2]])
def test_search_by_keyboard_opens_a_result(browser, site_url, language, query, source):
    """Assert Tab reaches the search field with a visible focus, and typing, ArrowDown and Enter open a result."""
    # A page of its own: the module's shared tab keeps the search state the earlier tests left.
    context = browser.new_context()
    context.set_default_timeout(10_000)
    tab = context.new_page()
    try:
        response = tab.goto(f"{site_url}/{language}/")
        assert response is not None and response.status == 200, f"/{language}/ answers {response.status if response else 'nothing'}"
        assert tab_to(tab, "input.md-search__input"), f"/{language}/: Tab never reaches the search field"
        tab.wait_for_function(SEARCH_READY_JS, timeout=20_000)  # the index loads once the field has the focus
        problem = focus_problem(tab)
        assert not problem, f"/{language}/: the search field: {problem}"
        # focus_problem moved the focus away and back: Material closes the search on blur and opens it on focus, each a
        # moment later (later still while the index it has just fetched is being built), so a close can land after the
        # open. A keyboard user then does what this does: Shift+Tab out of the field and Tab back in.
        assert search_open_by_keyboard(tab), f"/{language}/: Tab back into the search field never opens the search"
        tab.keyboard.type(query)
        tab.keyboard.press("End")  # Material reads the field on keyup; typing Chinese inserts text without one
        tab.locator(".md-search-result__item").first.wait_for(timeout=15_000)
        tab.keyboard.press("ArrowDown")
        chosen = tab.evaluate("document.activeElement.href || ''")
        assert chosen, f"/{language}/: ArrowDown in the search field does not focus the first result"
        with tab.expect_navigation(wait_until="commit", timeout=10_000):
            tab.keyboard.press("Enter")
        assert urllib.parse.urlsplit(tab.url).path == urllib.parse.urlsplit(chosen).path, f"/{language}/: Enter on the result {chosen} opened {tab.url}"
    finally:
        close_context(context)

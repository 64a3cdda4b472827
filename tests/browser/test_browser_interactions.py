"""Clicks, once per language and on each 404 page: copy a code block, toggle the colour scheme, switch language.

The JavaScript behind them is the same on every page (Material's bundle, language-switch.js), so
clicking on every page tests nothing more; test_browser_pages.py checks on every page what these
clicks act on (each copy button's target, the palette's schemes, the language link's href). The
content page clicked is the one with the most code blocks (`CLICKED`); the phone drawer is tapped
in test_browser_mobile.py.
"""

from __future__ import annotations

import re
import urllib.parse

import pytest
from browsing import LANGUAGE_NAMES, NOT_FOUND, SitePage, sources
from page_state import CODE_BLOCKS_JS, COPY_BUTTON, SCHEME_JS, block_label, normal, scheme_problems

from execdocs.engine.config import Config
from execdocs.engine.directives import find_directives

CONFIG = Config()
DOCS_DIR, LANGUAGES = CONFIG.docs_dir, CONFIG.languages


def _most_code(language: str = "en") -> str:
    """The page source with the most run(...) directives (the first, on a tie): most code blocks, tabs and outputs."""
    def count(source: str) -> int:
        path = DOCS_DIR / language / source
        return sum(directive.kind == "run" for directive in find_directives(CONFIG, path.read_text(encoding="utf-8"), path))
    return max(sources(language), key=count)


CLICKED = [SitePage(language, _most_code()) for language in LANGUAGES]
NOT_FOUND_PAGES = [SitePage(language, NOT_FOUND) for language in LANGUAGES]


def _load(visitor, site_page: SitePage):
    return visitor.visit(site_page, [])  # Playwright's default viewport: 1280x720, a desktop


@pytest.fixture(scope="module", params=CLICKED, ids=[page.id for page in CLICKED])
def content(request, visitor):
    """The page with the most code blocks, in a fresh context (clipboard allowed)."""
    visit = _load(visitor, request.param)
    yield visit
    visit.close()


@pytest.fixture(scope="module", params=NOT_FOUND_PAGES, ids=[page.id for page in NOT_FOUND_PAGES])
def not_found(request, visitor):
    """The 404 page, in a fresh context."""
    visit = _load(visitor, request.param)
    yield visit
    visit.close()


def _errors(visit) -> list[str]:
    return [f"console error: {text}" for text in visit.console_errors] + [f"uncaught exception: {text}" for text in visit.page_errors]


def _report(visit, problems: list[str], errors_before: list[str]) -> None:
    """Fail with the problems found, and any error the page logged since `errors_before`."""
    problems = problems + _errors(visit)[len(errors_before):]
    assert not problems, f"{visit.site_page.name} ({visit.site_page.path}):\n  " + "\n  ".join(dict.fromkeys(problems))


# ---------------------------------------------------------------------------
# Copy
# ---------------------------------------------------------------------------

SENTINEL = "(the clipboard before the click)"
# A comment, and a comment in Chinese: what a zh page's copy must carry (tests/test_comment_catalogue.py).
COMMENT = re.compile(r"#\s*\S")
CHINESE_COMMENT = re.compile(r"#[^\n]*[\u4e00-\u9fff]")
# Shows code block `index` as a reader would get to it (opens <details>, selects the tabs holding it),
# scrolls to it, puts a sentinel in the clipboard, and waits for Material's copy button.
PREPARE_JS = """async ([index, sentinel, button]) => {
  const block = document.querySelectorAll("div.highlight")[index];
  for (let node = block; node; node = node.parentElement) {
    if (node.tagName === "DETAILS") node.open = true;
    if (node.classList.contains("tabbed-block")) {
      const position = [...node.parentElement.children].indexOf(node);
      const input = node.closest(".tabbed-set").querySelectorAll(":scope > input")[position];
      if (input && !input.checked) document.querySelector(`label[for="${input.id}"]`).click();
    }
  }
  block.scrollIntoView({block: "center"});
  await navigator.clipboard.writeText(sentinel);
  for (let waited = 0; waited < 3000; waited += 50) {
    if (block.querySelector(button)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}"""


def test_copy_button_puts_the_code_in_the_clipboard(content):
    """Assert clicking a copy button puts the block's code in the clipboard, never its output.

    Clicked: the first code block, and the first one that starts hidden (in a tab not selected,
    or a closed <details>).
    """
    content.require_page()
    page, before = content.page, _errors(content)
    blocks = page.evaluate(CODE_BLOCKS_JS, COPY_BUTTON)
    code_blocks = [block for block in blocks if not block["output"]]
    assert code_blocks, f"{content.site_page.name} has no code block to copy (CLICKED should be the page with the most)"
    outputs = {normal(block["shown"]) for block in blocks if block["output"]}
    problems = []
    for block in code_blocks[:1] + [block for block in code_blocks[1:] if block["hidden"]][:1]:
        label = block_label(block)
        if not page.evaluate(PREPARE_JS, [block["index"], SENTINEL, COPY_BUTTON]):
            problems.append(f"{label}: no copy button ({COPY_BUTTON}) after scrolling to it")
            continue
        page.locator("div.highlight").nth(block["index"]).locator(COPY_BUTTON).click()
        copied = normal(page.evaluate("navigator.clipboard.readText()"))
        if copied == SENTINEL:
            problems.append(f"{label}: clicking the copy button copied nothing")
        elif copied in outputs:
            problems.append(f"{label}: the copy button copied the output, not the code:\n      {copied[:200]!r}")
        elif copied != normal(block["shown"]):
            problems.append(f"{label}: copied text differs from the code shown:\n      copied {copied[:200]!r}\n      shown  {normal(block['shown'])[:200]!r}")
        elif content.site_page.language == "zh" and COMMENT.search(copied) and not CHINESE_COMMENT.search(copied):
            problems.append(f"{label}: the Chinese page copies code with English comments only:\n      {copied[:200]!r}")
    _report(content, problems, before)


# ---------------------------------------------------------------------------
# Colour scheme toggle
# ---------------------------------------------------------------------------


def _toggle_problems(page) -> list[str]:
    """Click the palette toggle twice: default -> slate (checked: dark, readable) -> default."""
    problems = scheme_problems(page, "default")
    for scheme in ("slate", "default"):
        toggle = page.locator("form[data-md-component=palette] label:visible")
        if toggle.count() != 1:
            return [*problems, f"expected one visible palette toggle in the header, found {toggle.count()}"]
        toggle.click()
        try:
            page.wait_for_function(f"() => ({SCHEME_JS})() === {scheme!r}", timeout=5000)
        except Exception:  # noqa: BLE001 (reported below, with the scheme found)
            pass
        if scheme == "slate":
            problems += scheme_problems(page, scheme)
        elif (found := page.evaluate(SCHEME_JS)) != scheme:
            problems.append(f"the toggle does not switch back: data-md-color-scheme is {found!r}, expected {scheme!r}")
    return problems


def test_palette_toggle_switches_scheme_and_back(content):
    """Assert clicking the palette toggle switches default -> slate -> default, and slate looks dark and readable."""
    content.require_page()
    before = _errors(content)
    _report(content, _toggle_problems(content.page), before)


def test_palette_toggle_on_the_404_page(not_found):
    """Assert the palette toggle works on the 404 page too (MkDocs renders it without a page)."""
    not_found.require_page()
    before = _errors(not_found)
    _report(not_found, _toggle_problems(not_found.page), before)


# ---------------------------------------------------------------------------
# Language switch (last: it leaves the page)
# ---------------------------------------------------------------------------


def _switch_problems(visit, expected: SitePage) -> list[str]:
    """Hover the language selector, click the other language, and check where the browser lands."""
    page, start = visit.page, visit.site_page
    page.evaluate("window.scrollTo(0, 0)")
    link = page.locator(f".md-header a.md-select__link[hreflang={expected.language}]")
    name = LANGUAGE_NAMES[expected.language]
    if link.count() != 1:
        return [f"expected one {name} link (a.md-select__link[hreflang={expected.language}]) in the header, found {link.count()}"]
    page.locator(".md-header .md-select").hover()  # the list opens on hover
    with page.expect_navigation(wait_until="commit") as navigation:
        link.click()
    response, path = navigation.value, urllib.parse.urlsplit(page.url).path
    if path != expected.path:
        return [f"the {name} link leads to {path}, not to {expected.path}"]
    status = response.status if response else "nothing"
    if status != 200:
        return [f"the {name} link leads to {path}, which answers {status}"]
    lang = page.wait_for_function("() => document.body && document.documentElement.lang").json_value()  # <html> parsed
    return [] if lang == expected.language else [f"the {name} link leads to {path}, whose <html lang={lang!r}>, expected {expected.language!r}"]


def _other(language: str) -> str:
    return next(other for other in LANGUAGES if other != language)


def test_language_switch_opens_the_same_page(content):
    """Assert clicking the other language in the selector opens the same page in that language (not its home page)."""
    content.require_page()
    before = _errors(content)
    _report(content, _switch_problems(content, content.site_page.in_language(_other(content.site_page.language))), before)


def test_language_switch_on_the_404_page_opens_the_home_page(not_found):
    """Assert on the 404 page the selector's other language opens that language's home page."""
    not_found.require_page()
    before = _errors(not_found)
    _report(not_found, _switch_problems(not_found, SitePage(_other(not_found.site_page.language), "index.md")), before)

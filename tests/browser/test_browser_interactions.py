"""Clicks and keys, once per language and on each 404 page: copy, colour scheme, content tabs, language; accessibility.

The JavaScript behind them is the same on every page (Material's bundle, language-switch.js), so
clicking on every page tests nothing more; test_browser_pages.py checks on every page what these
clicks act on (each copy button's target, the palette's schemes, the language link's href). The
content page clicked is the one with the most code blocks (`CLICKED`); the phone drawer is tapped
in test_browser_mobile.py.

The same page is also driven by keyboard alone (each control reached by Tab shows its focus and
works with Enter, Space or the arrow keys), read through Chromium's accessibility tree (formulas
as MathML, output blocks named as output), emulated with prefers-reduced-motion, and printed.
"""

from __future__ import annotations

import re
import urllib.parse

import pytest
from PIL import Image, ImageStat
from accessibility import SCHEME_RULES, describe, run_axe, serious
from browsing import LANGUAGE_NAMES, NOT_FOUND, SitePage, sources
from keyboard import focus_problem, tab_to
from page_state import APPLY_SCHEME_JS, CODE_BLOCKS_JS, COPY_BUTTON, SCHEME_JS, block_label, luminance, normal, scheme_problems

from execdocs.engine.config import Config
from execdocs.engine.directives import OUTPUT_TITLE, find_directives

CONFIG = Config()
DOCS_DIR, LANGUAGES = CONFIG.docs_dir, CONFIG.languages


def _most_code(language: str = "en") -> str:
    """The page source with the most run(...) directives (the first, on a tie) among those with every kind of control.

    Every kind: content tabs and the logit playground besides code blocks, so that the keyboard
    tests reach each kind of control (CONTROLS) on it; any page, if none has them all.
    """
    def count(source: str) -> int:
        path = DOCS_DIR / language / source
        return sum(directive.kind == "run" for directive in find_directives(CONFIG, path.read_text(encoding="utf-8"), path))

    def has_every_control(source: str) -> bool:
        text = (DOCS_DIR / language / source).read_text(encoding="utf-8")
        return '=== "' in text and 'class="logit-playground"' in text

    return max(sources(language), key=lambda source: (has_every_control(source), count(source)))


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
# axe-core in the dark scheme (the light scheme: every page, test_browser_pages.py)
# ---------------------------------------------------------------------------


def test_axe_finds_nothing_serious_in_code_blocks(content):
    """Assert axe-core, code blocks included, finds nothing serious in the light scheme (other pages leave code out)."""
    content.require_page()
    found = serious(run_axe(content.page))
    assert not found, f"{content.site_page.name} ({content.site_page.path}), axe-core:\n  " + "\n  ".join(describe(found, "in the light scheme"))


def test_axe_finds_nothing_serious_in_the_dark_scheme(content):
    """Assert axe-core's colour rules (contrast, links told apart from text) find nothing serious in the dark scheme.

    The other rules do not depend on colours; this page has every kind of code token, link and control.
    """
    content.require_page()
    page = content.page
    assert page.evaluate(APPLY_SCHEME_JS, "slate"), f"{content.site_page.name}: the palette has no 'slate' option"
    try:
        found = serious(run_axe(page, rules=SCHEME_RULES))
    finally:
        page.evaluate(APPLY_SCHEME_JS, "default")
    assert not found, f"{content.site_page.name} ({content.site_page.path}), axe-core:\n  " + "\n  ".join(describe(found, "in the dark scheme"))


# ---------------------------------------------------------------------------
# Keyboard: every control reached by Tab shows its focus, and works without a mouse
# ---------------------------------------------------------------------------

# Each kind of control, as Tab reaches it (the first of each kind on the page).
CONTROLS = {
    "colour-scheme toggle": "form[data-md-component=palette] input.md-option",
    "language link": ".md-header a.md-select__link",
    "search field": "input.md-search__input",
    "copy button": COPY_BUTTON,
    "content tab": ".tabbed-set > input",
    "playground input": ".logit-playground input",
}


def _start_keyboard(page) -> None:
    """Focus nothing, at the top of the page: the next Tab goes to the first control."""
    page.evaluate("() => { document.activeElement.blur(); window.scrollTo(0, 0); }")
    page.locator("body").focus()


def test_keyboard_reaches_every_control_with_visible_focus(content):
    """Assert Tab reaches each kind of control (CONTROLS) and its focus shows as an outline or a shadow it lacks unfocused."""
    content.require_page()
    page, before = content.page, _errors(content)
    problems = []
    for kind, selector in CONTROLS.items():
        if not page.locator(selector).count():
            problems.append(f"the page has no {kind} ({selector}): CLICKED should be a page with one of each")
            continue
        _start_keyboard(page)
        if not tab_to(page, selector):
            problems.append(f"Tab never reaches a {kind} ({selector})")
        elif problem := focus_problem(page):
            problems.append(f"{kind}: {problem}")
    page.keyboard.press("Escape")  # the search field opens the search: close it
    _report(content, problems, before)


def test_keyboard_toggles_scheme(content):
    """Assert the focused colour-scheme toggle switches to dark on Enter and back to light on Space."""
    content.require_page()
    page, before = content.page, _errors(content)
    problems = []
    for key, scheme in (("Enter", "slate"), ("Space", "default")):
        page.locator("form[data-md-component=palette] input.md-option:has(+ label:not([hidden]))").focus()  # the scheme shown
        page.keyboard.press(key)
        try:
            page.wait_for_function(f"() => ({SCHEME_JS})() === {scheme!r}", timeout=5000)
        except Exception:  # noqa: BLE001 (reported below)
            problems.append(f"{key} on the focused toggle: data-md-color-scheme is {page.evaluate(SCHEME_JS)!r}, expected {scheme!r}")
    _report(content, problems, before)


def test_keyboard_copies_code(content):
    """Assert Enter and Space on the focused copy button each put the block's code in the clipboard."""
    content.require_page()
    page, before = content.page, _errors(content)
    block = next(block for block in page.evaluate(CODE_BLOCKS_JS, COPY_BUTTON) if not block["output"] and not block["hidden"])
    problems = []
    for key in ("Enter", "Space"):
        if not page.evaluate(PREPARE_JS, [block["index"], SENTINEL, COPY_BUTTON]):
            problems.append(f"{block_label(block)}: no copy button ({COPY_BUTTON})")
            break
        page.locator("div.highlight").nth(block["index"]).locator(COPY_BUTTON).focus()
        page.keyboard.press(key)
        copied = normal(page.evaluate("navigator.clipboard.readText()"))
        if copied != normal(block["shown"]):
            problems.append(f"{block_label(block)}: {key} on its copy button copied {copied[:80]!r}, not the code shown")
    _report(content, problems, before)


TABS_JS = """() => [...document.querySelector(".tabbed-set").querySelectorAll(":scope > input")].map((input) => input.checked)"""
SHOWN_BLOCK_JS = """() => {
  const set = document.querySelector(".tabbed-set");
  return [...set.querySelectorAll(":scope > .tabbed-content > .tabbed-block")].map((block) => block.checkVisibility());
}"""


def test_keyboard_switches_content_tabs(content):
    """Assert the arrow keys on a focused content tab select the next tab, show its content, and come back."""
    content.require_page()
    page, before = content.page, _errors(content)
    problems = []
    start = page.evaluate(TABS_JS)
    page.locator(".tabbed-set").first.locator(":scope > input").nth(start.index(True)).focus()
    for key, expected in (("ArrowRight", (start.index(True) + 1) % len(start)), ("ArrowLeft", start.index(True))):
        page.keyboard.press(key)
        checked, shown = page.evaluate(TABS_JS), page.evaluate(SHOWN_BLOCK_JS)
        if checked.index(True) != expected or shown.index(True) != expected:
            problems.append(f"{key} on the focused tab: tab {checked.index(True) + 1} selected, block {shown.index(True) + 1} shown; expected {expected + 1}")
    _report(content, problems, before)


# ---------------------------------------------------------------------------
# Screen readers: Chromium's accessibility tree (what a screen reader is given)
# ---------------------------------------------------------------------------


def _accessibility_tree(page) -> list[dict]:
    """The page's full accessibility tree, as Chrome DevTools Protocol gives it (ignored nodes dropped)."""
    session = page.context.new_cdp_session(page)
    try:
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        session.detach()
    return [node for node in nodes if not node.get("ignored")]


def _spoken(node: dict, by_id: dict) -> str:
    """The text a node's subtree gives a screen reader."""
    parts = [node.get("name", {}).get("value", "")] if node.get("role", {}).get("value") == "StaticText" else []
    return "".join(parts + [_spoken(by_id[child], by_id) for child in node.get("childIds", []) if child in by_id])


def test_formulas_reach_screen_readers(content):
    """Assert every typeset formula is a MathML math node with text in the accessibility tree (MathJax's assistive MathML)."""
    content.require_page()
    page = content.page
    nodes = _accessibility_tree(page)
    by_id = {node["nodeId"]: node for node in nodes}
    maths = [node for node in nodes if node.get("role", {}).get("value") in ("math", "MathMLMath")]
    # a folded exercise solution is out of the tree until it is opened, as it is out of sight
    formulas = page.evaluate("() => [...document.querySelectorAll('mjx-container')].filter((el) => !el.closest('details:not([open])')).length")
    assert formulas, f"{content.site_page.name} has no formula (CLICKED should be a page with math)"
    silent = sum(not _spoken(node, by_id).strip() for node in maths)
    assert len(maths) == formulas and not silent, (
        f"{content.site_page.name}: {formulas} formulas on the page, {len(maths)} math nodes in the accessibility tree, "
        f"{silent} of them without text: screen readers cannot read the formulas (is MathJax's a11y/assistive-mml loaded?)"
    )


def test_output_blocks_are_named_as_output(content):
    """Assert each output block shown is a group named "Output" in the page's language in the accessibility tree."""
    content.require_page()
    page, language = content.page, content.site_page.language
    title = OUTPUT_TITLE[language]
    outputs = page.evaluate("() => [...document.querySelectorAll('div.execdocs-output')].filter((el) => el.checkVisibility()).length")  # not in a tab not selected
    groups = [node for node in _accessibility_tree(page) if node.get("role", {}).get("value") == "group"
              and node.get("name", {}).get("value") == title]
    assert outputs, f"{content.site_page.name} has no output block (CLICKED should be a page with outputs)"
    assert len(groups) == outputs, (
        f"{content.site_page.name}: {outputs} output blocks, {len(groups)} groups named {title!r} in the accessibility tree "
        f"(hooks/output_labels.py gives each div.execdocs-output role=group and aria-label)"
    )


# ---------------------------------------------------------------------------
# prefers-reduced-motion
# ---------------------------------------------------------------------------

MOTION_JS = """() => {
  const moving = [];
  for (const el of document.querySelectorAll("body *")) {
    const style = getComputedStyle(el);
    const longest = (list) => Math.max(...list.split(",").map((t) => parseFloat(t) * (t.trim().endsWith("ms") ? 1 : 1000)));
    if (longest(style.transitionDuration) > 0 || (style.animationName !== "none" && longest(style.animationDuration) > 0)) {
      moving.push(`${el.tagName.toLowerCase()}.${[...el.classList].join(".")}`);
    }
  }
  const scroller = document.scrollingElement;
  scroller.scrollTo({top: 0, behavior: "instant"});
  const target = Math.min(600, scroller.scrollHeight - window.innerHeight);
  scroller.scrollTo({top: target, behavior: "smooth"});
  const scrolled = scroller.scrollTop;
  scroller.scrollTo({top: 0, behavior: "instant"});
  return {moving: [...new Set(moving)].slice(0, 5), count: moving.length, target, scrolled};
}"""


def test_reduced_motion_stops_transitions_and_smooth_scrolling(content):
    """Assert with prefers-reduced-motion no element has a transition or animation, and a smooth scroll jumps at once."""
    content.require_page()
    page = content.page
    page.emulate_media(reduced_motion="reduce")
    try:
        state = page.evaluate(MOTION_JS)
    finally:
        page.emulate_media(reduced_motion="no-preference")
    problems = []
    if state["count"]:
        problems.append(f"{state['count']} elements still move (transition or animation), e.g. {', '.join(state['moving'])}")
    if state["scrolled"] != state["target"]:
        problems.append(f"a smooth scroll to {state['target']} px was at {state['scrolled']} px right after: it still glides")
    assert not problems, f"{content.site_page.name} with prefers-reduced-motion: reduce:\n  " + "\n  ".join(problems)


# ---------------------------------------------------------------------------
# Print
# ---------------------------------------------------------------------------

CHROME = {"header": ".md-header", "navigation": ".md-sidebar--primary", "table of contents": ".md-sidebar--secondary",
          "footer": ".md-footer", "copy buttons": COPY_BUTTON, "page facts": ".execdocs-page-facts"}
CONTENT = {"code": "div.highlight:not(.execdocs-output) pre > code", "outputs": "div.execdocs-output pre > code",
           "formulas": "mjx-container", "text": ".md-content p"}
PRINTED_JS = """([chrome, content]) => {
  const shown = (el) => el.checkVisibility() && el.getBoundingClientRect().width > 0;
  const main = document.querySelector(".md-content").getBoundingClientRect();
  return {
    chrome: Object.fromEntries(Object.entries(chrome).map(([what, s]) => [what, [...document.querySelectorAll(s)].filter(shown).length])),
    content: Object.fromEntries(Object.entries(content).map(([what, s]) => {
      // content tabs not selected included: print shows every tab; folded exercise solutions are
      // not: they print as they are shown, folded, until a reader opens one
      const all = [...document.querySelectorAll(s)].filter((el) => !el.closest("details:not([open])"));
      return [what, [all.length, all.filter(shown).length]];
    })),
    width: main.width, viewport: window.innerWidth,
  };
}"""


def test_a_chapter_prints_well(content, tmp_path):
    """Assert in print (dark scheme chosen on screen): no navigation chrome, all code, outputs and formulas shown, dark ink on white.

    Checked on the print-media layout and on its full-page screenshot (its average brightness).
    """
    content.require_page()
    page = content.page
    page.evaluate(APPLY_SCHEME_JS, "slate")
    page.emulate_media(media="print")
    try:
        state = page.evaluate(PRINTED_JS, [CHROME, CONTENT])
        shot = tmp_path / f"print-{content.site_page.language}.png"
        page.screenshot(path=shot, full_page=True)
        ink = page.evaluate("() => getComputedStyle(document.querySelector('.md-content p')).color")
    finally:
        page.emulate_media(media="screen")
        page.evaluate(APPLY_SCHEME_JS, "default")
    problems = [f"the {what} is printed ({count} shown)" for what, count in state["chrome"].items() if count]
    for what, (total, shown) in state["content"].items():
        if not total or shown < total:
            problems.append(f"{shown} of {total} {what} printed")
    if state["width"] < 0.9 * state["viewport"]:
        problems.append(f"the text takes {state['width']:.0f} of {state['viewport']} px: the navigation's space is left empty")
    if luminance([float(n) for n in re.findall(r"[\d.]+", ink)][:3]) > 0.2:
        problems.append(f"the text is printed in {ink}, light ink (the dark scheme's colours)")
    with Image.open(shot) as image:
        brightness = ImageStat.Stat(image.convert("L")).mean[0] / 255
    if brightness < 0.8:
        problems.append(f"the printed page is dark: average brightness {brightness:.2f} (screenshot {shot})")
    assert not problems, f"{content.site_page.name} printed:\n  " + "\n  ".join(problems)


# ---------------------------------------------------------------------------
# Language switch (last: it leaves the page)
# ---------------------------------------------------------------------------


def _switch_problems(visit, expected: SitePage, keyboard: bool = False) -> list[str]:
    """Open the language selector and choose the other language (hover and click, or Tab and Enter); check where the browser lands."""
    page, start = visit.page, visit.site_page
    page.evaluate("window.scrollTo(0, 0)")
    selector = f".md-header a.md-select__link[hreflang={expected.language}]"
    link = page.locator(selector)
    name = LANGUAGE_NAMES[expected.language]
    if link.count() != 1:
        return [f"expected one {name} link (a.md-select__link[hreflang={expected.language}]) in the header, found {link.count()}"]
    if keyboard:
        _start_keyboard(page)
        if not tab_to(page, selector):  # the list opens when the focus is in it
            return [f"Tab never reaches the {name} link"]
    else:
        page.locator(".md-header .md-select").hover()  # the list opens on hover
    with page.expect_navigation(wait_until="commit") as navigation:
        page.keyboard.press("Enter") if keyboard else link.click()
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
    """Assert on the 404 page the selector's other language, chosen by keyboard (Tab, Enter), opens that language's home page.

    The content page chooses it with the mouse; the link and its script are the same.
    """
    not_found.require_page()
    before = _errors(not_found)
    _report(not_found, _switch_problems(not_found, SitePage(_other(not_found.site_page.language), "index.md"), keyboard=True), before)

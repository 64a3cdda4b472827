"""Every page of both languages, loaded in Chromium as a first-time visitor would, and checked for what one load shows.

Each page is loaded once (the `visit` fixture; pytest runs all tests of one page, then the next)
and then checked: nothing but localhost is requested and nothing fails, every formula is typeset
(at build time), each copy button targets its own code block and snippet blocks show the engine's
sections, both colour schemes look right and keep text, formulas and code readable, every link and
anchor resolves, the page stays within its weight budget, axe-core finds no serious WCAG 2.2 A/AA
violation, a phone-sized viewport does not scroll sideways, and the language
selector links to the same page in the other language.

What clicks do (copy, the palette toggle, the language switch, the phone drawer) is the same
JavaScript on every page: test_browser_interactions.py and test_browser_mobile.py click them once
per language and on the 404 page.
"""

from __future__ import annotations

import re
import urllib.parse

import pytest
from accessibility import describe, serious
from browsing import LANGUAGE_NAMES, LOCAL_HOSTS, NOT_FOUND, NO_MATH_TOTAL, WEIGHT_BUDGET, WEIGHT_BUDGET_NOTES, SitePage, site_pages
from page_state import APPLY_SCHEME_JS, CODE_BLOCKS_JS, COPY_BUTTON, block_label, first_difference, normal, scheme_problems

from execdocs.engine.config import Config
from execdocs.engine.directives import find_directives, shown_code

CONFIG = Config()
LANGUAGES = CONFIG.languages

PAGES = site_pages()

# Where on a page an element is, in words, for messages.
REGION_JS = """(el) => {
  const regions = [[".md-nav--secondary", "table of contents"], [".md-sidebar--primary", "navigation"],
    [".md-header", "header"], [".md-footer", "footer"], [".md-search", "search"], [".md-tabs", "tabs"],
    [".md-content", "page content"]];
  for (const [selector, name] of regions) if (el.closest(selector)) return name;
  return el.tagName.toLowerCase();
}"""


@pytest.fixture(scope="module", params=PAGES, ids=[page.id for page in PAGES])
def visit(request, visitor, browser_report):
    """The page, loaded in a fresh context; pytest runs all of a page's tests, then the next page."""
    order = browser_report.visit_order  # the pages the selected tests visit, in run order
    upcoming = order[order.index(request.param) + 1 :] if request.param in order else []
    visit = visitor.visit(request.param, upcoming, audit=True)  # axe audits each page while the one before is tested
    browser_report.load_seconds[request.param.id] = visit.seconds
    yield visit
    visit.close()


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).hostname or ""


# Sections follow the items of issue #4.
# ---------------------------------------------------------------------------
# 1. Loads cleanly: no other host, no failed request, no console error
# ---------------------------------------------------------------------------


def test_no_request_leaves_localhost(visit):
    """Assert the page and its workers request nothing from another host (no CDN, no API, no fonts)."""
    visit.require_page()
    others = [url for url in dict.fromkeys(visit.requests) if urllib.parse.urlsplit(url).scheme in ("http", "https", "ws", "wss") and _host(url) not in LOCAL_HOSTS]
    assert not others, f"{visit.site_page.name} ({visit.site_page.path}) requests other hosts; the site must serve everything itself:\n  " + "\n  ".join(others)


def test_no_request_fails(visit):
    """Assert every request of the page got a successful answer (no 404 for an asset, nothing refused)."""
    visit.require_page()
    errors = [f"{status} {url}" for url, status, _, _ in visit.responses if status >= 400]
    errors += [f"failed: {failure}" for failure in visit.failed]
    assert not errors, f"{visit.site_page.name} ({visit.site_page.path}): requests failed:\n  " + "\n  ".join(errors)


def test_no_console_error(visit):
    """Assert the page logs no console error and throws no uncaught exception while loading."""
    visit.require_page()
    errors = [f"console error: {text}" for text in visit.console_errors] + [f"uncaught exception: {text}" for text in visit.page_errors]
    assert not errors, f"{visit.site_page.name} ({visit.site_page.path}):\n  " + "\n  ".join(errors)


# ---------------------------------------------------------------------------
# 2. Every formula typeset (at build time)
# ---------------------------------------------------------------------------

MATH_STATE_JS = """() => {
  const region = %s;
  const formulas = [...document.querySelectorAll(".arithmatex")];
  const glyphs = [...document.querySelectorAll("mjx-container svg use")];
  const outline = (use) => document.getElementById((use.getAttribute("href") || use.getAttribute("xlink:href") || "").slice(1));
  const state = {
    containers: document.querySelectorAll("mjx-container").length,
    untypeset: formulas.filter((el) => !el.querySelector("mjx-container")).map((el) => el.textContent.replace(/\\s+/g, " ").trim().slice(0, 100)),
    errors: [...document.querySelectorAll("mjx-merror")].map((el) => el.getAttribute("data-mjx-error") || el.textContent),
    glyphs: glyphs.length,
    // a glyph whose outline is not in the page draws nothing
    blank: glyphs.filter((use) => !outline(use)).length,
    // a browser paints a long page while parsing it: an outline further down leaves the formula blank until then
    late: glyphs.filter((use) => (outline(use)?.compareDocumentPosition(use) ?? 0) & Node.DOCUMENT_POSITION_PRECEDING).length,
    failedFonts: [...document.fonts].filter((font) => font.status === "error").map((font) => font.family),
  };
  // The visible text, code blocks excluded (hidden for a moment, then shown again).
  const code = [...document.querySelectorAll("pre, code")];
  const displays = code.map((el) => el.style.display);
  code.forEach((el) => { el.style.display = "none"; });
  state.text = document.body.innerText;
  const where = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!el || el.closest("pre, code, script, style, mjx-container") || !el.checkVisibility()) continue;
    if (["\\\\(", "\\\\)", "\\\\[", "\\\\]", "$$"].some((d) => node.data.includes(d))) where.push(`${region(el)}: ${node.data.replace(/\\s+/g, " ").trim().slice(0, 120)}`);
  }
  code.forEach((el, i) => { el.style.display = displays[i]; });
  state.where = where;
  return state;
}""" % REGION_JS

FORMULA = re.compile(r'<(?:span|div)\b[^>]*\bclass="(?:[^"]*\s)?arithmatex(?:\s[^"]*)?"')
DELIMITERS = ("\\(", "\\)", "\\[", "\\]", "$$")


def test_every_formula_is_typeset(visit, fetch):
    """Assert one rendered formula per .arithmatex in the served HTML, no TeX left in the text, no blank glyph, and
    every glyph's outline before the glyph (what is painted while the page still loads shows its formulas)."""
    visit.require_page()
    served = fetch(visit.url)
    expected = len(FORMULA.findall(served.text))
    state = visit.page.evaluate(MATH_STATE_JS)
    problems = [visit.math_problem] if visit.math_problem else []
    if state["containers"] != expected:
        problems.append(f"{state['containers']} typeset formulas (mjx-container), the served HTML has {expected} (.arithmatex)")
    if state["untypeset"]:
        problems.append("formulas left as TeX: " + "; ".join(state["untypeset"][:5]))
    if state["errors"]:
        problems.append("TeX errors: " + "; ".join(state["errors"][:5]))
    if state["blank"]:
        problems.append(f"{state['blank']} of {state['glyphs']} glyphs are blank (their outline is not in the page): the formulas are invisible")
    if state["late"]:
        problems.append(f"{state['late']} of {state['glyphs']} glyphs come before their outline in the page: those formulas stay blank"
                        " on screen until the browser has parsed that far")
    if state["failedFonts"]:
        problems.append("math fonts failed to load: " + ", ".join(state["failedFonts"]))
    raw = [d for d in DELIMITERS if d in state["text"]]
    if raw:
        problems.append(f"raw TeX delimiters {' '.join(raw)} in the visible text:\n    " + "\n    ".join(state["where"] or ["(not located)"]))
    assert not problems, f"{visit.site_page.name} ({visit.site_page.path}):\n  " + "\n  ".join(problems)


# ---------------------------------------------------------------------------
# 5. Copy buttons copy the code, never the output (the click itself: test_browser_interactions.py)
# ---------------------------------------------------------------------------


def test_copy_buttons_target_their_code(visit):
    """Assert every code block has one copy button, and it names the block's own <code> (never an output block's) as what to copy."""
    visit.require_page()
    blocks = visit.page.evaluate(CODE_BLOCKS_JS, COPY_BUTTON)
    problems = []
    for block in blocks:
        label = block_label(block)
        if len(block["copy"]) != 1:
            problems.append(f"{label}: {len(block['copy'])} copy buttons ({COPY_BUTTON}), expected one")
        for button in block["copy"]:
            if button["own"]:
                continue
            if not button["found"]:
                problems.append(f"{label}: its copy button targets {button['selector']!r}, which matches nothing: a click copies nothing")
            elif button["block"] >= 0 and blocks[button["block"]]["output"] and not block["output"]:
                problems.append(f"{label}: its copy button targets {button['selector']!r}, the <code> of {block_label(blocks[button['block']])}: a click copies the output, not the code")
            else:
                other = f", the <code> of {block_label(blocks[button['block']])}" if button["block"] >= 0 else ""
                problems.append(f"{label}: its copy button targets {button['selector']!r}{other}, not this block's <code>")
    assert not problems, f"{visit.site_page.name} ({visit.site_page.path}):\n  " + "\n  ".join(problems)


def test_code_blocks_show_the_sections_the_engine_runs(visit, runs):
    """Assert each run(...) directive of the source became one code block titled with its snippet, showing the section the engine runs.

    The code is the section's, with its comments in the page's language (tests/test_comment_catalogue.py).
    """
    visit.require_page()
    name = visit.site_page.name
    blocks = visit.page.evaluate(CODE_BLOCKS_JS, COPY_BUTTON)
    source = visit.site_page.doc
    directives = [d for d in find_directives(CONFIG, source.read_text(encoding="utf-8"), source) if d.kind == "run"] if source else []
    snippet_blocks = [block for block in blocks if not block["output"] and block["title"].startswith("snippets/")]
    assert len(snippet_blocks) == len(directives), f"{name}: {len(directives)} run(...) directives in the source, {len(snippet_blocks)} snippet code blocks on the page"
    problems = []
    for block, directive in zip(snippet_blocks, directives):
        code = normal(shown_code(runs[directive.path], directive.name, visit.site_page.language))  # comments in the page's language
        if block["title"] != f"snippets/{directive.snippet}":
            problems.append(f"code block {block['index'] + 1} is titled {block['title']!r}; the source includes {directive.target} there")
        elif normal(block["shown"]) != code:
            problems.append(f"{block_label(block)} ({directive.target}): the code shown differs from the section the engine runs, {first_difference(normal(block['shown']), code)}")
    assert not problems, f"{name} ({visit.site_page.path}):\n  " + "\n  ".join(problems)


# ---------------------------------------------------------------------------
# 6. Light and dark colour schemes (the toggle itself: test_browser_interactions.py)
# ---------------------------------------------------------------------------


def test_both_schemes_keep_text_visible(visit):
    """Assert the palette offers default and slate, each looks light or dark, and keeps text, formulas and code readable.

    Each scheme is applied as Material's toggle applies it (the option's data-md-color-* on <body>),
    without the click and its transition; the click is tested once per language.
    """
    visit.require_page()
    page = visit.page
    toggles = page.locator("form[data-md-component=palette] label").count()
    problems = [] if toggles >= 2 else [f"the palette (form[data-md-component=palette]) has {toggles} toggle labels, expected one per scheme"]
    problems += scheme_problems(page, "default")
    for scheme in ("slate", "default"):
        if not page.evaluate(APPLY_SCHEME_JS, scheme):
            problems.append(f"the palette has no {scheme!r} option (input[data-md-color-scheme={scheme}])")
        elif scheme == "slate":
            problems += scheme_problems(page, scheme)
    assert not problems, f"{visit.site_page.name} ({visit.site_page.path}):\n  " + "\n  ".join(dict.fromkeys(problems))


# ---------------------------------------------------------------------------
# 7. Links and anchors
# ---------------------------------------------------------------------------

LINKS_JS = """() => {
  const region = %s;
  return [...document.querySelectorAll("a[href]")].map((a) => ({href: a.href, text: a.textContent.replace(/\\s+/g, " ").trim().slice(0, 60), region: region(a)}));
}""" % REGION_JS


def test_links_and_anchors_resolve(visit, fetch):
    """Assert every same-site link answers 200 and every #anchor exists in the page it points to."""
    visit.require_page()
    origin = urllib.parse.urlsplit(visit.url)
    problems = []
    for link in visit.page.evaluate(LINKS_JS):
        parts = urllib.parse.urlsplit(link["href"])
        if (parts.scheme, parts.netloc) != (origin.scheme, origin.netloc):
            continue  # another site (the repository, Material's home): a link, never loaded by the page
        where = f"'{link['text']}' in the {link['region']}"
        target = fetch(link["href"])
        if target.status != 200:
            problems.append(f"{parts.path} answers {target.status} (linked from {where})")
            continue
        anchor = urllib.parse.unquote(parts.fragment)
        if anchor and anchor not in target.ids:
            problems.append(f"{parts.path}#{anchor}: no element with id '{anchor}' there (linked from {where})")
    assert not problems, f"{visit.site_page.name} ({visit.site_page.path}) has broken links:\n  " + "\n  ".join(dict.fromkeys(problems))


# ---------------------------------------------------------------------------
# Page weight (budget and its reasons: browsing.WEIGHT_BUDGET)
HAS_MATH_JS = "() => document.querySelector('.arithmatex, mjx-container') !== null"
# ---------------------------------------------------------------------------


def test_page_weight_within_budget(visit, browser_report):
    """Assert the bytes a first-time visitor downloads, per kind and in total, stay within WEIGHT_BUDGET (NO_MATH_TOTAL without math)."""
    visit.require_page()
    visit.page.wait_for_load_state("networkidle")  # the search worker fetches the index after the page loads
    weights = visit.weights()
    browser_report.weights[visit.site_page.id] = weights
    budget = dict(WEIGHT_BUDGET)
    if not visit.page.evaluate(HAS_MATH_JS):
        budget["total"] = NO_MATH_TOTAL
    over = [f"{kind}: {weights[kind]:,} bytes > budget {limit:,}" for kind, limit in budget.items() if weights[kind] > limit]
    largest = sorted(visit.responses, key=lambda r: -r[3])[:5]
    assert not over, (
        f"{visit.site_page.name} ({visit.site_page.path}) is over its weight budget:\n  " + "\n  ".join(over)
        + "\n  largest downloads: " + ", ".join(f"{urllib.parse.urlsplit(url).path} {size:,}" for url, _, _, size in largest)
        + f"\n  ({WEIGHT_BUDGET_NOTES})"
    )


# ---------------------------------------------------------------------------
# Accessibility: axe-core's WCAG 2.2 A and AA rules, light scheme. The dark scheme: axe on the
# page with every kind of control (test_browser_interactions.py), and here on every page the
# 4.5:1 contrast of text, formulas, code and its syntax colours (test_both_schemes_keep_text_visible).
# Code blocks are left out here: axe's contrast rule looks at every token of every block (1-10 s
# a page), and their colours are the same CSS on every page, checked by axe in full on the
# clicked page in both schemes (test_browser_interactions.py) and at phone size
# (test_browser_mobile.py), and by the 4.5:1 check of syntax colours on every page. Each page
# runs axe on itself once loaded, before any test touches it, while the page before it is tested.
# ---------------------------------------------------------------------------


def test_axe_finds_nothing_serious(visit):
    """Assert axe-core finds no serious or critical WCAG 2.2 A/AA violation on the page (code blocks aside), in the light scheme."""
    visit.require_page()
    assert visit.axe is not None, f"{visit.site_page.name} ({visit.site_page.path}): {visit.axe_problem}"
    found = serious(visit.axe)
    assert not found, f"{visit.site_page.name} ({visit.site_page.path}), axe-core:\n  " + "\n  ".join(describe(found, "in the light scheme"))


# ---------------------------------------------------------------------------
# Phone-sized viewport (last: it resizes the page)
# ---------------------------------------------------------------------------

PHONE = {"width": 390, "height": 844}

OVERFLOW_JS = """() => {
  const inner = window.innerWidth, scroll = document.scrollingElement.scrollWidth;
  const wide = new Set();
  if (scroll > inner) {
    for (const el of document.querySelectorAll("body *")) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.right <= inner + 1) continue;
      let contained = false;  // inside something that scrolls or clips within the screen: fine
      for (let node = el.parentElement; node && node !== document.body; node = node.parentElement) {
        if (["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(node).overflowX) && node.getBoundingClientRect().right <= inner + 1) { contained = true; break; }
      }
      if (!contained) wide.add(el);
    }
  }
  const describe = (el) => el.tagName.toLowerCase() + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "")
    + ` "${el.textContent.trim().slice(0, 50)}" (right edge at ${Math.round(el.getBoundingClientRect().right)} px)`;
  const outermost = [...wide].filter((el) => !wide.has(el.parentElement)).slice(0, 5).map(describe);
  return {inner, scroll, outermost};
}"""


def test_phone_viewport(visit):
    """Assert at 390x844 the text does not scroll sideways and the header shows the menu button (the drawer: test_browser_mobile.py)."""
    visit.require_page()
    page = visit.page
    page.set_viewport_size(PHONE)
    page.wait_for_function("(width) => window.innerWidth === width", arg=PHONE["width"])
    problems = []
    width = page.evaluate(OVERFLOW_JS)
    if width["scroll"] > width["inner"]:
        problems.append(f"the page scrolls sideways: {width['scroll']} px wide in a {width['inner']} px viewport; too wide:\n    " + "\n    ".join(width["outermost"]))
    if not page.locator("label.md-header__button[for=__drawer]").is_visible():
        problems.append("no visible menu button (label[for=__drawer]) in the header")
    assert not problems, f"{visit.site_page.name} ({visit.site_page.path}) on a phone ({PHONE['width']}x{PHONE['height']}):\n  " + "\n  ".join(problems)


# ---------------------------------------------------------------------------
# 3. Language links (the click itself: test_browser_interactions.py)
# ---------------------------------------------------------------------------

LANGUAGE_LINKS_JS = """() => [...document.querySelectorAll(".md-header a.md-select__link")].map((a) => ({
  lang: a.getAttribute("hreflang"), href: a.href, followed: a.hasAttribute("data-execdocs-language"),
}))"""
LANGUAGE_SWITCH_JS = "/assets/javascripts/language-switch.js"  # makes a click follow the link (see the README)


def test_language_link_points_at_the_same_page(visit, fetch):
    """Assert <html lang> is the page's language and the selector links to the same page in the other language, which exists there.

    The link must carry data-execdocs-language and the page must load language-switch.js, or
    Material's click handler replaces the link with its guess. The 404 page has no counterpart
    (MkDocs renders it without a page): its selector leads to the other language's home page.
    """
    visit.require_page()
    page, start = visit.page, visit.site_page
    problems = []
    lang = page.evaluate("document.documentElement.lang")
    if lang != start.language:
        problems.append(f"<html lang={lang!r}>, expected {start.language!r}")
    links = page.evaluate(LANGUAGE_LINKS_JS)
    for target in (language for language in LANGUAGES if language != start.language):
        expected = SitePage(target, "index.md") if start.source == NOT_FOUND else start.in_language(target)
        found = [link for link in links if link["lang"] == target]
        if len(found) != 1:
            problems.append(f"expected one {LANGUAGE_NAMES[target]} link (.md-header a.md-select__link[hreflang={target}]), found {len(found)}")
            continue
        link, path = found[0], urllib.parse.urlsplit(found[0]["href"]).path
        if path != expected.path:
            problems.append(f"the {LANGUAGE_NAMES[target]} link leads to {path}, not to the same page {expected.path}")
            continue
        if not link["followed"]:
            problems.append(f"the {LANGUAGE_NAMES[target]} link lacks data-execdocs-language: a click follows Material's guess, not the link")
        served = fetch(link["href"])
        if served.status != 200:
            missing = f"{expected.name} does not exist" if expected.doc and not expected.doc.is_file() else "the built site lacks it"
            problems.append(f"the {LANGUAGE_NAMES[target]} link leads to {path}, which answers {served.status} ({missing})")
        elif f'<html lang="{target}"' not in served.text:
            problems.append(f"the {LANGUAGE_NAMES[target]} link leads to {path}, which is not <html lang=\"{target}\">")
    if not any(urllib.parse.urlsplit(url).path.endswith(LANGUAGE_SWITCH_JS) and status == 200 for url, status, _, _ in visit.responses):
        problems.append(f"the page does not load {LANGUAGE_SWITCH_JS}: a click on the language selector follows Material's guess")
    assert not problems, f"{start.name} ({start.path}):\n  " + "\n  ".join(problems)


def test_not_found_page_exists_in_both_languages(fetch, site_url):
    """Assert /en/404.html and /zh/404.html are served, in their language."""
    for language in LANGUAGES:
        page = fetch(f"{site_url}/{language}/{NOT_FOUND}")
        assert page.status == 200, f"/{language}/{NOT_FOUND} answers {page.status}: the {LANGUAGE_NAMES[language]} site has no 404 page"
        assert f'<html lang="{language}"' in page.text and "404" in page.text, f"/{language}/{NOT_FOUND} is not a {language} 404 page"

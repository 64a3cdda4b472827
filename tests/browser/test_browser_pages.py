"""Every page of both languages, loaded in Chromium as a first-time visitor would.

Each page is loaded once (the `visit` fixture; pytest runs all tests of one page, then the next)
and then checked, in this order: nothing but localhost is requested and nothing fails, MathJax
typesets every formula, copy buttons copy the code, both colour schemes show text, formulas and
code, every link and anchor resolves, the page stays within its weight budget, a phone-sized
viewport neither scrolls sideways nor hides the navigation, and the language selector leads to
the same page in the other language.
"""

from __future__ import annotations

import re
import urllib.parse

import pytest
from browsing import LANGUAGE_NAMES, LOCAL_HOSTS, NOT_FOUND, WEIGHT_BUDGET, WEIGHT_BUDGET_NOTES, SitePage, site_pages

from execdocs.engine.config import Config
from execdocs.engine.directives import find_directives

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
    visit = visitor.visit(request.param, upcoming)
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
# 2. MathJax typeset every formula
# ---------------------------------------------------------------------------

MATH_STATE_JS = """() => {
  const region = %s;
  const formulas = [...document.querySelectorAll(".arithmatex")];
  const glyphs = [...document.querySelectorAll("mjx-container mjx-c")];
  const state = {
    containers: document.querySelectorAll("mjx-container").length,
    untypeset: formulas.filter((el) => !el.querySelector("mjx-container")).map((el) => el.textContent.replace(/\\s+/g, " ").trim().slice(0, 100)),
    errors: [...document.querySelectorAll("mjx-merror")].map((el) => el.getAttribute("data-mjx-error") || el.textContent),
    glyphs: glyphs.length,
    blank: glyphs.filter((c) => !c.textContent && getComputedStyle(c, "::before").content === "none").length,
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


def test_mathjax_typesets_every_formula(visit, fetch):
    """Assert one rendered formula per .arithmatex in the served HTML, no TeX left in the text, no blank glyph."""
    visit.require_page()
    served = fetch(visit.url)
    expected = len(FORMULA.findall(served.text))
    state = visit.page.evaluate(MATH_STATE_JS)
    problems = [visit.math_problem] if visit.math_problem else []
    if state["containers"] != expected:
        problems.append(f"MathJax rendered {state['containers']} formulas (mjx-container), the served HTML has {expected} (.arithmatex)")
    if state["untypeset"]:
        problems.append("formulas left as TeX: " + "; ".join(state["untypeset"][:5]))
    if state["errors"]:
        problems.append("TeX errors: " + "; ".join(state["errors"][:5]))
    if state["blank"]:
        problems.append(f"{state['blank']} of {state['glyphs']} glyphs are blank (no glyph CSS): the formulas are invisible")
    if state["failedFonts"]:
        problems.append("math fonts failed to load: " + ", ".join(state["failedFonts"]))
    raw = [d for d in DELIMITERS if d in state["text"]]
    if raw:
        problems.append(f"raw TeX delimiters {' '.join(raw)} in the visible text:\n    " + "\n    ".join(state["where"] or ["(not located)"]))
    assert not problems, f"{visit.site_page.name} ({visit.site_page.path}):\n  " + "\n  ".join(problems)


# ---------------------------------------------------------------------------
# 5. Copy buttons copy the code, never the output
# ---------------------------------------------------------------------------

CODE_BLOCKS_JS = """() => [...document.querySelectorAll("div.highlight")].map((block, index) => ({
  index,
  output: block.classList.contains("execdocs-output"),
  title: (block.querySelector(".filename") || {textContent: ""}).textContent.trim(),
  shown: (block.querySelector("pre > code") || {innerText: ""}).innerText,
  hidden: !block.checkVisibility(),
}))"""
SENTINEL = "(the clipboard before the click)"
# Material 9.8 draws the copy button as button.md-code__button[data-md-type=copy] (in nav.md-code__nav);
# versions before 9.7 as button.md-clipboard.
COPY_BUTTON = "button.md-code__button[data-md-type=copy], button.md-clipboard"
# Shows code block `index` as a reader would get to it (opens <details>, selects the tabs holding it),
# scrolls to it, puts a sentinel in the clipboard, and waits for Material to add its copy button.
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


def _normal(text: str) -> str:
    return text.replace("\r\n", "\n").rstrip("\n")


def test_copy_button_copies_the_code(visit, runs):
    """Assert the copy button copies the code as shown, never its output; every snippet block shows the engine's section.

    Clicked: the first code block, and the first one that starts hidden (in a tab not selected,
    or a closed <details>); all copy buttons work alike (Material copies the block's <code>).
    Every snippet block's code is compared with the section the engine runs (Run.code).
    """
    visit.require_page()
    page, name = visit.page, visit.site_page.name
    blocks = page.evaluate(CODE_BLOCKS_JS)
    code_blocks = [block for block in blocks if not block["output"]]
    source = visit.site_page.doc
    directives = [d for d in find_directives(CONFIG, source.read_text(encoding="utf-8"), source) if d.kind == "run"] if source else []
    snippet_blocks = [block for block in code_blocks if block["title"].startswith("snippets/")]
    assert len(snippet_blocks) == len(directives), f"{name}: {len(directives)} run(...) directives in the source, {len(snippet_blocks)} snippet code blocks on the page"
    problems = []
    expected_code = {}
    for block, directive in zip(snippet_blocks, directives):
        expected_code[block["index"]] = code = _normal(runs[directive.path].code(directive.name))
        if block["title"] != f"snippets/{directive.snippet}":
            problems.append(f"code block {block['index'] + 1} is titled {block['title']!r}; the source includes {directive.target} there")
        elif _normal(block["shown"]) != code:
            problems.append(f"{block['title']} ({directive.target}): the code shown differs from the section the engine runs:\n      shown  {_normal(block['shown'])[:200]!r}\n      engine {code[:200]!r}")
    outputs = {_normal(block["shown"]) for block in blocks if block["output"]}
    to_click = code_blocks[:1] + [block for block in code_blocks[1:] if block["hidden"]][:1]
    page.bring_to_front()
    for block in to_click:
        label = block["title"] or f"code block {block['index'] + 1}"
        if not page.evaluate(PREPARE_JS, [block["index"], SENTINEL, COPY_BUTTON]):
            problems.append(f"{label}: no copy button ({COPY_BUTTON}) after scrolling to it")
            continue
        page.locator("div.highlight").nth(block["index"]).locator(COPY_BUTTON).click()
        copied = _normal(page.evaluate("navigator.clipboard.readText()"))
        if copied == SENTINEL:
            problems.append(f"{label}: clicking the copy button copied nothing")
        elif copied in outputs:
            problems.append(f"{label}: the copy button copied the output, not the code:\n      {copied[:200]!r}")
        elif copied != _normal(block["shown"]):
            problems.append(f"{label}: copied text differs from the code shown:\n      copied {copied[:200]!r}\n      shown  {_normal(block['shown'])[:200]!r}")
        elif block["index"] in expected_code and copied != expected_code[block["index"]]:
            problems.append(f"{label}: the copied code differs from the section the engine runs:\n      copied {copied[:200]!r}\n      engine {expected_code[block['index']][:200]!r}")
    assert not problems, f"{name} ({visit.site_page.path}):\n  " + "\n  ".join(problems)


# ---------------------------------------------------------------------------
# 6. Light and dark colour schemes
# ---------------------------------------------------------------------------

SAMPLES_JS = """() => {
  // The colour behind an element: its own and its ancestors' backgrounds, translucent ones blended.
  const rgba = (css) => { const n = css.match(/[\\d.]+/g).map(Number); return [n[0], n[1], n[2], n.length > 3 ? n[3] : 1]; };
  const background = (el) => {
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const layer = rgba(getComputedStyle(node).backgroundColor);
      if (layer[3] > 0) layers.push(layer);
      if (layer[3] >= 1) break;
    }
    let [r, g, b] = layers.length && layers[layers.length - 1][3] >= 1 ? layers.pop() : [255, 255, 255];
    for (const [lr, lg, lb, a] of layers.reverse()) { r = a * lr + (1 - a) * r; g = a * lg + (1 - a) * g; b = a * lb + (1 - a) * b; }
    return `rgb(${Math.round(r)}, ${Math.round(g)}, ${Math.round(b)})`;
  };
  const sample = (what, el) => {
    if (!el) return null;
    const box = el.getBoundingClientRect();
    return {what, width: box.width, height: box.height, color: getComputedStyle(el).color, background: background(el)};
  };
  // The first of each that is shown (a code block may sit in a tab that is not selected).
  const first = (selector) => [...document.querySelectorAll(selector)].find((el) => el.checkVisibility()) || null;
  return {
    scheme: document.body.getAttribute("data-md-color-scheme"),
    samples: [
      sample("text", first(".md-content .md-typeset")),
      sample("formula", first(".md-content mjx-container")),
      sample("code", first(".md-content div.highlight:not(.execdocs-output) pre > code")),
      sample("output", first(".md-content div.execdocs-output pre > code")),
    ].filter(Boolean),
  };
}"""


def _rgba(css: str) -> tuple[float, float, float, float]:
    numbers = [float(n) for n in re.findall(r"[\d.]+", css)]
    return (*numbers[:3], numbers[3] if len(numbers) > 3 else 1.0)


def _luminance(rgb) -> float:
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio of a (possibly translucent) text colour over an opaque background."""
    *fg, alpha = _rgba(foreground)
    bg = _rgba(background)[:3]
    blended = [alpha * f + (1 - alpha) * b for f, b in zip(fg, bg)]
    light, dark = sorted((_luminance(blended), _luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


MIN_CONTRAST = 3.0  # WCAG's minimum for large text: below it, text is hard to see at all


def _scheme_problems(page, scheme: str) -> list[str]:
    state = page.evaluate(SAMPLES_JS)
    problems = [] if state["scheme"] == scheme else [f"data-md-color-scheme is {state['scheme']!r}, expected {scheme!r}"]
    for sample in state["samples"]:
        ratio = contrast(sample["color"], sample["background"])
        if sample["width"] <= 0 or sample["height"] <= 0:
            problems.append(f"{scheme}: the first {sample['what']} has no size ({sample['width']}x{sample['height']})")
        if ratio < MIN_CONTRAST:
            problems.append(f"{scheme}: the first {sample['what']} is {sample['color']} on {sample['background']} (contrast {ratio:.2f} < {MIN_CONTRAST})")
    return problems


def test_light_and_dark_schemes(visit):
    """Assert the palette toggle switches default <-> slate and text, formulas and code stay visible in both."""
    visit.require_page()
    page = visit.page
    problems = _scheme_problems(page, "default")
    for scheme in ("slate", "default"):
        toggle = page.locator("form[data-md-component=palette] label:visible")
        if toggle.count() != 1:
            problems.append(f"expected one visible palette toggle in the header, found {toggle.count()}")
            break
        toggle.click()
        try:
            page.wait_for_function("(scheme) => document.body.getAttribute('data-md-color-scheme') === scheme", arg=scheme, timeout=5000)
        except Exception:  # noqa: BLE001 (reported below, with the scheme found)
            pass
        if scheme == "slate":
            problems += _scheme_problems(page, scheme)
        elif (found := page.evaluate("document.body.getAttribute('data-md-color-scheme')")) != scheme:
            problems.append(f"the toggle does not switch back: data-md-color-scheme is {found!r}, expected {scheme!r}")
    assert not problems, f"{visit.site_page.name} ({visit.site_page.path}):\n  " + "\n  ".join(dict.fromkeys(problems))


# ---------------------------------------------------------------------------
# 7. Links and anchors
# ---------------------------------------------------------------------------

LINKS_JS = """() => {
  const region = %s;
  return [...document.querySelectorAll("a[href]")].map((a) => ({href: a.href, text: a.textContent.replace(/\\s+/g, " ").trim().slice(0, 60), region: region(a)}));
}""" % REGION_JS
ID = re.compile(r"""\b(?:id|name)=["']([^"']+)["']""")


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
        if anchor and anchor not in set(ID.findall(target.text)):
            problems.append(f"{parts.path}#{anchor}: no element with id '{anchor}' there (linked from {where})")
    assert not problems, f"{visit.site_page.name} ({visit.site_page.path}) has broken links:\n  " + "\n  ".join(dict.fromkeys(problems))


# ---------------------------------------------------------------------------
# Page weight (budget and its reasons: browsing.WEIGHT_BUDGET)
# ---------------------------------------------------------------------------


def test_page_weight_within_budget(visit, browser_report):
    """Assert the bytes a first-time visitor downloads, per kind and in total, stay within WEIGHT_BUDGET."""
    visit.require_page()
    visit.page.wait_for_load_state("networkidle")  # the search worker fetches the index after the page loads
    weights = visit.weights()
    browser_report.weights[visit.site_page.id] = weights
    over = [f"{kind}: {weights[kind]:,} bytes > budget {budget:,}" for kind, budget in WEIGHT_BUDGET.items() if weights[kind] > budget]
    largest = sorted(visit.responses, key=lambda r: -r[3])[:5]
    assert not over, (
        f"{visit.site_page.name} ({visit.site_page.path}) is over its weight budget:\n  " + "\n  ".join(over)
        + "\n  largest downloads: " + ", ".join(f"{urllib.parse.urlsplit(url).path} {size:,}" for url, _, _, size in largest)
        + f"\n  ({WEIGHT_BUDGET_NOTES})"
    )


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
# The drawer is open and shows navigation links on screen.
DRAWER_JS = """() => document.getElementById("__drawer").checked
  && [...document.querySelectorAll(".md-sidebar--primary a.md-nav__link")].some((a) => {
    const box = a.getBoundingClientRect();
    return a.checkVisibility() && box.width > 0 && box.left >= 0 && box.right <= window.innerWidth + 1;
  })"""


def test_phone_viewport(visit):
    """Assert at 390x844 the text does not scroll sideways and the header's menu button opens the navigation drawer."""
    visit.require_page()
    page = visit.page
    page.set_viewport_size(PHONE)
    page.wait_for_function("(width) => window.innerWidth === width", arg=PHONE["width"])
    problems = []
    width = page.evaluate(OVERFLOW_JS)
    if width["scroll"] > width["inner"]:
        problems.append(f"the page scrolls sideways: {width['scroll']} px wide in a {width['inner']} px viewport; too wide:\n    " + "\n    ".join(width["outermost"]))
    menu = page.locator("label.md-header__button[for=__drawer]")
    if not menu.is_visible():
        problems.append("no visible menu button (label[for=__drawer]) in the header")
    else:
        menu.click()
        try:  # the drawer slides in
            page.wait_for_function(DRAWER_JS, timeout=5000)
        except Exception:  # noqa: BLE001 (reported below)
            problems.append("the menu button did not slide the navigation drawer, with its links, into view")
    assert not problems, f"{visit.site_page.name} ({visit.site_page.path}) on a phone ({PHONE['width']}x{PHONE['height']}):\n  " + "\n  ".join(problems)


# ---------------------------------------------------------------------------
# 3. Language switch (last: it leaves the page)
# ---------------------------------------------------------------------------

DESKTOP = {"width": 1280, "height": 720}


def test_language_switch_leads_to_the_same_page(visit):
    """Assert <html lang> is the page's language and the selector's other-language link opens the same page there.

    Every page is visited in both languages, so each pair is switched both ways: en to zh from
    the English page, zh to en from the Chinese one. The 404 page has no counterpart (MkDocs
    renders it without a page): its selector leads to the other language's home page.
    """
    visit.require_page()
    page, start = visit.page, visit.site_page
    page.set_viewport_size(DESKTOP)  # after the phone test
    page.evaluate("document.getElementById('__drawer').checked = false")  # the phone test opened the drawer
    lang = page.evaluate("document.documentElement.lang")
    assert lang == start.language, f"{start.name} ({start.path}): <html lang={lang!r}>, expected {start.language!r}"
    for target in (language for language in LANGUAGES if language != start.language):
        expected = SitePage(target, "index.md") if start.source == NOT_FOUND else start.in_language(target)
        link = page.locator(f".md-header a.md-select__link[hreflang={target}]")
        assert link.count() == 1, f"{start.path}: expected one {LANGUAGE_NAMES[target]} link (a.md-select__link[hreflang={target}]) in the header, found {link.count()}"
        page.locator(".md-header .md-select").hover()  # the list opens on hover
        with page.expect_navigation(wait_until="commit") as navigation:
            link.click()
        response, path = navigation.value, urllib.parse.urlsplit(page.url).path
        assert path == expected.path, f"{start.path}: the {LANGUAGE_NAMES[target]} link leads to {path}, not to the same page {expected.path}"
        status = response.status if response else "nothing"
        missing = f"{expected.name} does not exist" if expected.doc and not expected.doc.is_file() else "the built site lacks it"
        assert status == 200, f"{start.path}: the {LANGUAGE_NAMES[target]} link leads to {path}, which answers {status} ({missing})"
        lang = page.wait_for_function("() => document.body && document.documentElement.lang").json_value()  # <html> parsed
        assert lang == target, f"{start.path}: the {LANGUAGE_NAMES[target]} link leads to {path}, whose <html lang={lang!r}>, expected {target!r}"


def test_not_found_page_exists_in_both_languages(fetch, site_url):
    """Assert /en/404.html and /zh/404.html are served, in their language."""
    for language in LANGUAGES:
        page = fetch(f"{site_url}/{language}/{NOT_FOUND}")
        assert page.status == 200, f"/{language}/{NOT_FOUND} answers {page.status}: the {LANGUAGE_NAMES[language]} site has no 404 page"
        assert f'<html lang="{language}"' in page.text and "404" in page.text, f"/{language}/{NOT_FOUND} is not a {language} 404 page"

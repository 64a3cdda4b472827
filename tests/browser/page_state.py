"""Reading a loaded page: its code blocks and their copy buttons, its colours. Shared by the per-page and the interaction tests."""

from __future__ import annotations

import re

# Material 9.8 draws the copy button as button.md-code__button[data-md-type=copy] (in nav.md-code__nav);
# versions before 9.7 as button.md-clipboard. Either copies the element its data-clipboard-target names.
COPY_BUTTON = "button.md-code__button[data-md-type=copy], button.md-clipboard"

# Every code block (div.highlight), in page order: output or code, title, text shown, hidden at load,
# and for each copy button in it the element its data-clipboard-target names (what a click copies).
# The text of a block in a closed <details> (an exercise's solution) is read with it open, as a
# reader sees it: Chromium gives no innerText inside a closed <details>.
CODE_BLOCKS_JS = """(button) => {
  const blocks = [...document.querySelectorAll("div.highlight")];
  const hidden = blocks.map((block) => !block.checkVisibility());
  const closed = [...document.querySelectorAll("details:not([open])")];
  closed.forEach((details) => { details.open = true; });
  const shown = blocks.map((block) => { const code = block.querySelector("pre > code"); return code ? code.innerText : ""; });
  closed.forEach((details) => { details.open = false; });
  return blocks.map((block, index) => {
    const code = block.querySelector("pre > code");
    const copy = [...block.querySelectorAll(button)].map((element) => {
      const selector = element.getAttribute("data-clipboard-target") || "";
      let target = null;
      try { target = selector ? document.querySelector(selector) : null; } catch (error) { /* not a selector: matches nothing */ }
      return {selector, found: Boolean(target), own: Boolean(target) && target === code,
              block: target && target.closest("div.highlight") ? blocks.indexOf(target.closest("div.highlight")) : -1};
    });
    return {
      index,
      output: block.classList.contains("execdocs-output"),
      title: (block.querySelector(".filename") || {textContent: ""}).textContent.trim(),
      shown: shown[index],
      hidden: hidden[index],
      copy,
    };
  });
}"""


def normal(text: str) -> str:
    """Text as copied or shown, without the line-ending differences that do not matter."""
    return text.replace("\r\n", "\n").rstrip("\n")


def block_label(block: dict) -> str:
    """How messages name a block: its title and place, e.g. "snippets/x.py (code block 3)"."""
    place = f"{'output' if block['output'] else 'code'} block {block['index'] + 1}"
    return f"{block['title']} ({place})" if block["title"] else place


def first_difference(shown: str, expected: str) -> str:
    """The first line where two texts differ, for messages (long blocks differ far from their start)."""
    shown_lines, expected_lines = shown.splitlines(), expected.splitlines()
    for number, (a, b) in enumerate(zip(shown_lines, expected_lines), 1):
        if a != b:
            return f"line {number}: shown {a[:160]!r}, expected {b[:160]!r}"
    number = min(len(shown_lines), len(expected_lines)) + 1
    return f"line {number}: shown {len(shown_lines)} lines, expected {len(expected_lines)}"


# ---------------------------------------------------------------------------
# Colour schemes
# ---------------------------------------------------------------------------

SCHEME_JS = "() => document.body.getAttribute('data-md-color-scheme')"
# Applies a palette option as Material does when its toggle is clicked (body data-md-color-*);
# false when the palette has no such option.
APPLY_SCHEME_JS = """(scheme) => {
  const option = document.querySelector(`form[data-md-component=palette] input[data-md-color-scheme="${scheme}"]`);
  if (!option) return false;
  // Colours are read at once: no transition may be half-way (the click, tested elsewhere, has its own).
  if (!document.getElementById("execdocs-no-transitions")) {
    const style = document.createElement("style");
    style.id = "execdocs-no-transitions";
    style.textContent = "*, *::before, *::after { transition: none !important; animation: none !important; }";
    document.head.append(style);
  }
  for (const key of ["media", "scheme", "primary", "accent"]) {
    const value = option.getAttribute(`data-md-color-${key}`);
    if (value) document.body.setAttribute(`data-md-color-${key}`, value);
  }
  return true;
}"""
SAMPLES_JS = """(SYNTAX) => {
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
      // Syntax colours: the faintest (comments, operators, docstrings) and the two Material's dark scheme had below 4.5:1.
      ...SYNTAX.map(([what, selector]) => sample(what, first(selector))),
    ].filter(Boolean),
  };
}"""

# Pygments' classes of the syntax colours sampled: name, selector of the first such token in a code block.
SYNTAX = [(f"code {what}", f".md-content div.highlight pre > code .{cls}") for what, cls in
          (("comment", "c1"), ("operator", "o"), ("docstring", "sd"), ("number", "mf"), ("builtin", "nb"))]
MIN_CONTRAST = 4.5  # WCAG AA for text (3:1 is for large text and graphics; code and formulas are not large)
# A light scheme's page is light, a dark one's dark (relative luminance of the text's background):
# otherwise the scheme's CSS (Material's palette stylesheet) did not apply.
LOOK = {"default": ("light", lambda luminance: luminance > 0.5), "slate": ("dark", lambda luminance: luminance < 0.2)}


def _rgba(css: str) -> tuple[float, float, float, float]:
    numbers = [float(n) for n in re.findall(r"[\d.]+", css)]
    return (*numbers[:3], numbers[3] if len(numbers) > 3 else 1.0)


def luminance(rgb) -> float:
    """WCAG relative luminance of an sRGB colour (0 black to 1 white)."""
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio of a (possibly translucent) text colour over an opaque background."""
    *fg, alpha = _rgba(foreground)
    bg = _rgba(background)[:3]
    blended = [alpha * f + (1 - alpha) * b for f, b in zip(fg, bg)]
    light, dark = sorted((luminance(blended), luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def scheme_problems(page, scheme: str) -> list[str]:
    """What is wrong with the page as shown now, in `scheme`: wrong scheme, not light/dark, invisible text, formulas or code."""
    state = page.evaluate(SAMPLES_JS, SYNTAX)
    problems = [] if state["scheme"] == scheme else [f"data-md-color-scheme is {state['scheme']!r}, expected {scheme!r}"]
    look, looks_right = LOOK[scheme]
    text = next((sample for sample in state["samples"] if sample["what"] == "text"), None)
    if text is None:
        problems.append(f"{scheme}: no page text (.md-content .md-typeset) to look at")
    elif not looks_right(luminance(_rgba(text["background"]))):
        problems.append(f"{scheme}: the page is not {look}: the text's background is {text['background']} (is Material's palette CSS missing?)")
    for sample in state["samples"]:
        ratio = contrast(sample["color"], sample["background"])
        if sample["width"] <= 0 or sample["height"] <= 0:
            problems.append(f"{scheme}: the first {sample['what']} has no size ({sample['width']}x{sample['height']})")
        if ratio < MIN_CONTRAST:
            problems.append(f"{scheme}: the first {sample['what']} is {sample['color']} on {sample['background']} (contrast {ratio:.2f} < {MIN_CONTRAST})")
    return problems

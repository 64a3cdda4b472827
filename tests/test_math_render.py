"""Math typeset at build time (issue #13): formulas become SVG in the page, glyphs once, cached, errors stop the build."""

from __future__ import annotations

import re

import pytest

from execdocs.engine.config import Config
from execdocs.engine.errors import SnippetError
from execdocs.website.math_render import GLYPHS_ID, MathRenderer

PAGE = """<html><head><title>t</title></head><body>
<p>Inline <span class="arithmatex">\\(x &lt; y^2\\)</span> and <span class="arithmatex">\\(x\\)</span>.</p>
<div class="arithmatex">\\[
H(P) = -\\sum_i p_i \\log p_i
\\]</div>
</body></html>"""


@pytest.fixture
def renderer(tmp_path):
    made = MathRenderer(Config(cache_dir=tmp_path / "cache"))
    yield made
    made.close()


def test_every_formula_becomes_svg_with_its_glyphs_and_mathml(renderer):
    """Assert each formula is an SVG mjx-container with a MathML copy, and every glyph it uses is defined once in the page."""
    page = renderer.page(PAGE, "docs/en/x.md")
    containers = re.findall(r'<(span|div) class="arithmatex"><mjx-container class="MathJax" jax="SVG"( display="true")?', page)
    assert [(tag, bool(display)) for tag, display in containers] == [("span", False), ("span", False), ("div", True)]
    assert "\\(" not in page and "\\[" not in page
    assert page.count("<mjx-assistive-mml") == 3 and "<mi>x</mi><mo>&lt;</mo>" in page
    used = set(re.findall(r'xlink:href="#([^"]+)"', page))
    defined = re.findall(r'<path id="([^"]+)"', page)
    assert used and used == set(defined) and len(defined) == len(set(defined))
    assert page.count(f'<svg id="{GLYPHS_ID}"') == 1 and page.count('<style id="execdocs-math-style">') == 1


def test_each_glyph_is_defined_before_the_first_formula_that_uses_it(renderer):
    """Assert a formula never reaches the page before its glyphs: a browser paints what it has parsed so far, and a
    glyph defined further down leaves the formula blank on screen until the parser gets there."""
    page = renderer.page(PAGE, "docs/en/x.md")
    defined = {match[1]: match.start() for match in re.finditer(r'<path id="([^"]+)"', page)}
    late = [(glyph, use.start()) for use in re.finditer(r'xlink:href="#([^"]+)"', page)
            for glyph in [use[1]] if defined.get(glyph, len(page)) > use.start()]
    assert defined and not late, f"used before it is defined (glyph, offset): {late[:5]}"


def test_a_page_without_math_is_left_as_it_is(renderer):
    """Assert a page with no formula gets no stylesheet and no glyphs: nothing it does not need."""
    plain = "<html><head></head><body><p>No math, only \\(text in code\\) <code>\\(x\\)</code>.</p></body></html>"
    assert renderer.page(plain, "docs/en/x.md") == plain


def test_a_formula_mathjax_cannot_read_stops_the_build_naming_the_page(renderer):
    """Assert an unknown macro or an unbalanced brace is an error naming the page and the formula, never red text."""
    for tex, reason in (("\\foo + 1", "Undefined control sequence \\foo"), ("\\frac{1}{", "Missing close brace")):
        with pytest.raises(SnippetError) as raised:
            renderer.page(f'<body><span class="arithmatex">\\({tex}\\)</span></body>', "docs/zh/x.md")
        assert str(raised.value) == f"docs/zh/x.md: MathJax cannot typeset ${tex}$: {reason}"


def test_typeset_formulas_are_cached_and_the_page_is_the_same_from_the_cache(renderer, tmp_path):
    """Assert a second build reads every formula from the cache (Node is not asked) and writes the same bytes."""
    first = renderer.page(PAGE, "docs/en/x.md")
    again = MathRenderer(Config(cache_dir=tmp_path / "cache"))
    again._ask = lambda request: pytest.fail(f"asked Node again for {request}")
    assert again.page(PAGE, "docs/en/x.md") == first


def test_a_new_mathjax_version_typesets_again(renderer, tmp_path, monkeypatch):
    """Assert the cache key holds MathJax's version: another version never reuses a formula."""
    renderer.page(PAGE, "docs/en/x.md")
    monkeypatch.setattr(MathRenderer, "_versions", lambda self: "mathjax 9.9.9, script x")
    other = MathRenderer(Config(cache_dir=tmp_path / "cache"))
    asked = []
    other._ask = lambda request: asked.append(request) or {"html": "<mjx-container></mjx-container>", "glyphs": {}, "css": ""}
    other.page(PAGE, "docs/en/x.md")
    assert len(asked) == 4  # three formulas and the stylesheet

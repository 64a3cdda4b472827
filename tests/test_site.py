"""The built site shows what the snippets print, in both languages, with working language links."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET

import pytest
from page_structure import page_file, pages

from execdocs.engine.config import Config
from execdocs.engine.directives import find_directives

CONFIG = Config()
LANGUAGES = CONFIG.languages

OUTPUT_BLOCK = re.compile(r'<div class="execdocs-output[^"]*"[^>]*>.*?<code>(.*?)</code>', re.S)
TAG = re.compile(r"<[^>]+>")
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


def url_path(page: str) -> str:
    """The directory URL MkDocs gives a page: 'information/entropy/' for information/entropy.md."""
    stem = page.removesuffix(".md").removesuffix("index").removesuffix("/")
    return f"{stem}/" if stem else ""


def html_file(site, language, page):
    return site / language / url_path(page) / "index.html"


def shown_outputs(text: str) -> list[str]:
    """The text of every output block of a built page, unescaped."""
    return [html.unescape(TAG.sub("", block)).rstrip("\n") for block in OUTPUT_BLOCK.findall(text)]


def test_build_passes_strict_without_warnings(built_site):
    """Assert `python -m execdocs build` (strict, both languages) logs no warning."""
    _, log = built_site
    assert "WARNING" not in log, log


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", sorted(pages("en")))
def test_page_shows_each_snippet_output(built_site, runs, language, page):
    """Assert a built page shows, in order, exactly the output of every snippet section it includes."""
    site, _ = built_site
    source = page_file(language, page)
    expected = []
    for directive in find_directives(CONFIG, source.read_text(encoding="utf-8"), source):
        if directive.kind == "run":
            output = runs[directive.path].output(directive.name).rstrip("\n")
            if output:
                expected.append(output)
    shown = shown_outputs(html_file(site, language, page).read_text(encoding="utf-8"))
    assert shown == expected, f"site/{language}/{page}: the outputs shown differ from what the snippets print"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_directive_survives_the_build(built_site, language):
    """Assert no `{{ run(...) }}` or `{{ value(...) }}` is left unrendered in any page."""
    site, _ = built_site
    leftovers = [str(p.relative_to(site)) for p in (site / language).rglob("*.html") if re.search(r"\{\{\s*(run|value)\(", p.read_text(encoding="utf-8"))]
    assert not leftovers


@pytest.mark.parametrize("language", LANGUAGES)
def test_language_switch_links_to_the_same_page(built_site, language):
    """Assert each page's selector links lead to the same page path in every language, and exist."""
    site, _ = built_site
    for page in pages(language):
        text = html_file(site, language, page).read_text(encoding="utf-8")
        links = dict((lang, href) for href, lang in re.findall(r'<a href="([^"]+)" hreflang="(\w+)" class="md-select__link"', text))
        assert set(links) == set(LANGUAGES), f"site/{language}/{page}: language links {links}"
        for other, href in links.items():
            assert href == f"/{other}/{url_path(page)}", f"site/{language}/{page}: the {other} link is {href}"
            assert html_file(site, other, page).is_file()


@pytest.mark.parametrize("language", LANGUAGES)
def test_sitemap_lists_hreflang_alternates(built_site, language):
    """Assert every sitemap entry names the page in each language, and every page is listed."""
    site, _ = built_site
    tree = ET.parse(site / language / "sitemap.xml")
    entries = tree.findall("s:url", SITEMAP_NS)
    assert len(entries) == len(pages(language))
    for entry in entries:
        loc = entry.find("s:loc", SITEMAP_NS).text
        alternates = {link.get("hreflang"): link.get("href") for link in entry.findall("x:link", SITEMAP_NS)}
        assert set(alternates) == {*LANGUAGES, "x-default"}, loc  # x-default: issue 14
        assert alternates[language] == loc
        assert alternates["en"].replace("/en/", "/zh/", 1) == alternates["zh"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_math_and_fonts_are_served_by_the_site(built_site, language):
    """Assert every formula is typeset SVG in the HTML, no page loads MathJax, and none points to another host."""
    site, _ = built_site
    formulas = 0
    for page in (site / language).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        typeset = re.findall(r'class="arithmatex"><mjx-container class="MathJax" jax="SVG"', text)
        assert len(typeset) == text.count('class="arithmatex"'), f"{page.relative_to(site)} has formulas left as TeX"
        assert "mathjax" not in " ".join(re.findall(r"<script[^>]*>", text)).lower(), f"{page.relative_to(site)} loads MathJax"
        formulas += len(typeset)
        external = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"', text)
        external = [url for url in external if not url.startswith("https://cross-entropy.example.org/")]
        assert not external, f"{page.relative_to(site)} loads {external}"
    assert formulas > 100


def test_search_index_is_plain_utf8_and_cuts_chinese_words_only_on_the_chinese_site(built_site):
    """Assert no \\uXXXX escapes in either index; jieba's word breaks (U+200B) in the Chinese index only."""
    site, _ = built_site
    raw = {language: (site / language / "search" / "search_index.json").read_text(encoding="utf-8") for language in LANGUAGES}
    for language, text in raw.items():
        written = json.dumps(json.loads(text), separators=(",", ":"), ensure_ascii=False)
        assert text == written, f"the {language} search index is not plain UTF-8 (characters escaped as \\uXXXX)"
        assert re.search(r"[\u4e00-\u9fff]", text), f"the {language} index has no Chinese (the glossary lists Chinese terms)"
    assert "\u200b" in raw["zh"] and "\u200b" not in raw["en"]


def test_assets_both_languages_share_are_served_once(built_site):
    """Assert no asset is in both languages' folders, and every script, style and image a page names exists."""
    site, _ = built_site
    assert (site / "assets" / "javascripts").is_dir()
    first, second = (site / language / "assets" for language in LANGUAGES)
    duplicated = [path.relative_to(first).as_posix() for path in first.rglob("*") if path.is_file()
                  and (second / path.relative_to(first)).is_file() and (second / path.relative_to(first)).read_bytes() == path.read_bytes()]
    assert not duplicated, f"served twice, once per language: {duplicated[:5]}"
    for language in LANGUAGES:
        for page in (site / language).rglob("*.html"):
            if page.name == "404.html":
                continue  # absolute addresses: the browser tests load them
            for url in re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="([^"#?:]*assets/[^"#?:]+)"', page.read_text(encoding="utf-8")):
                assert (page.parent / url).resolve().is_file(), f"{page.relative_to(site)} names {url}, which is not in the site"


def test_root_page_offers_both_languages(built_site):
    """Assert site/index.html links to each language's home."""
    site, _ = built_site
    text = (site / "index.html").read_text(encoding="utf-8")
    for language in LANGUAGES:
        assert f'href="{language}/"' in text and (site / language / "index.html").is_file()



def test_chinese_lines_join_without_spaces():
    """Assert a line break between two Chinese characters is removed, but not inside <pre> or between Latin words."""
    from hooks.cjk_line_breaks import join_cjk_lines

    assert join_cjk_lines("<p>可评价，\n总是</p>") == "<p>可评价，总是</p>"
    assert join_cjk_lines("<p>word\nword 中\nx</p>") == "<p>word\nword 中\nx</p>"
    assert join_cjk_lines("<pre>中\n文</pre>") == "<pre>中\n文</pre>"

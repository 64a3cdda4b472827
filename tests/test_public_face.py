"""What search engines and link previews read on every built page (issue 14).

Canonical URL, hreflang alternates for both languages plus x-default, title, description
from the page's own first paragraph, Open Graph and Twitter card, the edit link and the
last-updated line; at the root, robots.txt and a sitemap index of both languages. Every
absolute address starts with the site's root `site_url` (mkdocs.yml, SITE_URL).
"""

from __future__ import annotations

import html
import re
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
import yaml
from page_structure import pages
from test_site import html_file, url_path

from execdocs.engine.config import Config
from execdocs.website.site_root import site_root_url

LANGUAGES = Config().languages
ROOT = Config().root

# Each language's site name, as its configuration sets it (mkdocs.zh.yml overrides mkdocs.yml's).
SITE_NAMES = {language: yaml.safe_load((ROOT / name).read_text(encoding="utf-8").replace("!ENV", ""))["site_name"]
              for language, name in (("en", "mkdocs.yml"), ("zh", "mkdocs.zh.yml"))}
SITE_ROOT = site_root_url(Config())  # what the build used: the same mkdocs.yml, the same environment
CJK = re.compile(r"[\u4e00-\u9fff]")
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
LOCALES = {"en": "en_US", "zh": "zh_CN"}
ALL_PAGES = [(language, page) for language in LANGUAGES for page in sorted(pages(language))]


class Head(HTMLParser):
    """The <title>, <meta> and <link> tags of a page, the text of its <h1>, and the first top-level paragraph of its article."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.title = self.h1 = ""
        self.meta: dict[str, str] = {}
        self.links: list[dict[str, str]] = []
        self.anchors: list[dict[str, str]] = []
        self.first_paragraph = ""
        self._in: str | None = None
        self._article_depth: int | None = None  # nesting below <article>; None outside it
        self._paragraph_done = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "meta" and ("name" in attrs or "property" in attrs):
            self.meta[attrs.get("name") or attrs["property"]] = attrs.get("content", "")
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "a":
            self.anchors.append(attrs)
        if tag in ("meta", "link", "br", "img", "hr", "input", "wbr"):
            return
        if tag == "article":
            self._article_depth = 0
        elif self._article_depth is not None:
            self._article_depth += 1
            if tag == "p" and self._article_depth == 1 and not self._paragraph_done:
                self._in = "p"
        if tag in ("title", "h1") and not getattr(self, tag):
            self._in = tag

    def handle_endtag(self, tag):
        if tag in ("meta", "link", "br", "img", "hr", "input", "wbr"):
            return
        if tag == "article":
            self._article_depth = None
        elif self._article_depth is not None:
            if self._in == "p" and tag == "p" and self._article_depth == 1:
                self._paragraph_done = True
            self._article_depth -= 1
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "p":
            self.first_paragraph += data
        elif self._in in ("title", "h1"):
            setattr(self, self._in, getattr(self, self._in) + data)


def head(site, language, page) -> Head:
    return Head(html_file(site, language, page).read_text(encoding="utf-8"))


def page_url(language: str, page: str) -> str:
    return f"{SITE_ROOT}{language}/{url_path(page)}"


def plain(text: str) -> str:
    """Whitespace collapsed, math delimiters and the permalink sign dropped."""
    return " ".join(re.sub(r"\\[()\[\]]|¶", "", text).split())


@pytest.mark.parametrize("language, page", ALL_PAGES)
def test_page_names_its_canonical_url(built_site, language, page):
    """Assert the canonical link is the page's own address under site_url."""
    links = {link.get("rel"): link.get("href") for link in head(built_site[0], language, page).links}
    assert links.get("canonical") == page_url(language, page)


@pytest.mark.parametrize("language, page", ALL_PAGES)
def test_page_lists_hreflang_alternates_and_x_default(built_site, language, page):
    """Assert <head> names the page in every language and an x-default, all absolute, all built."""
    site = built_site[0]
    alternates = {link["hreflang"]: link["href"] for link in head(site, language, page).links
                  if link.get("rel") == "alternate" and "hreflang" in link}
    expected = {other: page_url(other, page) for other in LANGUAGES}
    expected["x-default"] = SITE_ROOT if page == "index.md" else page_url(LANGUAGES[0], page)
    assert alternates == expected
    for other in LANGUAGES:
        assert html_file(site, other, page).is_file(), f"the {other} alternate of {language}/{page} was not built"


@pytest.mark.parametrize("language, page", ALL_PAGES)
def test_title_is_the_pages_heading(built_site, language, page):
    """Assert <title> is the page's h1 and the site name (the site name alone on the home page)."""
    found = head(built_site[0], language, page)
    site_name = SITE_NAMES[language]
    expected = site_name if page == "index.md" else f"{plain(found.h1)} - {site_name}"
    assert plain(found.title) == expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_titles_are_unique(built_site, language):
    """Assert no two pages of a language share a <title>."""
    titles = [head(built_site[0], language, page).title for page in sorted(pages(language))]
    assert len(set(titles)) == len(titles), f"repeated titles: {sorted(t for t in titles if titles.count(t) > 1)}"


@pytest.mark.parametrize("language, page", ALL_PAGES)
def test_description_is_the_pages_first_paragraph_in_its_language(built_site, language, page):
    """Assert the meta description starts the page's first paragraph, in the page's language, not the site's description."""
    found = head(built_site[0], language, page)
    description = plain(found.meta.get("description", ""))
    assert len(description) >= 20, f"{language}/{page}: description {description!r}"
    assert plain(found.first_paragraph).startswith(description.removesuffix("…")), \
        f"{language}/{page}: description {description!r} is not the start of the first paragraph {plain(found.first_paragraph)[:120]!r}"
    assert bool(CJK.search(description)) == (language == "zh"), f"{language}/{page}: description in the wrong language: {description!r}"


@pytest.mark.parametrize("language, page", ALL_PAGES)
def test_link_preview_meta_match_the_page(built_site, language, page):
    """Assert Open Graph and Twitter card tags repeat the page's title, description, address and locale."""
    found = head(built_site[0], language, page)
    meta = found.meta
    assert meta.get("og:title") == meta.get("twitter:title") == html.unescape(found.title.strip())
    assert meta.get("og:description") == meta.get("twitter:description") == meta.get("description")
    assert meta.get("og:url") == page_url(language, page)
    assert meta.get("og:locale") == LOCALES[language]
    assert meta.get("og:locale:alternate") == next(LOCALES[other] for other in LANGUAGES if other != language)
    assert meta.get("og:type") == ("website" if page == "index.md" else "article")
    assert meta.get("twitter:card") == "summary"


@pytest.mark.parametrize("language, page", ALL_PAGES)
def test_edit_link_opens_the_pages_source_in_its_language(built_site, language, page):
    """Assert the "edit this page" link points at docs/<language>/<page> in the repository."""
    edits = [a["href"] for a in head(built_site[0], language, page).anchors if a.get("rel") == "edit"]
    assert len(edits) == 1, f"{language}/{page}: {len(edits)} edit links"
    assert re.fullmatch(rf"https://\S+/edit/[\w.-]+/docs/{language}/{re.escape(page)}", edits[0]), edits[0]


def test_last_updated_is_the_date_of_the_built_commit(built_site):
    """Assert every page shows the committer date (UTC) of HEAD, the commit it was built from."""
    date = subprocess.run(["git", "log", "-1", "--date=format-local:%Y-%m-%d", "--format=%cd"], cwd=ROOT,
                          capture_output=True, text=True, check=True, env={"TZ": "UTC", "PATH": "/usr/bin:/bin"}).stdout.strip()
    for language, page in ALL_PAGES:
        text = html_file(built_site[0], language, page).read_text(encoding="utf-8")
        assert f'<time datetime="{date}">{date}</time>' in text, f"{language}/{page}: no last-updated date {date}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_language_sitemap_has_x_default(built_site, language):
    """Assert each entry of a language's sitemap also names the x-default page."""
    tree = ET.parse(built_site[0] / language / "sitemap.xml")
    for entry in tree.getroot().findall("s:url", SITEMAP_NS):
        hreflangs = [link.get("hreflang") for link in entry.findall("x:link", SITEMAP_NS)]
        assert sorted(hreflangs) == sorted([*LANGUAGES, "x-default"]), entry.findtext("s:loc", namespaces=SITEMAP_NS)


def test_root_sitemap_indexes_both_languages(built_site):
    """Assert site/sitemap.xml is a sitemap index naming each language's sitemap, which exists."""
    tree = ET.parse(built_site[0] / "sitemap.xml")
    assert tree.getroot().tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    locations = [loc.text for loc in tree.getroot().iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locations == [f"{SITE_ROOT}{language}/sitemap.xml" for language in LANGUAGES]
    for language in LANGUAGES:
        assert (built_site[0] / language / "sitemap.xml").is_file()


def test_robots_txt_points_at_the_sitemap(built_site):
    """Assert site/robots.txt allows crawling and names the root sitemap by its absolute address."""
    lines = (built_site[0] / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert "User-agent: *" in lines
    assert f"Sitemap: {SITE_ROOT}sitemap.xml" in lines
    assert "Disallow: /" not in lines


@pytest.mark.parametrize("language", LANGUAGES)
def test_absolute_addresses_start_at_site_url(built_site, language):
    """Assert every absolute address a page gives for this site (links, meta) starts with site_url's root."""
    host = re.match(r"https?://[^/]+", SITE_ROOT).group(0)
    for path in (built_site[0] / language).rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        wrong = [url for url in re.findall(rf'"({re.escape(host)}[^"]*)"', text) if not url.startswith(SITE_ROOT)]
        assert not wrong, f"{path.relative_to(built_site[0])}: {wrong}"

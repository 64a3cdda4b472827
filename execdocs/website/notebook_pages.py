"""The MkDocs side of the chapter notebooks: add them to the build, link each chapter to its notebook, fit the notebook pages to the site.

mkdocs-jupyter renders each notebook as a page of the site (never executing it). Its nbconvert
output keeps math as `$...$` inside the notebook's HTML, while the site typesets (at build time) only
`.arithmatex` elements (mkdocs-jupyter issue 227): math is wrapped here as arithmatex wraps it.
Its template also loads MathJax 2 and mermaid from a CDN; those scripts are removed, since the
site typesets its math when it is built (math_render.py) and works offline.
"""

from __future__ import annotations

import html as htmlmod
import json
import posixpath
import re
from pathlib import Path

from mkdocs.utils import get_relative_url

from execdocs.engine.config import Config
from execdocs.website import live
from execdocs.website.notebook_links import Links
from execdocs.website.notebooks import FOLDER, build_notebook, has_notebook, notebook_json, notebook_uri, words

JUPYTER_PLUGIN = "mkdocs-jupyter"


# --- The seam into the MkDocs build -----------------------------------------------------------

def add_notebooks(site: Config, files, config, found: dict, runs: dict) -> dict[str, str]:
    """Write each chapter's notebook beside the build's cache and add it to the site; page src_uri -> notebook src_uri."""
    from mkdocs.structure.files import File
    from mkdocs.utils.meta import get_data

    if JUPYTER_PLUGIN not in config.plugins:  # turned off (EXECDOCS_NOTEBOOKS=false): no notebooks, no links to them
        return {}
    language = config.theme["language"]
    folder = notebook_folder(site, config)
    urls = {file.src_uri: file.url for file in files.documentation_pages()}
    made = {}
    for page, directives in found.items():
        if not has_notebook(directives):
            continue
        src_uri = page.relative_to(config.docs_dir).as_posix()
        text, _ = get_data(files.get_file_from_path(src_uri).content_string)
        links = Links(config.site_url, src_uri, urls, config.site_name)
        content = live.notebook(
            lambda: (src_uri, text, live.shown_digest(directives, runs, language), language, tuple(urls.items()), config.site_url),
            lambda: notebook_json(build_notebook(site, text, page, runs, language, links)))
        uri = notebook_uri(src_uri)
        target = folder / uri
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.is_file() or target.read_text(encoding="utf-8") != content:  # unchanged bytes keep mkdocs-jupyter's cache warm
            if not live.defer_notebook(target, content):  # under `serve`, a changed notebook is rendered by the next rebuild
                target.write_text(content, encoding="utf-8")
        # A file of its own folder, not File.generated: mkdocs-jupyter's wrapper finds the path only through src_dir.
        # Kept out of the nav by `not_in_nav` in mkdocs.yml (the wrapper hides any inclusion set here).
        files.append(File(uri, src_dir=str(folder), dest_dir=config.site_dir, use_directory_urls=config.use_directory_urls))
        made[src_uri] = uri
    return made


def notebook_folder(site: Config, config) -> Path:
    """Where a language's notebooks are written (`serve` watches it: a notebook written there is rendered)."""
    return site.cache_dir / "notebooks" / config.theme["language"]


def configure(site: Config, config) -> None:
    """mkdocs-jupyter's cache under the build's cache, one folder per language: both languages build at once, and each
    evicts the entries it did not use."""
    plugin = config.plugins.get(JUPYTER_PLUGIN)
    if plugin is not None:
        plugin.config["cache_dir"] = str(site.cache_dir / "mkdocs-jupyter" / config.theme["language"])
        _keep_compiled_templates(site.cache_dir / "jinja-nbconvert")


def keep_cache(config) -> None:
    """Keep mkdocs-jupyter from evicting the cache entries of the notebooks this build did not render."""
    plugin = config.plugins.get(JUPYTER_PLUGIN)
    if plugin is not None:
        plugin.config["cache"] = False  # read again only by its on_post_build, to evict: conversion is over by then


def _keep_compiled_templates(folder) -> None:
    """nbconvert compiles its page templates again for every notebook it converts (a new Jinja environment per exporter):
    a third of a second each, paid by every chapter edited under `serve`. Its environments get a bytecode cache, which
    Jinja checks against each template's source before use."""
    from jinja2 import FileSystemBytecodeCache
    from nbconvert.exporters.templateexporter import TemplateExporter

    create = TemplateExporter._create_environment  # noqa: SLF001
    if getattr(create, "execdocs_cached", False):
        return

    def create_with_cache(self):
        environment = create(self)
        folder.mkdir(parents=True, exist_ok=True)
        environment.bytecode_cache = FileSystemBytecodeCache(str(folder))
        return environment

    create_with_cache.execdocs_cached = True
    TemplateExporter._create_environment = create_with_cache  # noqa: SLF001


def is_notebook(page) -> bool:
    """Whether `page` is a chapter's notebook."""
    uri = page.file.src_uri
    return uri.startswith(FOLDER + "/") and uri.endswith(".ipynb")


def chapter_uri(notebook: str) -> str:
    """The page a notebook comes from (the inverse of notebook_uri)."""
    stem = posixpath.splitext(notebook.removeprefix(FOLDER + "/"))[0]
    return ("index" if stem == "introduction" else stem) + ".md"


def download_uri(file) -> str:
    """Where mkdocs-jupyter (include_source) puts the .ipynb file of a notebook page."""
    return posixpath.join(posixpath.dirname(file.dest_uri), posixpath.basename(file.src_uri))


def on_notebook_markdown(markdown: str, page, config) -> str:
    """A notebook page's "edit" link opens the chapter's source; in search it ranks below its chapter (which it repeats)."""
    page.meta.setdefault("search", {}).setdefault("boost", 0.1)
    if page.edit_url:
        page.edit_url = page.edit_url.replace(page.file.src_uri, chapter_uri(page.file.src_uri))
    return markdown


def on_page_content(html: str, page, config, files, notebooks: dict) -> str:
    """A chapter gets its notebook's links under its title; a notebook page gets the site's math and relative links."""
    if is_notebook(page):
        return fit_notebook_html(html, page, config)
    notebook = notebooks.get(page.file.src_uri)
    if notebook is None:
        return html
    file = files.get_file_from_path(notebook)
    says = words(config.theme["language"])
    buttons = (f'<div class="execdocs-notebook">'
               f'<a class="md-button md-button--primary" href="{get_relative_url(download_uri(file), page.url)}" download '
               f'title="{htmlmod.escape(says["download_title"])}" data-notebook-download>{says["download"]}</a> '
               f'<a class="md-button" href="{get_relative_url(file.url, page.url)}" data-notebook-view>{says["view"]}</a></div>')
    # a <div>, not a <p>: the page's description is its first paragraph (hooks/page_description.py)
    head, found, rest = html.partition("</h1>")
    return head + found + buttons + rest if found else buttons + html


# What nbconvert's page brings that this site has already, or must not load: its styles (JupyterLab's, 0.6 MB, light
# only), MathJax 2 and mermaid from a CDN, its own copy buttons (Material adds the site's to every code block), and
# cell ids such as "cell-id=cell-1", which Material's copy buttons would turn into selectors that match nothing.
_DROPPED = re.compile(r"<style\b.*?</style>|<script\b.*?</script>|<!--.*?-->| id=\"cell-id=[^\"]*\""
                      r'|<div class="zeroclipboard-container">.*?</clipboard-copy>\s*</div>'
                      r'|<div class="clipboard-copy-txt" id="cell-\d+">.*?</div>', re.S)
_CODE = re.compile(r'<div class="highlight-ipynb hl-python[^"]*"><pre><span></span>(.*?)</pre></div>', re.S)
_OUTPUT = re.compile(r'(<div class="jp-RenderedText jp-OutputArea-output[^"]*"[^>]*>)\s*<pre>(.*?)</pre>', re.S)
_MARKDOWN_CELL = re.compile(r'(<div class="[^"]*\bjp-RenderedMarkdown\b[^"]*"[^>]*>)(.*?)(</div>\n</div>\n</div>\n</div>)', re.S)
_HEADING = re.compile(r'<h([1-6]) id="[^"]*">(.*?)<a class="anchor-link" href="#[^"]*">¶</a></h\1>', re.S)
_SKIP = re.compile(r"(<(pre|code)\b.*?</\2>)", re.S)
# As arithmatex reads them: $$...$$ (display, may span lines) and $...$ (inline: no space inside the dollars, no digit after).
_DISPLAY = re.compile(r"(?:<p>)?\$\$(.+?)\$\$(?:</p>)?", re.S)
_INLINE = re.compile(r"(?<![\\$])\$(?!\s)((?:\\.|[^$\\])+?)(?<!\s)\$(?![\d$])")
_EXCLUDED_CELL = '<div data-search-exclude class="jp-Cell '
SETUP_SUMMARY = {"en": "Setup code (not shown on the page)", "zh": "准备代码（页面上不显示）"}


def fit_notebook_html(html: str, page, config) -> str:
    """The notebook's HTML as a page of this site: its code and output blocks, math, headings and links as on the chapters."""
    cells = json.loads(page.file.content_string)["cells"]
    kinds = iter([cell["metadata"].get("execdocs", {}).get("kind") for cell in cells if cell["cell_type"] == "code"])
    summary = SETUP_SUMMARY.get(config.theme["language"], SETUP_SUMMARY["en"])

    def code(match) -> str:
        if next(kinds, None) != "setup":
            return f'<div class="language-python highlight"><pre><span></span><code>{match[1]}</code></pre></div>'
        plain = re.sub(r"</?span\b[^>]*>", "", match[1])  # folded setup code, uncoloured: half the weight of a long page
        return (f'<details class="execdocs-setup"><summary>{summary}</summary>'
                f'<div class="language-python highlight"><pre><span></span><code>{plain}</code></pre></div></details>')

    html = _DROPPED.sub("", html)
    for cell in cells:  # a figure is a file of the site already: the page links it instead of carrying it (page weight)
        for name, data in cell.get("attachments", {}).items():
            target = get_relative_url(f"assets/figures/{name}", page.url)  # named as figure_uri() names it
            html = html.replace(f"data:image/svg+xml;base64,{data['image/svg+xml']}", target)
    html = _CODE.sub(code, html)
    html = _OUTPUT.sub(lambda m: f'{m[1]}<div class="language-text highlight execdocs-output"><pre><code>{m[2]}</code></pre></div>', html)
    html = _MARKDOWN_CELL.sub(lambda m: m[1] + _arithmatex(m[2]) + m[3], html)
    anchors = iter(_anchors(page.toc))  # the ids the table of contents links to, in page order
    html = _HEADING.sub(lambda m: _heading(m, next(anchors, None)), html)
    site = re.escape(config.site_url)
    html = re.sub(rf'href="{site}([^"]*)"', lambda m: f'href="{get_relative_url(m[1] or "./", page.url)}"', html)
    html = html.replace("<img ", '<img loading="lazy" ')  # as the chapter's figures: fetched when scrolled to
    # Page weight: JupyterLab's empty collapser elements and blank lines go. Search finds the notebook by its first cell
    # (title and link to the chapter): indexing all of it would index each chapter twice and double the search index.
    html = re.sub(r'<div class="jp-Collapser[^"]*">\s*</div>\s*', "", html)
    html = re.sub(r"\n\s*\n", "\n", html)
    first = html.find('<div class="jp-Cell ', html.find('<div class="jp-Cell ') + 1)
    return html[:first] + html[first:].replace('<div class="jp-Cell ', _EXCLUDED_CELL) if first > 0 else html


def searched_part(html: str) -> str:
    """What search reads of a notebook page: the HTML before the first cell fit_notebook_html() excluded from search."""
    end = html.find(_EXCLUDED_CELL)
    return html if end < 0 else html[:end]


def _anchors(toc) -> list[str]:
    return [anchor for item in toc for anchor in [item.id, *_anchors(item.children)]]


def _heading(match, anchor: str | None) -> str:
    level, text = match[1], match[2]
    if anchor is None:
        return f"<h{level}>{text}</h{level}>"
    return f'<h{level} id="{anchor}">{text}<a class="headerlink" href="#{anchor}" title="Permanent link">¶</a></h{level}>'


def _arithmatex(html: str) -> str:
    """Math in rendered Markdown wrapped in the elements the site typesets (math_render.py)."""
    parts = _SKIP.split(html)
    out = []
    for index, part in enumerate(parts):
        if index % 3:  # a <pre> or <code> element, or its tag name
            out.append(part if index % 3 == 1 else "")
            continue
        part = _DISPLAY.sub(lambda m: f'<div class="arithmatex">\\[{m[1]}\\]</div>', part)
        out.append(_INLINE.sub(lambda m: f'<span class="arithmatex">\\({m[1]}\\)</span>', part))
    return "".join(out)

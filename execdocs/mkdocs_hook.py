"""MkDocs hook: run every snippet the pages include, then put code and output into the pages.

Listed under `hooks:` in mkdocs.yml. All work is delegated to the engine; this file only
maps MkDocs events onto it. Errors become `PluginError`, which stops any build; page
problems that still leave a page to show (math, typed numbers) are warnings, fatal
under --strict.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

from execdocs.directives import check_values, find_directives, render
from execdocs.errors import SnippetError
from execdocs.runner import shared_engine
from execdocs.settings import MATHJAX_DIR, MATHJAX_FILES, ROOT
from execdocs.site_checks import page_problems

log = logging.getLogger("mkdocs.plugins.execdocs")

_runs: dict = {}  # snippet path -> Run, for the build in progress


def on_files(files, config):
    """Check every page, collect its directives, run their snippets in one batch, add MathJax."""
    _runs.clear()
    docs_dir = Path(config.docs_dir)
    pages = {docs_dir / file.src_uri: file.content_string for file in files.documentation_pages()}
    try:
        found = {page: find_directives(text, page) for page, text in pages.items()}
        for page, text in pages.items():
            for problem in page_problems(text, page, found[page]):
                log.warning(str(problem))  # the page can still be shown (`mkdocs serve`); --strict makes it fatal
        _runs.update(shared_engine().run(d.path for directives in found.values() for d in directives))
        for page in pages:  # check quoted values now, while errors can carry the page's true line numbers
            check_values(page, found[page], _runs)
    except SnippetError as error:
        raise PluginError(str(error)) from None
    _add_mathjax(files, config)
    return files


def on_page_markdown(markdown, page, config, files):
    """Replace the directives with code, output and quoted values (already checked in on_files)."""
    page_path = Path(config.docs_dir) / page.file.src_uri
    try:
        return render(markdown, page_path, find_directives(markdown, page_path), _runs, _language(config))
    except SnippetError as error:
        raise PluginError(str(error)) from None


def on_serve(server, config, builder):
    """Say how to see the other language: each `mkdocs serve` shows one."""
    other = "mkdocs serve -f mkdocs.zh.yml -a 127.0.0.1:8001" if _language(config) == "en" else "mkdocs serve -f mkdocs.yml"
    log.info(f"Serving the '{_language(config)}' site only. For the other language, run in a second terminal: {other}")
    return server


def _language(config) -> str:
    return config.theme["language"]


def _add_mathjax(files, config) -> None:
    """Serve MathJax from the site itself (no CDN), straight from node_modules."""
    if not MATHJAX_DIR.is_dir():
        raise PluginError(f"{MATHJAX_DIR.relative_to(ROOT)} is missing: run `npm ci` in {ROOT} to install MathJax")
    for pattern in MATHJAX_FILES:
        for source in sorted(MATHJAX_DIR.glob(pattern)):
            uri = "assets/mathjax/" + source.relative_to(MATHJAX_DIR).as_posix()
            files.append(File.generated(config, uri, abs_src_path=str(source)))

"""MkDocs hook: run every snippet the pages include, put code and output into the pages, typeset their math.

Listed under `hooks:` in mkdocs.yml. All work is delegated to the engine; this file only
maps MkDocs events onto it. Errors become `PluginError`, which stops any build; page
problems that still leave a page to show (math, typed numbers) are warnings, fatal
under --strict.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from jinja2 import FileSystemBytecodeCache
from mkdocs.exceptions import PluginError
from mkdocs.plugins import CombinedEvent, event_priority
from mkdocs.structure.files import File

from execdocs.engine.client import WorkerProcess, shared_engine
from execdocs.engine.config import Config, ConfigError
from execdocs.engine.directives import check_runs, figure_uri, find_directives, render
from execdocs.engine.errors import SnippetError
from execdocs.website import handoff, live, notebook_pages
from execdocs.website.checks import page_problems
from execdocs.website.math_render import shared_renderer

log = logging.getLogger("mkdocs.plugins.execdocs")

_state: dict = {"runs": {}}  # snippet path -> Run, for the build in progress


def _config() -> Config:
    try:
        return Config.from_env()
    except ConfigError as error:
        raise PluginError(str(error)) from None


def on_startup(command, dirty):
    live.start(command)  # `serve` or `build`: only serve remembers builds (live.py)


def on_config(config):
    """Give mkdocs-jupyter its settings for this site (see notebook_pages)."""
    notebook_pages.configure(_config(), config)
    return config


@event_priority(50)  # before mkdocs-jupyter's on_files, which must see the notebooks added here
def on_files(files, config):
    """Check every page, collect its directives, run their snippets in one batch, add their figures."""
    site = _config()
    docs_dir = Path(config.docs_dir)
    pages = {docs_dir / file.src_uri: file for file in files.documentation_pages()}
    runs, found = {}, {}
    checked = handoff.checked_pages()  # under `execdocs build`: waits for its checks and runs, then skips what they covered
    try:
        for page, file in pages.items():
            text = file.content_string
            covered = checked.get(site.display_path(page)) == handoff.digest(text)
            found[page], problems = live.checked_page(page, text, lambda: find_directives(site, text, page, check=False),
                                                      lambda: _check_page(site, page, text, covered))
            for problem in problems:
                log.warning(str(problem))  # the page can still be shown (`mkdocs serve`); --strict makes it fatal
        engine = shared_engine(site)
        runs = engine.run(d.path for directives in found.values() for d in directives)
        for page in pages:  # check what the runs must give now, while errors carry the page's true line numbers
            check_runs(site, found[page], runs)
    except SnippetError as error:
        raise PluginError(str(error)) from None
    _state.update(runs=runs)
    _add_figures(runs, files, config)
    _state.update(notebooks=notebook_pages.add_notebooks(site, files, config, found, runs))
    live.mark_changed(files, config, site.root, found, runs)  # under `serve`: which pages a rebuild renders
    return files


def _check_page(site: Config, page: Path, text: str, covered: bool) -> tuple[list, list]:
    """A page's directives, checked, and its problems; a page `execdocs build` checked already (`covered`) has none."""
    directives = find_directives(site, text, page, check=not covered)
    return directives, [] if covered else page_problems(site, text, page, directives)


def on_nav(nav, config, files):
    live.prepare_rebuild(nav, config, files)  # under `serve` (live.py)
    return nav


def on_env(env, config, files):
    """Keep the theme's compiled templates between builds (Jinja checks each template's source before using its copy)."""
    folder = _config().cache_dir / "jinja"
    folder.mkdir(parents=True, exist_ok=True)
    env.bytecode_cache = FileSystemBytecodeCache(str(folder))
    return env


def on_page_markdown(markdown, page, config, files):
    """Replace the directives with code, output and quoted values (already checked in on_files)."""
    site = _config()
    if notebook_pages.is_notebook(page):
        return notebook_pages.on_notebook_markdown(markdown, page, config)
    page_path = Path(config.docs_dir) / page.file.src_uri
    try:  # found again (checked in on_files): offsets in `markdown` (front matter removed) differ from those in the file
        directives = find_directives(site, markdown, page_path, check=False)
        missing = [d for d in directives if d.path not in _state["runs"]]
        if missing:
            raise site.error(page_path, missing[0].line, "this directive was not seen when the snippets ran; build again")
        return render(markdown, directives, _state["runs"], config.theme["language"], Path(config.docs_dir))
    except SnippetError as error:
        raise PluginError(str(error)) from None


def on_page_content(html, page, config, files):
    """Link a chapter to its notebook; make a notebook page use the site's math and links."""
    return notebook_pages.on_page_content(html, page, config, files, _state.get("notebooks", {}))


@event_priority(100)  # before Material's search plugin (priority 0) reads the page
def _search_reads_first_cell(context, page, config, nav):
    """Search indexes a notebook page by its first cell (title, link to its chapter), which is all it finds there: parsing
    the whole notebook, as long as its chapter, only to skip it (data-search-exclude) doubled the build's search time."""
    if notebook_pages.is_notebook(page):
        page.execdocs_content, page.content = page.content, notebook_pages.searched_part(page.content)
    return context


@event_priority(-100)  # after search, before the template renders the page
def _template_reads_whole_notebook(context, page, config, nav):
    if hasattr(page, "execdocs_content"):
        page.content = page.__dict__.pop("execdocs_content")
    return context


on_page_context = CombinedEvent(_search_reads_first_cell, _template_reads_whole_notebook)


def on_post_page(output, page, config):
    """Typeset the page's formulas as SVG (math_render.py): visible at first paint, with no script."""
    site = _config()
    live.rendered(page)
    try:
        return shared_renderer(site).page(output, f"docs/{config.theme['language']}/{page.file.src_uri}")
    except SnippetError as error:
        raise PluginError(str(error)) from None


@event_priority(100)  # before mkdocs-jupyter's on_post_build, which evicts the cache entries this build did not use
def _keep_unrendered_notebooks_cached(config):
    if live.SESSION.rebuilding:  # a dirty rebuild under `serve` rendered a few notebooks at most: the others stay valid
        notebook_pages.keep_cache(config)


def _remember_build(config):
    live.built(Path(config.site_dir) / "search" / "search_index.json")  # only under `serve` (live.py)


on_post_build = CombinedEvent(_keep_unrendered_notebooks_cached, _remember_build)


def on_serve(server, config, builder):
    """Say how to see the other language: each `mkdocs serve` shows one."""
    language = config.theme["language"]
    other = "mkdocs serve -f mkdocs.zh.yml -a 127.0.0.1:8001" if language == "en" else "mkdocs serve -f mkdocs.yml"
    log.info(f"Serving the '{language}' site only. For the other language, run in a second terminal: {other}")
    # Warm the snippet worker now (imports torch: seconds), not when the author first saves a snippet.
    site = _config()
    threading.Thread(target=WorkerProcess.for_config, args=(site, log.info), name="execdocs-warm-worker", daemon=True).start()
    live.start_rebuilding()  # each rebuild renders only the pages an edit changed (live.py)
    live.poll_faster(server)  # the watches so far (docs, config) and those added after this event (snippets/)
    notebooks = notebook_pages.notebook_folder(site, config)
    if notebooks.is_dir():  # a changed notebook is written after the rebuild that changed it, and rendered by the next
        server.watch(str(notebooks))
    return server


def _add_figures(runs: dict, files, config) -> None:
    """Serve every figure the snippets drew as an SVG file of the site, named by its digest."""
    seen = set()
    for run in runs.values():
        for figure in run.figures():
            uri = figure_uri(figure)
            if uri not in seen:
                seen.add(uri)
                files.append(File.generated(config, uri, content=figure["svg"]))

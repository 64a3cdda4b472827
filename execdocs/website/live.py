"""What `mkdocs serve` remembers between rebuilds, so that an edit renders only the pages it changes.

MkDocs rebuilds the whole site on every change it sees: at this site's size, seconds of
Markdown, highlighting, search indexing and templates for one edited line. Under `serve`
(never in `mkdocs build` or `python -m execdocs build`) the hook turns every rebuild after the
first into one of MkDocs' dirty builds, which render only the pages whose Markdown is newer
than their output, and adds what a dirty build alone gets wrong here:

- a page is rendered again when what it shows from its snippets changed (code, output,
  values, figures, the comment catalogue of its language), although its Markdown did not;
- a change every page shows renders every page: a page added, removed or retitled (the nav),
  the configuration, the theme overrides, the hooks or this package;
- the pages not rendered keep their titles in the nav of those that are, and their entries in
  the search index.

State lives in this module, not in a hook file: MkDocs executes its hook files afresh for each
rebuild, while a package is imported once per process.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from execdocs.engine.comments import catalogue_path
from execdocs.engine.guard import digest_file
from execdocs.website.handoff import digest

# Files whose change shows on every page (besides the nav): config, templates, hooks, the site layer.
SITE_WIDE = ("mkdocs.yml", "mkdocs.zh.yml", "overrides", "hooks", "execdocs/website")
DIRTY_WARNING = "A 'dirty' build is being performed"
POLL_SECONDS = 0.1  # how often `serve` looks for changed files (MkDocs: 0.5)


@dataclass
class Session:
    serving: bool = False
    rebuilding: bool = False  # inside a rebuild after the first build of `serve`: a dirty build
    shown: dict[str, str] = field(default_factory=dict)  # page src_uri -> digest of what it shows from its snippets
    titles: dict[str, str | None] = field(default_factory=dict)  # page src_uri -> title as rendered
    heads: dict[str, str | None] = field(default_factory=dict)  # page src_uri -> title as its Markdown gives it
    site: str = ""  # digest of the site-wide files
    rendered: set[str] = field(default_factory=set)  # src_uri of the pages rendered by the build in progress
    search: dict[str, list[dict]] = field(default_factory=dict)  # page URL -> its search entries
    notebooks: dict[tuple, str] = field(default_factory=dict)  # what a notebook is made from -> its JSON
    page_urls: dict[str, str] = field(default_factory=dict)  # page src_uri -> URL, for the build in progress
    pending: dict = field(default_factory=dict)  # shown, heads and site of the build in progress
    forced: set[str] = field(default_factory=set)  # src_uri of the pages this rebuild renders whatever their files say; "*": all
    deferred: dict[Path, str] = field(default_factory=dict)  # notebook file -> its new JSON, written after the build
    checks: dict[tuple, tuple] = field(default_factory=dict)  # (page, its text, its snippets' bytes) -> (directives, problems)
    parsed: dict[str, tuple] = field(default_factory=dict)  # page -> (digest of its text, its directives, unchecked)


SESSION = Session()


def start(command: str) -> None:
    """MkDocs' startup event: a `serve` session remembers its builds from the first one on."""
    SESSION.serving = command == "serve"


def start_rebuilding() -> None:
    """Called once `serve` has built the site: every later build is a rebuild, and dirty."""
    from mkdocs.commands import serve as serve_command

    full_build = serve_command.build
    if getattr(full_build, "execdocs_dirty", False):
        return

    def rebuild(config, *, serve_url=None, dirty=False):
        SESSION.rebuilding = True
        try:
            full_build(config, serve_url=serve_url, dirty=True)
        finally:
            SESSION.rebuilding = False

    rebuild.execdocs_dirty = True
    serve_command.build = rebuild  # the name serve's builder calls at each change
    _list_installed_theme_once()
    logging.getLogger("mkdocs.commands.build").addFilter(lambda record: not record.getMessage().startswith(DIRTY_WARNING))


def _list_installed_theme_once() -> None:
    """MkDocs lists every file of the theme's folders on each build to find its static files: 14 516 names (Material's
    icons), 0.15 s of every rebuild. Under `serve`, a folder outside the project (the installed theme) is listed once;
    the project's own (overrides/) is listed at each build, so a file added there is served."""
    from mkdocs.structure.files import Files

    add_files = Files.add_files_from_theme
    if getattr(add_files, "execdocs_remembered", False):
        return
    listed: dict[tuple, list[str]] = {}  # (folder, static templates) -> what MkDocs' filter keeps of its files

    class Listing:  # stands in for the theme's environment, of which add_files_from_theme only lists the templates
        def __init__(self, config):
            self.config = config

        def list_templates(self, filter_func):
            from jinja2 import FileSystemLoader

            project = Path(self.config.config_file_path).resolve().parent
            names: set[str] = set()
            for folder in self.config.theme.dirs:
                key = (folder, tuple(self.config.theme.static_templates))
                kept = listed.get(key)
                if kept is None:
                    kept = [name for name in FileSystemLoader(folder).list_templates() if filter_func(name)]
                    if not Path(folder).resolve().is_relative_to(project):
                        listed[key] = kept
                names.update(kept)
            return sorted(names)

    def add_files_from_theme(self, env, config):
        return add_files(self, Listing(config), config)

    add_files_from_theme.execdocs_remembered = True
    Files.add_files_from_theme = add_files_from_theme


def poll_faster(server, seconds: float = POLL_SECONDS) -> None:
    """MkDocs looks for changed files every 0.5 s (polling, for portability): on average a quarter of a second before a
    rebuild even starts. The watched folders hold a few hundred files here, so polling five times as often is cheap.
    (watchdog keeps the interval in each emitter's `_timeout`; if that ever changes, this does nothing.)"""
    observer = getattr(server, "observer", None)
    for watcher in (observer, *getattr(observer, "emitters", ())):
        if hasattr(watcher, "_timeout"):
            watcher._timeout = seconds  # noqa: SLF001
    # MkDocs then waits 0.1 s more for further changes before it builds: shorter than its own polling, so one save never
    # spanned two polls; at the faster polling the wait only delays the build.
    if hasattr(server, "build_delay"):
        server.build_delay = 0.0


def mark_changed(files, config, root: Path, found: dict, runs: dict) -> None:
    """In on_files: which pages a rebuild renders although their Markdown did not change (prepare_rebuild marks them):
    those whose snippets changed, or every one after a site-wide change. On the first build, just remember."""
    if not SESSION.serving:
        return
    language = config.theme["language"]
    docs_dir = Path(config.docs_dir)
    shown = {page.relative_to(docs_dir).as_posix(): shown_digest(directives, runs, language) for page, directives in found.items()}
    heads = {file.src_uri: _markdown_title(file.content_string) for file in files.documentation_pages() if file.src_uri.endswith(".md")}
    site = _site_digest(root, sorted(heads))
    every_page = site != SESSION.site or heads != SESSION.heads
    SESSION.forced = {uri for uri in shown if every_page or shown[uri] != SESSION.shown.get(uri, "")} | ({"*"} if every_page else set())
    SESSION.pending = {"shown": shown, "heads": heads, "site": site}  # what this build is made from, once it succeeds
    SESSION.rendered = set()


def prepare_rebuild(nav, config, files) -> None:
    """Once every plugin has its files (mkdocs-jupyter turns notebooks into pages in its on_files): in a rebuild, mark the
    pages to render, and give the pages it does not read their titles for the nav of those it renders."""
    if not SESSION.serving:
        return
    pages = files.documentation_pages()
    SESSION.page_urls = {file.src_uri: "" if file.url in (".", "./") else file.url for file in pages}  # as Page.url gives it
    if not SESSION.rebuilding:
        return
    for file in pages:
        if "*" in SESSION.forced or file.src_uri in SESSION.forced:
            file.is_modified = _always  # an instance attribute: this build's File only
    for page in nav.pages:
        if not page.file.is_modified() and page.markdown is None:
            page.read_source(config)  # the Markdown without rendering it: cheap
            page._title_from_render = SESSION.titles.get(page.file.src_uri)  # noqa: SLF001 (what render() would set)


def rendered(page) -> None:
    SESSION.rendered.add(page.file.src_uri)
    SESSION.titles[page.file.src_uri] = page.title


def built(index: Path) -> None:
    """At the end of a build that succeeded: remember what it was made from (a build that fails is compared with the last
    one that did not, so that the pages it did not get to are rendered by the next), and complete the search index."""
    if not SESSION.serving:
        return
    for name, value in SESSION.pending.items():
        setattr(SESSION, name, value)
    SESSION.pending = {}
    for path, content in SESSION.deferred.items():  # `serve` watches their folder: the next rebuild renders them
        path.write_text(content, encoding="utf-8")
    SESSION.deferred = {}
    _merge_search_index(index)


def _merge_search_index(index: Path) -> None:
    """In a rebuild, the search index MkDocs wrote lists only the pages rendered: add back those of the others."""
    if not index.is_file():
        return
    data = json.loads(index.read_text(encoding="utf-8"))
    groups: dict[str, list[dict]] = {}
    for doc in data["docs"]:
        groups.setdefault(doc["location"].split("#")[0], []).append(doc)
    if SESSION.rebuilding:
        rendered_urls = {SESSION.page_urls[uri] for uri in SESSION.rendered if uri in SESSION.page_urls}
        current = set(SESSION.page_urls.values())
        kept = {url: docs for url, docs in SESSION.search.items() if url in current and url not in rendered_urls}
        groups = {**kept, **groups}
        data["docs"] = [doc for docs in groups.values() for doc in docs]
        index.write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False), encoding="utf-8")
    SESSION.search = groups


def defer_notebook(path: Path, content: str) -> bool:
    """Whether a changed notebook waits for the rebuild after this one (then True: the caller does not write it).

    Converting a notebook to its page (mkdocs-jupyter, nbconvert) takes longer than rendering its chapter. In a rebuild
    the chapter comes first: the notebook file is written once the build is over, and the change starts the next
    rebuild, which renders the notebook page alone. The browser reloads twice; the chapter shows a half second sooner."""
    if not (SESSION.rebuilding and path.is_file()):
        return False
    SESSION.deferred[path] = content
    return True


def notebook(made_from, make) -> str:
    """A chapter's notebook JSON, made again only when what it is made from changed (under `serve`; a build makes each
    once). `made_from()` names its inputs; it is called only under `serve`, as it digests the page's runs."""
    if not SESSION.serving:
        return make()
    key = made_from()
    if key not in SESSION.notebooks:
        SESSION.notebooks = {k: v for k, v in SESSION.notebooks.items() if k[0] != key[0]}
        SESSION.notebooks[key] = make()
    return SESSION.notebooks[key]


def checked_page(page: Path, text: str, parse, check) -> tuple[list, list]:
    """A page's directives and problems, `check()`ed again under `serve` only when its text or the bytes of a snippet it
    includes changed: an edit checks the pages it touches, not all of them. `parse()` gives the page's directives,
    unchecked (which snippets it includes); it runs only under `serve`, and again only when the text changed."""
    if not SESSION.serving:
        return check()
    text_digest = digest(text)
    known = SESSION.parsed.get(str(page))
    if known is None or known[0] != text_digest:
        known = SESSION.parsed[str(page)] = (text_digest, parse())
    snippets = tuple((str(path), digest_file(path)) for path in dict.fromkeys(d.path for d in known[1]))
    key = (str(page), text_digest, snippets)
    if key not in SESSION.checks:
        result = check()  # a SnippetError is raised, never remembered
        SESSION.checks = {k: v for k, v in SESSION.checks.items() if k[0] != key[0]}
        SESSION.checks[key] = result
    return SESSION.checks[key]


def _always() -> bool:
    return True


def _markdown_title(text: str) -> str | None:
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return None


def shown_digest(directives, runs: dict, language: str) -> str:
    sha = hashlib.sha256()
    for path in dict.fromkeys(directive.path for directive in directives):
        run = runs.get(path)
        if run is not None:
            sha.update(repr((str(path), run.source, run.sections, sorted(run.values.items(), key=str))).encode())
        catalogue = catalogue_path(path, language)
        if catalogue.is_file():
            sha.update(catalogue.read_bytes())
    return sha.hexdigest()


def _site_digest(root: Path, pages: list[str]) -> str:
    sha = hashlib.sha256(repr(pages).encode())
    for name in SITE_WIDE:
        path = root / name
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file():
                stat = file.stat()
                sha.update(f"{file}\0{stat.st_mtime_ns}\0{stat.st_size}\0".encode())
    return sha.hexdigest()

"""Under `mkdocs serve`, a rebuild renders only the pages an edit changed, and every page still shows the truth (live.py).

One serve session on a two-page copy of the tiny site, driven in a subprocess as `mkdocs serve`
drives it: the first build, then `on_serve` (which makes later builds dirty), then one edit and
one rebuild per step. The script prints, per step, which pages were written again and what
they show; the tests read that record.
"""

from __future__ import annotations

import json
import math

import pytest

from tests.tiny_site import TinySite, warm_cache

SESSION_SCRIPT = r'''
import json, logging, shutil, sys, time
from pathlib import Path
from mkdocs.config import load_config
from mkdocs.commands import serve
from execdocs.website import live

root, site = Path(sys.argv[1]), Path(sys.argv[2])
PAGES = {"index.md": site / "index.html", "two.md": site / "two" / "index.html",
         "notebook": site / "notebooks" / "introduction" / "index.html"}

def build(first=False):
    config = load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(site))
    if first:
        config.plugins.on_startup(command="serve", dirty=False)
    serve.build(config, serve_url="http://127.0.0.1:8000/")

def edit(relative, old, new):
    time.sleep(0.05)  # MkDocs compares modification times
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (relative, old)
    path.write_text(text.replace(old, new), encoding="utf-8")

warnings = []  # what the hook warned of since the last record (page problems: serve shows the page anyway)
handler = logging.Handler()
handler.emit = lambda entry: warnings.append(entry.getMessage()) if entry.levelno >= logging.WARNING else None
logging.getLogger("mkdocs.plugins.execdocs").addHandler(handler)

def record():
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    said = warnings[:]
    warnings.clear()
    return {"mtimes": {page: path.stat().st_mtime_ns for page, path in PAGES.items()},
            "html": {page: path.read_text(encoding="utf-8") for page, path in PAGES.items()},
            "search": sorted({doc["location"].split("#")[0] for doc in index["docs"]}), "warnings": said}

build(first=True)  # the first build of `serve` (after its startup event); then its serve event
config = load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(site))
config.plugins.on_serve(type("Server", (), {"watch": lambda *a, **k: None})(), config=config, builder=None)
steps = {"first": record()}
edit("docs/en/two.md", "Text two.", "Text two, edited.")
build(); steps["prose"] = record()
edit("snippets/tiny.py", "p = 0.9", "p = 0.8")
build(); steps["snippet"] = record()
edit("docs/en/two.md", "# Page two", "# Second page")
build(); steps["title"] = record()
edit("docs/en/index.md", "A true class given", "A true class, once given,")
build(); steps["chapter"] = record()
build(); steps["notebook"] = record()  # what the watcher of the notebooks' folder starts
(root / "overrides" / "extra" / "added.css").write_text("p {}", encoding="utf-8")  # a theme file added while serving
shutil.rmtree(site / "assets")  # the installed theme's files, to be copied again from its listing
build(); steps["theme"] = record()
steps["theme"]["theme files"] = sorted(path.relative_to(site).as_posix() for folder in ("extra", "assets/javascripts")
                                       for path in (site / folder).glob("*.*"))
print(json.dumps({"steps": steps, "serving": live.SESSION.serving}))
'''


# The chapters' notebooks, set up as in the real mkdocs.yml
NOTEBOOKS_PLUGIN = """plugins:
  - search
  - mkdocs-jupyter:
      execute: false
      allow_errors: false
      include_source: true
      no_prompt: true
      include: ["notebooks/*.ipynb", "notebooks/*/*.ipynb"]
      ignore: ["*.md", "*.py"]
not_in_nav: /notebooks/
"""


@pytest.fixture(scope="module")
def steps(tmp_path_factory):
    """Each step's record: modification times and HTML of both pages, and the pages the search index lists."""
    tiny = TinySite.copy(tmp_path_factory.mktemp("serve"), warm_cache())
    tiny.edit("docs/en/index.md", "# Tiny site", "# The tiny home page")
    tiny.write("docs/en/two.md", """
        # Page two

        Text two.
    """)
    tiny.write("docs/zh/two.md", """
        # 第二页

        第二页的文字。
    """)
    for name in ("mkdocs.yml", "mkdocs.zh.yml"):
        if "nav:" in (tiny.root / name).read_text(encoding="utf-8"):
            tiny.edit(name, "  - index.md\n", "  - index.md\n  - two.md\n")
    tiny.edit("mkdocs.yml", "plugins:\n  - search\n", NOTEBOOKS_PLUGIN)
    tiny.edit("mkdocs.yml", "  font: false\n", "  font: false\n  custom_dir: overrides\n")
    tiny.write("overrides/extra/first.css", "h1 {}")
    (tiny.root / "session.py").write_text(SESSION_SCRIPT, encoding="utf-8")
    result = tiny.run("session.py", str(tiny.root), str(tiny.root / "served"))
    assert result.returncode == 0, result.output
    record = json.loads(result.stdout.strip().splitlines()[-1])
    assert record["serving"], "on_serve did not start the serve session"
    return record["steps"]


def written_again(steps, step: str, before: str) -> set[str]:
    return {page for page, mtime in steps[step]["mtimes"].items() if mtime != steps[before]["mtimes"][page]}


def test_a_prose_edit_renders_that_page_only(steps):
    """Assert the edited page shows the edit, and the other page was not written again."""
    assert "Text two, edited." in steps["prose"]["html"]["two.md"]
    assert written_again(steps, "prose", "first") == {"two.md"}


def test_the_page_not_rendered_keeps_its_title_in_the_nav(steps):
    """Assert the rendered page's nav names the page the rebuild did not read, by its title."""
    assert "The tiny home page" in steps["prose"]["html"]["two.md"], \
        "the nav of the rebuilt page lost the title of the page a dirty build did not read"


def test_a_snippet_edit_renders_the_pages_that_show_it(steps):
    """Assert a page whose Markdown did not change shows its snippet's new output, and only it was written again."""
    assert f"loss = {-math.log(0.8):.4f}" in steps["snippet"]["html"]["index.md"]  # what the edited snippet prints
    assert f"{-math.log(0.9):.4f}" not in steps["snippet"]["html"]["index.md"]
    assert written_again(steps, "snippet", "prose") == {"index.md"}


def test_a_snippet_edit_checks_the_pages_that_include_it_again(steps):
    """Assert the page typing 0.9 is warned of once its snippet no longer has 0.9 (pages are checked again only when their
    text or their snippets changed), and was not before."""
    assert not steps["first"]["warnings"] and not steps["prose"]["warnings"]
    assert any("docs/en/index.md" in said and "the number 0.9 is typed" in said for said in steps["snippet"]["warnings"]), \
        steps["snippet"]["warnings"]


def test_a_new_title_renders_every_page(steps):
    """Assert a retitled page appears under its new title in the nav of the page that was not edited."""
    assert written_again(steps, "title", "snippet") == {"index.md", "two.md", "notebook"}
    assert "Second page" in steps["title"]["html"]["index.md"]


def test_search_keeps_the_pages_a_rebuild_did_not_render(steps):
    """Assert after each rebuild the search index still lists every page."""
    assert steps["first"]["search"] == ["", "notebooks/introduction/", "two/"]
    for step in ("prose", "snippet", "title", "chapter", "notebook"):
        assert steps[step]["search"] == steps["first"]["search"], f"{step}: search lists {steps[step]['search']}"


def test_a_chapter_shows_first_then_its_notebook(steps):
    """Assert a chapter edit renders the chapter alone, and the rebuild its notebook file starts renders the notebook page
    alone, with the edit."""
    assert "A true class, once given," in steps["chapter"]["html"]["index.md"]
    assert written_again(steps, "chapter", "title") == {"index.md"}
    assert written_again(steps, "notebook", "chapter") == {"notebook"}
    assert "A true class, once given," in steps["notebook"]["html"]["notebook"]


def test_a_theme_file_added_while_serving_is_served(steps):
    """Assert a file added to the project's theme folder is copied by the next rebuild, and the installed theme's files
    (listed once per session) are still copied."""
    files = steps["theme"]["theme files"]
    assert {"extra/first.css", "extra/added.css"} <= set(files), files
    assert any(name.startswith("assets/javascripts/bundle.") for name in files), files


def test_serve_looks_for_changes_more_often_than_mkdocs_does(tmp_path):
    """Assert after the serve event every watched folder, those watched before and after it, is polled at POLL_SECONDS,
    and a change found is built without MkDocs' further wait."""
    from mkdocs.livereload import LiveReloadServer

    from execdocs.website import live

    (tmp_path / "docs").mkdir()
    (tmp_path / "snippets").mkdir()
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path))
    server.watch(str(tmp_path / "docs"))  # watched by `serve` before the event
    live.poll_faster(server)
    server.watch(str(tmp_path / "snippets"))  # `watch:` of mkdocs.yml, after it
    intervals = {emitter.timeout for emitter in server.observer.emitters}
    assert len(server.observer.emitters) == 2 and intervals == {live.POLL_SECONDS}, f"polling intervals: {intervals}"
    assert server.build_delay < live.POLL_SECONDS, f"a change waits {server.build_delay} s more before the rebuild"
    server.server_close()

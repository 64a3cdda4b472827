"""The chapter notebooks: every section a page shows is in its notebook, in order, and each notebook runs top to bottom
in a fresh kernel printing, cell by cell, what the page shows.

The notebooks are made as the build makes them (execdocs.website.notebooks), into a temporary folder.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import tokenize
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from execdocs.engine.directives import RunDirective, find_directives
from execdocs.website.notebooks import notebook_json, notebook_uri, page_notebooks

KERNEL_TIMEOUT = 600  # seconds per cell: the machine may be busy


@pytest.fixture(scope="module")
def notebooks(config, runs) -> dict[tuple[str, str], dict]:
    """Every chapter's notebook in both languages: (language, page) -> notebook."""
    return {(language, page): notebook for language in config.languages
            for page, notebook in page_notebooks(config, runs, language).items()}


def shown_sections(notebook: dict) -> list[tuple[str, str | None]]:
    """The (snippet, section) of each cell that shows a section of the page, in notebook order."""
    return [(meta["snippet"], meta.get("section")) for cell in notebook["cells"]
            if (meta := cell["metadata"].get("execdocs", {})).get("kind") == "section"]


def stream_text(cell: dict) -> str:
    """What a code cell printed (nbformat may store the text as a list of lines)."""
    texts = [output["text"] for output in cell["outputs"] if output["output_type"] == "stream"]
    return "".join(text if isinstance(text, str) else "".join(text) for text in texts)


def test_every_chapter_has_a_notebook(config, notebooks):
    """Assert each page with at least one run(...) has a notebook in both languages, and no other page has one."""
    for language in config.languages:
        docs = config.docs_dir / language
        chapters = {path.relative_to(docs).as_posix() for path in docs.rglob("*.md")
                    if any(type(d) is RunDirective for d in find_directives(config, path.read_text(encoding="utf-8"), path))}
        assert chapters, f"no page of docs/{language} shows a snippet"
        assert {page for lang, page in notebooks if lang == language} == chapters


def test_notebook_shows_the_page_sections_in_order(config, notebooks):
    """Assert the sections a notebook shows are those the page shows, in the page's order, each with the page's output."""
    for (language, page), notebook in notebooks.items():
        path = config.docs_dir / language / page
        directives = [d for d in find_directives(config, path.read_text(encoding="utf-8"), path) if type(d) is RunDirective]
        assert shown_sections(notebook) == [(d.snippet, d.name) for d in directives], f"docs/{language}/{page}"


def test_notebook_cells_hold_the_page_outputs(config, runs, notebooks):
    """Assert each shown section's cell holds the engine's output (the page's), and setup cells hold none."""
    for (language, page), notebook in notebooks.items():
        for cell in notebook["cells"]:
            meta = cell["metadata"].get("execdocs", {})
            if meta.get("kind") == "section":
                expected = runs[config.snippets_dir / meta["snippet"]].output(meta.get("section"))
                assert stream_text(cell) == expected, f"docs/{language}/{page}: {meta}"
            elif cell["cell_type"] == "code":
                assert cell["outputs"] == [], f"docs/{language}/{page}: setup cell {meta} holds an output"


def _execute(path: Path) -> list[str]:
    """Run a notebook with nbclient in a fresh kernel in its own folder; what differs from the page, cell by cell."""
    stored = json.loads(path.read_text(encoding="utf-8"))["cells"]
    # nbclient's command (jupyter-execute), in a process of its own: its kernel and event loop stay out of pytest's.
    command = [str(Path(sys.executable).with_name("jupyter-execute")), "--inplace", f"--timeout={KERNEL_TIMEOUT}",
               "--startup_timeout=120", "--kernel_name=python3", path.name]
    result = subprocess.run(command, cwd=path.parent, capture_output=True, text=True)
    if result.returncode != 0:
        return [f"{path.parent.name}: a cell failed (nbclient, allow_errors off):\n{result.stderr[-3000:]}"]
    executed = json.loads(path.read_text(encoding="utf-8"))["cells"]
    problems = []
    for ran, kept in zip(executed, stored):
        if ran["cell_type"] != "code":
            continue
        meta = kept["metadata"].get("execdocs", {})
        others = [output["output_type"] for output in ran["outputs"] if output["output_type"] != "stream"
                  and not (output["output_type"] == "display_data" and meta.get("kind") == "section")]  # a figure shows
        if others:
            problems.append(f"{path.parent.name} {meta}: outputs of type {others}")
        if stream_text(ran) != stream_text(kept):
            problems.append(f"{path.parent.name} {meta}: printed\n{stream_text(ran)}\ninstead of\n{stream_text(kept)}")
    return problems


def behaviour(notebook: dict) -> tuple:
    """What running a notebook depends on: its code cells' tokens without comments and blank lines, and what they must print."""
    def code(source: str) -> tuple:
        lines = source.splitlines(keepends=True)
        magic = tuple(line for line in lines[:1] if line.startswith("%%"))  # a cell magic is not Python
        tokens = tokenize.generate_tokens(io.StringIO("".join(lines[len(magic):])).readline)
        return magic + tuple((t.type, t.string) for t in tokens if t.type not in (tokenize.COMMENT, tokenize.NL))
    return tuple((code(cell["source"]), stream_text(cell)) for cell in notebook["cells"] if cell["cell_type"] == "code")


def test_notebooks_run_top_to_bottom_with_the_page_outputs(notebooks, tmp_path):
    """Assert every notebook runs in a fresh kernel, offline, and each cell prints exactly what the page shows.

    Two notebooks that differ only in prose and comments (a chapter's zh and en) behave alike: one of them runs.
    """
    paths, seen = [], set()
    for (language, page), notebook in notebooks.items():
        if behaviour(notebook) in seen:
            continue
        seen.add(behaviour(notebook))
        folder = tmp_path / language / page.replace("/", "_")  # each its own working folder: snippets write relative paths
        folder.mkdir(parents=True)
        path = folder / "notebook.ipynb"
        path.write_text(notebook_json(notebook), encoding="utf-8")
        paths.append(path)
    with ThreadPoolExecutor(max_workers=max(1, min(2, os.cpu_count() or 1))) as pool:  # each kernel imports torch (~3 s)
        problems = [problem for found in pool.map(_execute, paths) for problem in found]
    assert not problems, "\n\n".join(problems)


def _page_dir(site: Path, language: str, page: str) -> Path:
    stem = page.removesuffix(".md").removesuffix("index").rstrip("/")
    return site / language / stem if stem else site / language


def test_chapters_link_their_notebook(built_site, notebooks):
    """Assert each built chapter links its notebook page and its .ipynb, both built, the file showing the page's sections."""
    site, _ = built_site
    problems = []
    for (language, page), notebook in notebooks.items():
        folder = _page_dir(site, language, page)
        html = (folder / "index.html").read_text(encoding="utf-8")
        links = {kind: re.search(rf'href="([^"]+)"[^>]*data-notebook-{kind}', html) for kind in ("download", "view")}
        if not all(links.values()):
            problems.append(f"{language}/{page}: no {' and no '.join(k for k, v in links.items() if not v)} link")
            continue
        download = (folder / links["download"][1]).resolve()
        view = (folder / links["view"][1] / "index.html").resolve()
        if not download.is_file() or not view.is_file():
            problems.append(f"{language}/{page}: {links} lead to no built file")
        elif shown_sections(json.loads(download.read_text(encoding="utf-8"))) != shown_sections(notebook):
            problems.append(f"{language}/{page}: the downloadable notebook shows other sections than the page")
    assert not problems, "\n".join(problems)


def test_notebook_pages_are_in_search(built_site, notebooks):
    """Assert the search index of each language lists every notebook page."""
    site, _ = built_site
    for language in {language for language, _ in notebooks}:
        index = json.loads((site / language / "search" / "search_index.json").read_text(encoding="utf-8"))
        locations = {doc["location"].split("#")[0] for doc in index["docs"]}
        expected = {notebook_uri(page).removesuffix(".ipynb") + "/" for lang, page in notebooks if lang == language}
        assert expected <= locations, f"{language}: not in search: {sorted(expected - locations)}"


def test_search_indexes_a_notebook_by_its_first_cell_only(built_site, notebooks):
    """Assert no code or output of a notebook page is in the search index: its chapter is indexed already, and reading the
    whole notebook doubled the index and the build's search time (mkdocs_hook._search_reads_first_cell)."""
    site, _ = built_site
    for language in {language for language, _ in notebooks}:
        index = json.loads((site / language / "search" / "search_index.json").read_text(encoding="utf-8"))
        entries = [doc for doc in index["docs"] if doc["location"].startswith("notebooks/")]
        assert entries, f"{language}: no notebook page in search"
        heavy = sorted({doc["location"].split("#")[0] for doc in entries if "<pre>" in doc["text"] or len(doc["text"]) > 600})
        assert not heavy, f"{language}: search indexes more than the first cell of {heavy}"

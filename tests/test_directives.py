"""Page directives: mistakes stop the build at the page's line; outputs reach the page escaped."""

from __future__ import annotations

import shutil
import uuid

import markdown
import pytest

from execdocs.directives import find_directives, render
from execdocs.errors import SnippetError
from execdocs.runner import Run
from execdocs.settings import SNIPPETS_DIR

PAGE = SNIPPETS_DIR.parent / "docs" / "en" / "example.md"


@pytest.fixture
def snippet():
    """A throwaway snippet inside snippets/ (removed afterwards), with one section."""
    folder = SNIPPETS_DIR / f"_test_{uuid.uuid4().hex}"
    folder.mkdir()
    path = folder / "demo.py"
    path.write_text("x = 1.5\n# --8<-- [start:show]\nprint('<script>alert(1)</script> ```')\n# --8<-- [end:show]\n", encoding="utf-8")
    yield path
    shutil.rmtree(folder)


def target(path):
    return path.relative_to(SNIPPETS_DIR).as_posix()


def fake_run(path):
    output = "<script>alert(1)</script> ```\n"
    return Run(path.resolve(), [{"name": None, "output": ""}, {"name": "show", "output": output}], {"x": 1.5}, source=path.read_text())


def test_unknown_directive_is_an_error():
    """Assert a misspelt directive is reported at its page line, not left in the page."""
    with pytest.raises(SnippetError, match=r"example\.md:3: unknown directive 'rnu\(\.\.\.\)'"):
        find_directives('title\n\n{{ rnu("information/entropy.py") }}\n', PAGE)


def test_missing_snippet_is_an_error():
    """Assert including a snippet that does not exist names the page line and the snippet."""
    with pytest.raises(SnippetError, match=r"example\.md:1: snippet 'snippets/nope/none\.py' not found"):
        find_directives('{{ run("nope/none.py") }}\n', PAGE)


def test_missing_section_is_an_error(snippet):
    """Assert including an unknown section lists the sections that exist."""
    with pytest.raises(SnippetError, match=r"has no section 'other' \(sections: show\)"):
        find_directives(f'{{{{ run("{target(snippet)}:other") }}}}\n', PAGE)


def test_run_must_stand_alone(snippet):
    """Assert run(...) inside a sentence is refused (it becomes code blocks)."""
    with pytest.raises(SnippetError, match="must stand alone"):
        find_directives(f'See {{{{ run("{target(snippet)}:show") }}}} here.\n', PAGE)


def test_unknown_value_is_an_error(snippet):
    """Assert quoting a value the snippet does not define names the known values."""
    text = f'x is {{{{ value("{target(snippet)}:y", ".2f") }}}}.\n'
    with pytest.raises(SnippetError, match=r"example\.md:1: .* no module-level value 'y' \(values: x\)"):
        render(text, PAGE, find_directives(text, PAGE), {snippet.resolve(): fake_run(snippet)}, "en")


def test_value_is_formatted(snippet):
    """Assert value(...) is replaced by the formatted number."""
    text = f'x is {{{{ value("{target(snippet)}:x", ".2f") }}}}.\n'
    assert render(text, PAGE, find_directives(text, PAGE), {snippet.resolve(): fake_run(snippet)}, "en") == "x is 1.50.\n"


def test_output_is_escaped_on_the_page(snippet):
    """Assert HTML in an output is shown as text, and backticks in it cannot close the fence."""
    text = f'{{{{ run("{target(snippet)}:show") }}}}\n'
    page = render(text, PAGE, find_directives(text, PAGE), {snippet.resolve(): fake_run(snippet)}, "en")
    html = markdown.markdown(page, extensions=["pymdownx.superfences", "pymdownx.highlight", "attr_list"])
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; ```" in html


def test_output_title_follows_the_page_language(snippet):
    """Assert the output block is titled in the page's language."""
    text = f'{{{{ run("{target(snippet)}:show") }}}}\n'
    page = render(text, PAGE, find_directives(text, PAGE), {snippet.resolve(): fake_run(snippet)}, "zh")
    assert 'title="输出"' in page and 'title="snippets/' in page

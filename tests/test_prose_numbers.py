"""A number typed in prose must be backed by code (issue #5): quoted with value(), or an input of the page's snippets.

The check (execdocs/prose_numbers.py) runs in the build and in the hook; here it runs over
the real pages, on a broken copy of the tiny site, and on the cases its rules allow.
"""

from __future__ import annotations

import pytest
from page_structure import page_file, pages
from tiny_site import TinySite, warm_cache

from execdocs.directives import find_directives
from execdocs.prose_numbers import check_numbers
from execdocs.settings import LANGUAGES


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", sorted(pages("en")))
def test_real_page_types_no_computed_number(language, page):
    """Assert every number typed in a real page's prose is a literal of a snippet the page includes."""
    path = page_file(language, page)
    if not path.is_file():
        pytest.skip(f"docs/{language}/{page} does not exist (tests/test_languages.py reports it)")
    text = path.read_text(encoding="utf-8")
    problems = check_numbers(text, path, [directive.path for directive in find_directives(text, path)])
    assert not problems, "\n".join(map(str, problems))


def test_typed_result_stops_the_build(tmp_path):
    """Assert a computed result typed into prose stops the build at its line, saying how to quote it."""
    site = TinySite.copy(tmp_path, warm_cache())
    site.edit("docs/en/index.md", "See [the details](#details).", "See [the details](#details): the loss is 0.1054.")
    result = site.build()
    assert result.returncode == 1
    assert result.error_lines == [
        "ERROR: docs/en/index.md:9: the number 0.1054 is typed in prose, but no snippet this page includes contains it "
        '(snippets: snippets/tiny.py); quote a computed number with {{ value("<snippet>.py:<name>", ".4f") }}, '
        "put an input in the snippet, or write a figure quoted from elsewhere in inline code: `0.1054`",
        "ERROR: 1 problem(s) in pages or snippets; nothing was built.",
    ]


@pytest.fixture
def snippet(tmp_path):
    """A snippet whose literals are 0.9, 1000, 200 and 1e-10 (an input in a comment counts too)."""
    path = tmp_path / "inputs.py"
    path.write_text("p = 0.9\nn = 1_000\neps = 1e-10\n# 200 labels\nprint(-p)\n", encoding="utf-8")
    return path


def problems_in(text: str, snippet) -> list[str]:
    return [str(problem).split(": ", 1)[1].split(",")[0] for problem in check_numbers(text, snippet.parent / "page.md", [snippet])]


@pytest.mark.parametrize("text", [
    "With p = 0.9 and 1000 samples (also written 1,000), eps = 1e-10, over 200 labels.",
    "A 90 % chance, or 90% for short, is p.",
    "The article printed `0.4170`, which is wrong.",
    "The loss is {{ value(\"inputs.py:loss\", \".4f\") }}.",
    "Math: $p = 0.4170$, $$L = 2.5$$ and \\(q = 0.25\\).",
    "<!-- draft: the loss was 0.4170 -->Nothing here.",
    "```text\nloss = 0.4170\n```",
    "Steps 1, 2 and 3; class 0; in 2017 and 1998; float32 and log2; Python `3.11`; version 3.11.2.",
    "See [the result](page.md#result-0-4170), ![plot](plot-0.25.png) and <span data-x=\"0.5\">this</span>.",
    "## A heading { #loss-0-25 }",
    "1. first item\n2. second item",
])
def test_allowed_numbers_pass(snippet, text):
    """Assert inputs, percentages of inputs, inline code, directives, math, comments, code, years, small integers and markup pass."""
    assert problems_in(text, snippet) == []


@pytest.mark.parametrize(("text", "typed"), [
    ("The loss is 0.4170.", ["the number 0.4170 is typed in prose"]),
    ("损失是0.4170，很小。", ["the number 0.4170 is typed in prose"]),
    ("It printed 12 lines and 0.5 of them.", ["the number 12 is typed in prose", "the number 0.5 is typed in prose"]),
    ("A 42 % share.", ["the number 42 is typed in prose"]),
    ("About 1.5e-3 here.", ["the number 1.5e-3 is typed in prose"]),
])
def test_typed_numbers_are_reported(snippet, text, typed):
    """Assert decimals and whole numbers of two or more digits that no snippet contains are reported, CJK text included."""
    assert problems_in(text, snippet) == typed

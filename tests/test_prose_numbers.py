"""A number typed in prose must be backed by code (issue #5): quoted with value(), or an input of the page's snippets.

The check (execdocs/prose_numbers.py) runs in the build and in the hook; here it runs over
the real pages, on a broken copy of the tiny site, and on the cases its rules allow.
"""

from __future__ import annotations

import pytest
from page_structure import page_file, pages
from tiny_site import TinySite, warm_cache

from execdocs.engine.config import Config
from execdocs.engine.directives import find_directives
from execdocs.website.prose_numbers import check_numbers

CONFIG = Config()
LANGUAGES = CONFIG.languages


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", sorted(pages("en")))
def test_real_page_types_no_computed_number(language, page):
    """Assert every number typed in a real page's prose is a literal of a snippet the page includes."""
    path = page_file(language, page)
    if not path.is_file():
        pytest.skip(f"docs/{language}/{page} does not exist (tests/test_languages.py reports it)")
    text = path.read_text(encoding="utf-8")
    problems = check_numbers(CONFIG, text, path, [directive.path for directive in find_directives(CONFIG, text, path)])
    assert not problems, "\n".join(map(str, problems))


def test_typed_result_stops_the_build(tmp_path):
    """Assert a computed result typed into prose stops the build at its line, saying how to quote it."""
    site = TinySite.copy(tmp_path, warm_cache())
    site.edit("docs/en/index.md", "See [the details](#details).", "See [the details](#details): the loss is 0.1054.")
    result = site.check()
    assert result.returncode == 1
    assert result.error_lines == [
        "ERROR: docs/en/index.md:9: the number 0.1054 is typed in prose or math, but no snippet this page includes has it in "
        'its code (snippets: snippets/tiny.py); quote a computed number with {{ value("<snippet>.py:<name>", ".4f") }} (it '
        "works inside math too), put an input in the snippet's code, or write a figure quoted from elsewhere in inline code: `0.1054`",
        "ERROR: 1 problem(s) in pages or snippets; nothing was built.",
    ]


@pytest.fixture
def snippet(tmp_path):
    """A snippet whose code has the literals 0.9, 1000, 200, 0.25 and 1e-10; 0.4170 and 77 only in a comment and a string."""
    (tmp_path / "snippets").mkdir()
    path = tmp_path / "snippets" / "inputs.py"
    path.write_text("p = 0.9\nn = 1_000\neps = 1e-10\nlabels = 200\nq = 0.25\n# the article printed 0.4170\nprint(-p, '77')\n",
                    encoding="utf-8")
    return path


def problems_in(text: str, snippet) -> list[str]:
    config = Config(root=snippet.parent.parent)
    return [str(problem).split(": ", 1)[1].split(",")[0] for problem in check_numbers(config, text, snippet.parent / "page.md", [snippet])]


@pytest.mark.parametrize("text", [
    "With p = 0.9 and 1000 samples (also written 1,000), eps = 1e-10, over 200 labels.",
    "A 90 % chance, or 90% for short, is p.",
    "The article printed `0.4170`, which is wrong.",
    "The loss is {{ value(\"inputs.py:loss\", \".4f\") }}.",
    "Math: $p = 0.9$, $$L = {{ value(\"inputs.py:loss\", \".4f\") }}$$ and \\(q = 0.25\\).",
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
    ("The loss is 0.4170.", ["the number 0.4170 is typed in prose or math"]),
    ("损失是0.4170，很小。", ["the number 0.4170 is typed in prose or math"]),
    ("It printed 12 lines and 0.5 of them.", ["the number 12 is typed in prose or math", "the number 0.5 is typed in prose or math"]),
    ("A 42 % share.", ["the number 42 is typed in prose or math"]),
    ("About 1.5e-3 here.", ["the number 1.5e-3 is typed in prose or math"]),
    ("Math: $p = 0.4170$ and $$L = 2.5$$.", ["the number 0.4170 is typed in prose or math", "the number 2.5 is typed in prose or math"]),
    ("The article printed 0.4170, and 77 items.", ["the number 0.4170 is typed in prose or math", "the number 77 is typed in prose or math"]),
])
def test_typed_numbers_are_reported(snippet, text, typed):
    """Assert decimals and whole numbers of 2+ digits that no snippet has in its code are reported: in CJK text, in math, and when only a comment or string holds them."""
    assert problems_in(text, snippet) == typed

"""Pages that differ between languages, break math or link nowhere stop the build at `page:line` (issue #5).

Each test breaks one thing in a copy of tests/fixtures/tiny_site and runs the build's checks
(in this process; MkDocs itself only for math inside MkDocs and for links); the math check
also runs over the real pages.
"""

from __future__ import annotations

import pytest
from page_structure import page_file, pages
from tiny_site import TinySite, warm_cache

from execdocs.engine.config import Config
from execdocs.website.math_delimiters import check_math

CONFIG = Config()
LANGUAGES = CONFIG.languages

TWO_SECTIONS = '''
    import math

    # --8<-- [start:loss]
    p = 0.9
    loss = -math.log(p)
    print(f"loss = {loss:.4f}")
    # --8<-- [end:loss]

    # --8<-- [start:bits]
    print(f"bits = {loss / math.log(2):.4f}")
    # --8<-- [end:bits]
'''
SUMMARY = "ERROR: 1 problem(s) in pages or snippets; nothing was built."


@pytest.fixture
def site(tmp_path):
    return TinySite.copy(tmp_path, warm_cache())


def failed_checks(site: TinySite) -> list[str]:
    """The build's error lines; asserts the build failed."""
    result = site.check()
    assert result.returncode == 1, result.output
    return result.error_lines


# ---------------------------------------------------------------------------
# The two languages
# ---------------------------------------------------------------------------


def test_page_in_one_language_only(site):
    """Assert a page with no counterpart in the other language stops the build, naming the missing file."""
    site.write("docs/en/more.md", "# More\n\nNothing else.\n")
    assert failed_checks(site) == [
        "ERROR: docs/en/more.md: this page has no Chinese counterpart; add docs/zh/more.md (same path, same includes, same anchors) or remove this page",
        SUMMARY,
    ]


def test_pair_includes_snippets_in_another_order(site):
    """Assert zh including the same sections as en in another order stops the build at the first difference."""
    site.write("snippets/tiny.py", TWO_SECTIONS)
    site.edit("docs/en/index.md", '{{ run("tiny.py:loss") }}', '{{ run("tiny.py:loss") }}\n\n{{ run("tiny.py:bits") }}')
    site.edit("docs/zh/index.md", '{{ run("tiny.py:loss") }}', '{{ run("tiny.py:bits") }}\n\n{{ run("tiny.py:loss") }}')
    assert failed_checks(site) == [
        'ERROR: docs/zh/index.md:5: includes run("tiny.py:bits") where docs/en/index.md:5 includes run("tiny.py:loss"); '
        "both languages must have the same run(...) directives in the same order",
        SUMMARY,
    ]


def test_pair_includes_another_set_of_snippets(site):
    """Assert a section included in English only stops the build at the English line."""
    site.write("snippets/tiny.py", TWO_SECTIONS)
    site.edit("docs/en/index.md", '{{ run("tiny.py:loss") }}', '{{ run("tiny.py:loss") }}\n\n{{ run("tiny.py:bits") }}')
    assert failed_checks(site) == [
        'ERROR: docs/en/index.md:7: includes run("tiny.py:bits"), which docs/zh/index.md does not; '
        "both languages must have the same run(...) directives in the same order",
        SUMMARY,
    ]


def test_pair_quotes_other_values(site):
    """Assert a value quoted in one language only stops the build at its line."""
    site.edit("docs/zh/index.md", '{{ value("tiny.py:loss", ".4f") }}', "很小")
    assert failed_checks(site) == [
        'ERROR: docs/en/index.md:3: has value("tiny.py:loss", ".4f"), which docs/zh/index.md does not; '
        "both languages must have the same value(...) directives, with the same arguments",
        SUMMARY,
    ]


def test_pair_quotes_a_value_in_another_format(site):
    """Assert the same value quoted with another format in one language stops the build: the pages would show other numbers."""
    site.edit("docs/zh/index.md", '{{ value("tiny.py:loss", ".4f") }}', '{{ value("tiny.py:loss", ".1f") }}')
    assert failed_checks(site) == [
        'ERROR: docs/zh/index.md:3: has value("tiny.py:loss", ".1f"), which docs/en/index.md does not; '
        "both languages must have the same value(...) directives, with the same arguments",
        SUMMARY,
    ]


def test_heading_without_the_english_anchor(site):
    """Assert a zh heading lacking the en anchor stops the build at the zh line, showing the anchor to add."""
    site.edit("docs/zh/index.md", "## 细节 { #details }", "## 细节")
    assert failed_checks(site) == [
        "ERROR: docs/zh/index.md:7: has the heading ## (no anchor) where docs/en/index.md:7 has the heading ## { #details }; "
        "give each zh heading the en anchor: ## title { #anchor }",
        SUMMARY,
    ]


def test_heading_in_one_language_only(site):
    """Assert an extra heading in one language stops the build at that heading."""
    site.write("docs/en/index.md", (site.root / "docs/en/index.md").read_text(encoding="utf-8") + "\n## Summary { #summary }\n\nDone.\n")
    assert failed_checks(site) == [
        "ERROR: docs/en/index.md:11: has the heading ## { #summary }, which docs/zh/index.md does not; "
        "give each zh heading the en anchor: ## title { #anchor }",
        SUMMARY,
    ]


# ---------------------------------------------------------------------------
# Math
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("broken", "message"), [
    ("The loss is $-\\log p.", "docs/en/index.md:11: math not closed: this `$` opens a formula that its paragraph never closes; "
                               "close it with `$` before the next blank line, or write a dollar sign that is not math as \\$"),
    ("$$\nL = -\\log p\n\nMore text.", "docs/en/index.md:11: math not closed: this `$$` opens a formula that its paragraph never "
                                       "closes; close it with `$$` before the next blank line"),
    ("The loss is \\(-\\log p.", "docs/en/index.md:11: math not closed: this `\\(` opens a formula that its paragraph never closes; "
                                 "close it with `\\)` before the next blank line"),
    ("The loss is -\\log p\\).", "docs/en/index.md:11: math not opened: this `\\)` closes no `\\(`; add the opening `\\(` or remove it"),
    ("\\[\nL = -\\log p $$", "docs/en/index.md:12: math mixed up: `$$` inside the formula opened by `\\[` on line 11; close that one with `\\]` first"),
])
def test_unbalanced_math_stops_the_build(site, broken, message):
    """Assert unbalanced `$`, `$$`, `\\(`/`\\)` and `\\[`/`\\]` stop the build at the delimiter's page line."""
    site.write("docs/en/index.md", (site.root / "docs/en/index.md").read_text(encoding="utf-8") + "\n" + broken + "\n")
    assert failed_checks(site) == [f"ERROR: {message}", SUMMARY]


def test_math_check_runs_in_mkdocs_itself(site):
    """Assert the hook checks math too: a plain `mkdocs build --strict` stops on it (`mkdocs serve` warns) at page:line."""
    site.write("docs/en/index.md", (site.root / "docs/en/index.md").read_text(encoding="utf-8") + "\nThe loss is $-\\log p.\n")
    result = site.run("-m", "mkdocs", "build", "--strict", "-d", str(site.root / "site" / "en"))
    assert result.returncode == 1
    assert "WARNING -  docs/en/index.md:11: math not closed: this `$` opens a formula that its paragraph never closes; " \
           "close it with `$` before the next blank line, or write a dollar sign that is not math as \\$" in result.stderr.splitlines()
    assert "Aborted with 1 warnings in strict mode!" in result.stdout


def test_dollar_signs_that_are_not_math_pass(tmp_path):
    """Assert an escaped \\$, dollars in code and math containing a quoted value are not reported."""
    text = 'It costs \\$5.\n\nIn code: `$HOME` and\n\n```bash\necho $PATH\n```\n\nHere $x = {{ value("a.py:x") }}$ and $$y$$.\n'
    assert check_math(CONFIG, text, tmp_path / "page.md") == []


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", sorted(pages("en")))
def test_real_pages_have_balanced_math(language, page):
    """Assert no real page opens a formula it does not close (the check the build runs)."""
    path = page_file(language, page)
    if not path.is_file():
        pytest.skip(f"docs/{language}/{page} does not exist (tests/test_languages.py reports it)")
    problems = check_math(CONFIG, path.read_text(encoding="utf-8"), path)
    assert not problems, "\n".join(map(str, problems))


# ---------------------------------------------------------------------------
# Links (MkDocs' own validation, made an error by --strict and mkdocs.yml's `validation:`)
# ---------------------------------------------------------------------------


def test_link_to_a_missing_page(site):
    """Assert a link to a page that does not exist stops the build, naming the page and the link."""
    site.edit("docs/en/index.md", "See [the details](#details).", "See [the details](#details) and [more](more.md).")
    result = site.build()
    assert result.returncode == 1
    assert "WARNING -  Doc file 'index.md' contains a link 'more.md', but the target is not found among documentation files." in result.stdout.splitlines()
    assert result.error_lines == [
        "ERROR: mkdocs build --strict failed for en: fix what the WARNING and ERROR lines above name (each names its page), then build again.",
    ]


def test_link_to_a_missing_anchor(site):
    """Assert a link to an anchor that no heading has stops the build (validation: anchors: warn)."""
    site.edit("docs/zh/index.md", "见[细节](#details)。", "见[细节](#detail)。")
    result = site.build()
    assert result.returncode == 1
    assert "WARNING -  Doc file 'index.md' contains a link '#detail', but there is no such anchor on this page." in result.stdout.splitlines()
    assert result.error_lines == [
        "ERROR: mkdocs build --strict failed for zh: fix what the WARNING and ERROR lines above name (each names its page), then build again.",
    ]


# ---------------------------------------------------------------------------
# Odd files: each gets a file:line message, never a traceback
# ---------------------------------------------------------------------------


def test_page_with_a_byte_that_is_not_utf8(site):
    """Assert a page saved with a Latin-1 byte stops the build at that line."""
    page = site.root / "docs/en/index.md"
    page.write_bytes(page.read_bytes().replace(b"## Details", "## D\u00e9tails".encode("latin-1")))
    assert failed_checks(site)[0] == "ERROR: docs/en/index.md:7: not valid UTF-8 (byte 0xe9); save the page as UTF-8"


def test_page_linking_out_of_the_repository(site, tmp_path):
    """Assert a page that is a link to a file outside the repository is refused by name."""
    outside = tmp_path / "elsewhere.md"
    outside.write_text("# Elsewhere\n", encoding="utf-8")
    (site.root / "docs/en/more.md").symlink_to(outside)
    (site.root / "docs/zh/more.md").write_text("# 别处\n", encoding="utf-8")
    assert failed_checks(site)[0] == f"ERROR: docs/en/more.md: this page is a link to {outside}, outside the repository; pages must be files inside it"


def test_folder_named_like_a_snippet(site):
    """Assert a folder called x.py under snippets/ is reported, not crashed on."""
    (site.root / "snippets/odd.py").mkdir()
    assert "ERROR: snippets/odd.py: a folder named like a snippet; rename it (snippets are .py files)" in failed_checks(site)


def test_snippet_linking_out_of_the_repository(site, tmp_path):
    """Assert a snippet that is a link to a file outside the repository is reported by name before anything runs."""
    outside = tmp_path / "elsewhere.py"
    outside.write_text("print(1)\n", encoding="utf-8")
    (site.root / "snippets/_linked.py").symlink_to(outside)
    assert f"ERROR: snippets/_linked.py: this snippet is a link to {outside}, outside the repository; snippets must be files " \
           "inside it (copy the file in instead of linking it)" in failed_checks(site)

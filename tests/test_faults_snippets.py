"""Snippets that fail, hang, hog memory or are missing stop the build with a message naming them (issue #5).

Each test breaks one thing in a copy of tests/fixtures/tiny_site and checks the exact lines
the user sees: `site.check()` runs what `python -m execdocs build` does before MkDocs, in
this process; only the untouched site is built for real.
"""

from __future__ import annotations

import pytest
from tiny_site import TinySite, warm_cache

from execdocs.engine.client import Engine
from execdocs.engine.config import Config, Limits

HEADER = '''
    """The tiny site's one snippet: the loss of one prediction."""

    import math

'''


@pytest.fixture
def site(tmp_path):
    return TinySite.copy(tmp_path, warm_cache())


def snippet(body: str) -> str:
    """tiny.py with `body` as its `loss` section (lines 5 onwards of the file)."""
    return HEADER + "    # --8<-- [start:loss]\n" + body + "    # --8<-- [end:loss]\n"


def test_untouched_tiny_site_builds(site):
    """Assert the tiny site builds as it is, so that each failure below comes from its fault alone."""
    result = site.build()
    assert result.returncode == 0, result.output
    assert "loss = 0.1054" in site.page("en") and "loss = 0.1054" in site.page("zh")


def test_raising_snippet_shows_its_own_traceback(site):
    """Assert a snippet that raises stops the build at its deepest line, with its own traceback and no engine frames."""
    site.write("snippets/tiny.py", HEADER + '''
    def ratio(a, b):
        return a / b


    # --8<-- [start:loss]
    p = 0.9
    loss = -math.log(p) * ratio(1, 0)
    print(f"loss = {loss:.4f}")
    # --8<-- [end:loss]
    ''')
    result = site.check()
    assert result.returncode == 1
    assert result.error_lines == [
        "ERROR: snippets/tiny.py:7: ZeroDivisionError: division by zero",
        "Traceback (most recent call last):",
        '  File "snippets/tiny.py", line 12, in <module>',
        "    loss = -math.log(p) * ratio(1, 0)",
        "                          ^^^^^^^^^^^",
        '  File "snippets/tiny.py", line 7, in ratio',
        "    return a / b",
        "           ~~^~~",
        "ZeroDivisionError: division by zero",
        "To see it outside the build, run: python snippets/tiny.py",
    ]


def test_syntax_error_names_its_line(site):
    """Assert a snippet that does not parse stops the build at the line, with Python's caret."""
    site.write("snippets/tiny.py", snippet('''
    p = 0.9
    loss = -math.log(p
    print(f"loss = {loss:.4f}")
    '''.lstrip("\n")))
    result = site.check()
    assert result.returncode == 1
    assert result.error_lines == [
        "ERROR: snippets/tiny.py:7: SyntaxError: '(' was never closed",
        '  File "snippets/tiny.py", line 7',
        "    loss = -math.log(p",
        "                    ^",
        "SyntaxError: '(' was never closed",
        "To see it outside the build, run: python snippets/tiny.py",
    ]


def test_endless_snippet_is_stopped_at_the_timeout(site):
    """Assert a snippet that never ends is killed at EXECDOCS_TIMEOUT and the message says how to allow more time."""
    site.write("snippets/tiny.py", snippet('''
    p = 0.9
    while True:
        pass
    '''.lstrip("\n")))
    result = site.check(EXECDOCS_TIMEOUT="2")
    assert result.returncode == 1
    assert result.error_lines == [
        "ERROR: snippets/tiny.py: did not finish within 2 s (timeout); it may loop forever or wait for input. "
        "If it is only slow, allow it more time with a line `# execdocs: timeout=60` in the snippet "
        "(or EXECDOCS_TIMEOUT=60 for every snippet)",
    ]


def test_snippet_sets_its_own_timeout(site):
    """Assert a `# execdocs: timeout=1` line overrides the default limit, and is not shown on the page."""
    site.write("snippets/tiny.py", "\n    # execdocs: timeout=1" + snippet('''
    p = 0.9
    while True:
        pass
    '''.lstrip("\n")))
    result = site.check(EXECDOCS_TIMEOUT="20")
    assert result.returncode == 1
    assert result.error_lines[0].startswith("ERROR: snippets/tiny.py: did not finish within 1 s (timeout)")


def test_unreadable_limit_line_is_an_error(site):
    """Assert a misspelt `# execdocs:` line stops the build at its line and shows the right form."""
    site.write("snippets/tiny.py", "\n    # execdocs: timeout=soon" + snippet('''
    p = 0.9
    print(p)
    '''.lstrip("\n")))
    result = site.check()
    assert result.returncode == 1
    assert result.error_lines == [
        "ERROR: snippets/tiny.py:1: timeout=soon is not allowed: use a number of seconds above 0 and at most 3600",
    ]


def test_slow_snippet_given_more_time_passes(tmp_path):
    """Assert a snippet slower than the default timeout runs when its `# execdocs: timeout=` line allows it, and the line is hidden."""
    path = tmp_path / "snippets" / "slow.py"
    path.parent.mkdir()
    path.write_text("# execdocs: timeout=30\nimport time\ntime.sleep(1.5)\nprint('done')\n", encoding="utf-8")
    run = Engine(Config(root=tmp_path, cache_dir=tmp_path / "cache", limits=Limits(timeout=0.5))).run([path])[path]
    assert run.output() == "done\n" and "execdocs:" not in run.code()


def test_memory_hog_is_stopped(site):
    """Assert a snippet allocating without end fails at EXECDOCS_MEMORY_MB with its line and how to raise the limit."""
    site.write("snippets/tiny.py", snippet('''
    p = 0.9
    blocks = []
    while True:
        blocks.append(bytearray(10 * 1024 * 1024))
    '''.lstrip("\n")))
    result = site.check(EXECDOCS_MEMORY_MB="200")
    assert result.returncode == 1
    assert result.error_lines == [
        "ERROR: snippets/tiny.py:9: MemoryError (over its memory limit of 200 MB). Use less memory, or raise the limit "
        "with a line `# execdocs: memory_mb=4096` in the snippet (or EXECDOCS_MEMORY_MB=4096 for every snippet)",
        "Traceback (most recent call last):",
        '  File "snippets/tiny.py", line 9, in <module>',
        "    blocks.append(bytearray(10 * 1024 * 1024))",
        "                  ^^^^^^^^^^^^^^^^^^^^^^^^^^^",
        "MemoryError",
        "To see it outside the build, run: python snippets/tiny.py",
    ]


def test_snippet_that_is_not_utf8_is_an_error(site):
    """Assert a snippet saved in another encoding stops the build at the line of the first bad byte."""
    (site.root / "snippets/tiny.py").write_bytes("# --8<-- [start:loss]\np = 0.9\nprint('caf\u00e9')\n# --8<-- [end:loss]\n".encode("latin-1"))
    result = site.check()
    assert result.returncode == 1
    assert result.error_lines == [
        "ERROR: snippets/tiny.py:3: not valid UTF-8 (byte 0xe9); save the file as UTF-8",
        "ERROR: 1 problem(s) in pages or snippets; nothing was built.",
    ]


def test_include_of_a_missing_snippet(site):
    """Assert run(...) of a snippet that does not exist stops the build at the page line, in each language."""
    site.edit("docs/en/index.md", '{{ run("tiny.py:loss") }}', '{{ run("tiny.py:loss") }}\n\n{{ run("tinny.py") }}')
    site.edit("docs/zh/index.md", '{{ run("tiny.py:loss") }}', '{{ run("tiny.py:loss") }}\n\n{{ run("tinny.py") }}')
    result = site.check()
    assert result.returncode == 1
    assert result.error_lines == [
        "ERROR: docs/en/index.md:7: snippet 'snippets/tinny.py' not found; the path in run(...) and value(...) is relative to snippets/",
        "ERROR: docs/zh/index.md:7: snippet 'snippets/tinny.py' not found; the path in run(...) and value(...) is relative to snippets/",
        "ERROR: 2 problem(s) in pages or snippets; nothing was built.",
    ]


def test_snippet_no_page_includes_is_an_error(site):
    """Assert a snippet no page includes stops the build (helpers named `_...` are exempt)."""
    site.write("snippets/extra.py", "print('nobody shows this')\n")
    site.write("snippets/_helpers.py", "ANSWER = 42\n")
    result = site.check()
    assert result.returncode == 1
    assert result.error_lines == [
        "ERROR: snippets/extra.py: no page in docs/en/ or docs/zh/ includes this snippet; include it with "
        '{{ run("extra.py") }} (in both languages), rename it to start with \'_\' if it is a helper, or delete it',
        "ERROR: 1 problem(s) in pages or snippets; nothing was built.",
    ]


def test_snippet_one_language_leaves_out_is_an_error(site):
    """Assert a snippet included by the English pages only is an orphan of the Chinese site."""
    site.write("snippets/extra.py", "print('only in English')\n")
    site.edit("docs/en/index.md", "## Details { #details }", '{{ run("extra.py") }}\n\n## Details { #details }')
    result = site.check()
    assert result.returncode == 1
    assert "ERROR: snippets/extra.py: no page in docs/zh/ includes this snippet; include it with " \
           '{{ run("extra.py") }} (in both languages), rename it to start with \'_\' if it is a helper, or delete it' in result.error_lines


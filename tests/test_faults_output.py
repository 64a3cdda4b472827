"""Output that would break a page is escaped, cleaned or cut with a visible note, never shown raw (issue #5).

One copy of the tiny site includes a snippet printing every hazard, one per section, and
is built once; each test then reads the output block of its section in the built HTML.
"""

from __future__ import annotations

import html
import re

import pytest
from tiny_site import TinySite, warm_cache

from execdocs.engine.capture import SectionBuffer
from execdocs.engine.config import Limits

MAX_LINE_CHARS, MAX_OUTPUT_LINES = Limits().max_line_chars, Limits().max_output_lines

HAZARDS = r'''
    import sys

    label = "<b>bold</b> & <script>alert('value')</script>"

    # --8<-- [start:markup]
    print("<script>alert('x')</script> <!-- ``` -->")
    # --8<-- [end:markup]

    # --8<-- [start:colours]
    print("\x1b[31mred\x1b[0m and \x1b[1;4mbold\x1b[0m\x1b]0;title\x07")
    # --8<-- [end:colours]

    # --8<-- [start:controls]
    print("bell\x07 nul\x00 back\x08space form\x0cfeed")
    print("10%\r50%\r100%")
    # --8<-- [end:controls]

    # --8<-- [start:long_line]
    print("x" * 5000)
    # --8<-- [end:long_line]

    # --8<-- [start:raw_bytes]
    sys.stdout.buffer.write(b"caf\xff and \xe4\xb8\xad\n")
    # --8<-- [end:raw_bytes]

    # --8<-- [start:surrogate]
    print("lone \ud800 surrogate")
    # --8<-- [end:surrogate]

    # --8<-- [start:megabytes]
    for i in range(300_000):
        print(f"line {i}")
    # --8<-- [end:megabytes]
'''
SECTIONS = ("markup", "colours", "controls", "long_line", "raw_bytes", "surrogate", "megabytes")
OUTPUT_BLOCK = re.compile(r'<div class="execdocs-output[^"]*"[^>]*>.*?<code>(.*?)</code>', re.S)
TAG = re.compile(r"<[^>]+>")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The tiny site with the hazards snippet included by both pages, built; returns the site."""
    site = TinySite.copy(tmp_path_factory.mktemp("hazards"), warm_cache())
    site.write("snippets/hazards.py", HAZARDS)
    includes = "".join(f'\n\n{{{{ run("hazards.py:{name}") }}}}' for name in SECTIONS)
    for language in ("en", "zh"):
        site.edit(f"docs/{language}/index.md", '{{ run("tiny.py:loss") }}',
                  '{{ run("tiny.py:loss") }}' + includes + '\n\nLabel: {{ value("hazards.py:label") }}.')
    result = site.build()
    assert result.returncode == 0, result.output
    return site


def blocks(site: TinySite, language: str = "en") -> dict[str, tuple[str, str]]:
    """Each hazard section's output block: (raw HTML inside <code>, the text a reader sees)."""
    found = OUTPUT_BLOCK.findall(site.page(language))[1:]  # the first block is tiny.py's
    assert len(found) == len(SECTIONS)
    return {name: (raw, html.unescape(TAG.sub("", raw)).rstrip("\n")) for name, raw in zip(SECTIONS, found)}


def test_html_in_output_is_shown_as_text(built):
    """Assert a printed <script> tag, comment and backticks reach the page escaped, inside the output block."""
    raw, shown = blocks(built)["markup"]
    assert "<script>" not in raw and "&lt;script&gt;" in raw
    assert shown == "<script>alert('x')</script> <!-- ``` -->"


def test_terminal_colour_codes_are_removed(built):
    """Assert ANSI colour and title sequences are stripped, leaving the text."""
    assert blocks(built)["colours"][1] == "red and bold"


def test_control_characters_are_removed(built):
    """Assert NUL, bell, backspace and form feed vanish, and carriage returns keep what a terminal shows last."""
    assert blocks(built)["controls"][1] == "bell nul backspace formfeed\n100%"


def test_very_long_line_is_cut_with_a_note(built):
    """Assert a line longer than MAX_LINE_CHARS is cut, saying how much is missing."""
    cut = 5000 - MAX_LINE_CHARS
    assert blocks(built)["long_line"][1] == "x" * MAX_LINE_CHARS + f" [... line cut: {cut} more characters]"


def test_bytes_that_are_not_utf8_are_escaped(built):
    """Assert bytes written to sys.stdout.buffer work, invalid UTF-8 shown as a visible \\x escape, valid UTF-8 decoded."""
    assert blocks(built)["raw_bytes"][1] == "caf\\xff and 中"


def test_lone_surrogate_is_escaped(built):
    """Assert printing a lone surrogate shows it as a \\u escape instead of breaking the UTF-8 page."""
    assert blocks(built)["surrogate"][1] == "lone \\ud800 surrogate"


def test_megabytes_of_output_are_cut_with_a_note(built):
    """Assert 3 MB of output shows its first MAX_OUTPUT_LINES lines and a note counting the rest, exactly."""
    lines = [f"line {i}" for i in range(300_000)]
    shown = "\n".join(lines[:MAX_OUTPUT_LINES])
    hidden = len("\n".join(lines)) - len(shown)
    assert blocks(built)["megabytes"][1] == shown + f"\n[... output cut: {hidden} more characters]"
    assert (built.root / "site/en/index.html").stat().st_size < 200_000


def test_quoted_string_value_is_escaped(built):
    """Assert a string quoted with value() is text in the prose, never markup."""
    page = built.page("en")
    assert "<b>bold</b>" not in page and "alert('value')</script>" not in page
    shown = re.search(r"Label: (.*?)\.</p>", page)[1]
    assert html.unescape(shown) == "<b>bold</b> & <script>alert('value')</script>"


@pytest.mark.parametrize("language", ["en", "zh"])
def test_built_pages_hold_no_raw_control_bytes(built, language):
    """Assert the built page is valid UTF-8 and carries no escape, NUL, bell or backspace bytes."""
    data = (built.root / "site" / language / "index.html").read_bytes()
    data.decode("utf-8")  # strict: raises on anything that is not UTF-8
    assert not re.search(rb"[\x00\x07\x08\x0c\x1b]", data)


def test_runaway_output_is_counted_not_kept():
    """Assert what a section prints beyond the bytes it keeps is only counted, so endless printing cannot fill the memory."""
    section, piece = SectionBuffer(keep_bytes=50_000), b"y" * 10_000
    for _ in range(100):
        section.add(piece)
    printed = section.close()
    assert len(printed.kept) == 50_000 and printed.dropped == 100 * len(piece) - 50_000

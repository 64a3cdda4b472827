"""Page directives: found in prose only, checked at the page's line, rendered as code, output or plain text."""

from __future__ import annotations

import html as html_module
import textwrap
from dataclasses import replace

import markdown
import pytest

from execdocs.engine.client import Engine
from execdocs.engine.config import Config
from execdocs.engine.directives import REGISTRY, as_plain_text, check_runs, find_directives, render
from execdocs.engine.errors import SnippetError

DEMO = "x = 1.5\nlabel = 'plain'\n# --8<-- [start:show]\nprint('<script>alert(1)</script> ```')\n# --8<-- [end:show]\n"


@pytest.fixture
def config(tmp_path) -> Config:
    """A temporary repository holding snippets/demo.py, with one section."""
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets" / "demo.py").write_text(DEMO, encoding="utf-8")
    return Config(root=tmp_path, cache_dir=tmp_path / ".cache")


@pytest.fixture
def page(config):
    return config.docs_dir / "en" / "example.md"


def rendered(config, page, text: str, language: str = "en", **values) -> str:
    """`text` with its directives rendered from a real run of demo.py (its values overridden by `values`)."""
    text = textwrap.dedent(text)
    directives = find_directives(config, text, page)
    runs = Engine(config).run({d.path for d in directives})
    for run in runs.values():
        run.values.update(values)
    check_runs(config, directives, runs)
    return render(text, directives, runs, language)


def test_unknown_directive_is_an_error(config, page):
    """Assert a misspelt directive is reported at its page line, not left in the page."""
    with pytest.raises(SnippetError, match=r"^docs/en/example\.md:3: unknown directive 'rnu\(\.\.\.\)'"):
        find_directives(config, 'title\n\n{{ rnu("demo.py") }}\n', page)


def test_missing_snippet_is_an_error(config, page):
    """Assert including a snippet that does not exist names the page line and the snippet."""
    with pytest.raises(SnippetError, match=r"example\.md:1: snippet 'snippets/nope/none\.py' not found"):
        find_directives(config, '{{ run("nope/none.py") }}\n', page)


def test_snippet_outside_snippets_is_not_found(config, page):
    """Assert a path climbing out of snippets/ is refused like a missing snippet."""
    (config.root / "secret.py").write_text("print(1)\n")
    with pytest.raises(SnippetError, match=r"snippet 'snippets/\.\./secret\.py' not found"):
        find_directives(config, '{{ run("../secret.py") }}\n', page)


def test_missing_section_is_an_error(config, page):
    """Assert including an unknown section lists the sections that exist."""
    with pytest.raises(SnippetError, match=r"has no section 'other' \(sections: show\)"):
        find_directives(config, '{{ run("demo.py:other") }}\n', page)


def test_run_must_stand_alone(config, page):
    """Assert run(...) inside a sentence is refused (it becomes code blocks)."""
    with pytest.raises(SnippetError, match="must stand alone"):
        find_directives(config, 'See {{ run("demo.py:show") }} here.\n', page)


def test_unknown_value_is_an_error(config, page):
    """Assert quoting a value the snippet does not define names the known values."""
    with pytest.raises(SnippetError, match=r"example\.md:1: .* no module-level value 'y' \(values: label, x\)"):
        rendered(config, page, 'x is {{ value("demo.py:y", ".2f") }}.\n')


def test_value_is_formatted(config, page):
    """Assert value(...) is replaced by the formatted number."""
    assert rendered(config, page, 'x is {{ value("demo.py:x", ".2f") }}.\n') == "x is 1.50.\n"


def test_output_is_escaped_on_the_page(config, page):
    """Assert HTML in an output is shown as text, and backticks in it cannot close the fence."""
    text = rendered(config, page, '{{ run("demo.py:show") }}\n')
    html = markdown.markdown(text, extensions=["pymdownx.superfences", "pymdownx.highlight", "attr_list"])
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; ```" in html


def test_output_title_follows_the_page_language(config, page):
    """Assert the output block is titled in the page's language."""
    text = rendered(config, page, '{{ run("demo.py:show") }}\n', language="zh")
    assert 'title="输出"' in text and 'title="snippets/demo.py"' in text


@pytest.mark.parametrize("text", [
    'Write `{{ run("demo.py:show") }}` to include a section.\n',
    '```markdown\n{{ run("nope.py") }}\n{{ value("demo.py:missing") }}\n```\n',
    '~~~text\n{{ rnu("x") }}\n~~~\n',
    '<!-- {{ run("nope.py:gone") }} -->\n',
    '<!--\n{{ value("demo.py:x") }}\n-->\n',
])
def test_directives_in_code_and_comments_are_text(config, page, text):
    """Assert directive syntax inside code spans, fenced blocks and HTML comments is neither run nor checked, and stays as written."""
    assert find_directives(config, text, page) == []
    assert rendered(config, page, text) == text


@pytest.mark.parametrize(("value", "shown"), [
    ("[click](javascript:alert(1))", "[click](javascript:alert(1))"),
    ("![x](http://example.com/x.png)", "![x](http://example.com/x.png)"),
    ("\n# A heading", " # A heading"),
    ("costs $5", "costs $5"),
    ("<b>bold</b> & *stars* _under_ `tick` {{ value() }}", "<b>bold</b> & *stars* _under_ `tick` {{ value() }}"),
])
def test_string_value_is_plain_text(config, page, value, shown):
    """Assert a string value becomes text on the page: no link, image, heading, math, markup or directive."""
    html = markdown.markdown(rendered(config, page, 'Label: {{ value("demo.py:label") }}.\n', label=value),
                             extensions=["pymdownx.arithmatex", "attr_list"])
    assert html.count("<") == 2 and html.startswith("<p>") and html.endswith("</p>")  # one paragraph, nothing else
    assert html_module.unescape(html[3:-4]) == f"Label: {shown}."


def test_numbers_are_inserted_as_they_are():
    """Assert a formatted number stays readable inside math (no entities)."""
    assert [as_plain_text(text) for text in ("0.4170", "-1.2e-05", "1,000", "45.3%", "inf")] == ["0.4170", "-1.2e-05", "1,000", "45.3%", "inf"]


def test_section_after_sys_exit_is_an_error(config, page):
    """Assert including a section that never runs (the snippet exits before it) names the page line and the exit line."""
    (config.snippets_dir / "exits.py").write_text(
        "import sys\n# --8<-- [start:a]\nprint(1)\nsys.exit(0)\n# --8<-- [end:a]\n# --8<-- [start:b]\nprint(2)\n# --8<-- [end:b]\n")
    with pytest.raises(SnippetError, match=r"^docs/en/example\.md:3: section 'b' of snippets/exits\.py never runs: the snippet ends at line 4"):
        rendered(config, page, '{{ run("exits.py:a") }}\n\n{{ run("exits.py:b") }}\n')


def test_each_directive_is_one_registered_class():
    """Assert the registry maps each directive name to the class that parses, checks, renders and pairs it."""
    assert set(REGISTRY) == {"run", "value", "figure"}
    for kind, cls in REGISTRY.items():
        assert cls.kind == kind and {"parse", "check", "check_run", "render", "pair_key"} <= set(dir(cls))


FIGURE = """
import matplotlib.pyplot as plt
# --8<-- [start:curve]
p = [0.1 * k for k in range(1, 11)]
plt.plot(p, [-__import__("math").log(v) for v in p], label="$-\\\\log p$")
plt.xlabel("$p$")
# --8<-- [end:curve]
# --8<-- [start:none]
print("no figure")
# --8<-- [end:none]
"""


def test_figure_is_an_svg_file_with_alt_and_caption(config, page):
    """Assert figure(...) shows the section's figure as an image of the site, with the page's alt text and caption, sized."""
    (config.snippets_dir / "fig.py").write_text(FIGURE, encoding="utf-8")
    text = rendered(config, page, '{{ run("fig.py:curve") }}\n\n{{ figure("fig.py:curve", "A falling [curve]", "Self-information <falls>") }}\n')
    figure = Engine(config).run([config.snippets_dir / "fig.py"])[config.snippets_dir / "fig.py"].figures("curve")[0]
    assert figure["svg"].startswith("<?xml") and figure["plotted"][0]["lines"][0]["points"] == 10
    assert f'![A falling \\[curve\\]](assets/figures/{figure["sha256"][:20]}.svg){{ width="{figure["width"]}"' in text
    assert "<figcaption>Self-information &lt;falls&gt;</figcaption>" in text


def test_figure_of_a_section_that_draws_none_is_an_error(config, page):
    """Assert figure(...) of a section that draws nothing stops the build at the page line, naming the snippet."""
    (config.snippets_dir / "fig.py").write_text(FIGURE, encoding="utf-8")
    with pytest.raises(SnippetError, match=r"^docs/en/example\.md:1: section 'none' of snippets/fig\.py draws 0 figures"):
        rendered(config, page, '{{ figure("fig.py:none", "alt", "caption") }}\n')


def test_figure_is_the_same_from_run_to_run(config):
    """Assert two runs in fresh caches give byte-identical SVG (fixed metadata, ids and hash salt)."""
    (config.snippets_dir / "fig.py").write_text(FIGURE, encoding="utf-8")
    path = config.snippets_dir / "fig.py"
    first = Engine(config).run([path])[path].figures("curve")[0]["svg"]
    second = Engine(replace(config, cache_dir=config.root / "other-cache")).run([path])[path].figures("curve")[0]["svg"]
    assert first == second and "Date" not in first

"""MkDocs hook for the benchmark's baseline: pages rendered as usual, but no snippet executed.

Each run(...) becomes the section's code and a one-line placeholder output, each value(...)
a zero, each figure(...) a link to a placeholder image, so the baseline pays for Markdown and
highlighting exactly as a real build does.
"""

from __future__ import annotations

from pathlib import Path

from execdocs.engine.client import Run
from execdocs.engine.config import Config
from execdocs.engine.directives import find_directives, render
from execdocs.engine.protocol import Section
from execdocs.engine.sections import split_chunks
from execdocs.engine.source import read_source


class _AnyValue(dict):
    """Every value name exists and is zero (an int, so that any number format applies)."""

    def __contains__(self, name) -> bool:
        return True

    def __getitem__(self, name) -> int:
        return 0


# Every section "draws" this one figure: figure() renders a link to it, never read.
_PLACEHOLDER_FIGURE = {"sha256": "0" * 64, "width": 600, "height": 360}


def on_page_markdown(markdown, page, config, files):
    site = Config.from_env()
    page_path = Path(config.docs_dir) / page.file.src_uri
    directives = find_directives(site, markdown, page_path)
    runs = {}
    for directive in directives:
        if directive.path not in runs:
            source = read_source(site, directive.path).text
            display = site.display_path(directive.path)
            sections = [Section(c.name, "(not executed)\n", figures=[_PLACEHOLDER_FIGURE]) for c in split_chunks(display, source)]
            runs[directive.path] = Run(directive.path, display, sections, _AnyValue(), source=source)
    return render(markdown, directives, runs, config.theme["language"])

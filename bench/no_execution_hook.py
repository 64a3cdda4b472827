"""MkDocs hook for the benchmark's baseline: pages rendered as usual, but no snippet executed.

Each run(...) becomes the section's code and a one-line placeholder output, each value(...)
a zero, so the baseline pays for Markdown and highlighting exactly as a real build does.
"""

from __future__ import annotations

from pathlib import Path

from execdocs.directives import find_directives, render
from execdocs.runner import Run
from execdocs.sections import split_chunks
from execdocs.source import read_source


class _AnyValue(dict):
    """Every value name exists and is zero (an int, so that any number format applies)."""

    def __contains__(self, name) -> bool:
        return True

    def __getitem__(self, name) -> int:
        return 0


def on_page_markdown(markdown, page, config, files):
    page_path = Path(config.docs_dir) / page.file.src_uri
    directives = find_directives(markdown, page_path)
    runs = {}
    for directive in directives:
        if directive.path not in runs:
            source = read_source(directive.path)
            chunks = [{"name": c.name, "output": "(not executed)\n"} for c in split_chunks(directive.path, source)]
            runs[directive.path] = Run(directive.path, chunks, _AnyValue(), source=source)
    return render(markdown, page_path, directives, runs, config.theme["language"])

"""Figures a section draws with matplotlib, taken as SVG that is the same from build to build.

After each section the child takes every open pyplot figure, writes it as SVG with fixed
metadata, ids and hash salt (text as paths, so no font on the reader's machine matters),
closes it, and describes what it plots: the recorded outputs show that description and a
digest, never the SVG itself.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import sys

# Settings that make an SVG byte-identical between builds and machines.
SVG_SETTINGS = {"svg.hashsalt": "execdocs", "svg.fonttype": "path", "svg.image_inline": True}
SVG_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}
SVG_SIZE = re.compile(r'<svg[^>]*?width="(?P<width>[\d.]+)pt" height="(?P<height>[\d.]+)pt"')


def warm_up() -> None:
    """Save one small figure with text and math, then close it, in the worker before it forks: the fonts and the math
    parser every figure needs are then loaded once, not in each run (a tenth of a second per run that draws)."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is None:
        return
    import matplotlib

    figure = pyplot.figure(figsize=(1, 1))
    figure.gca().set_xlabel(r"text and $x_1 = -\log p$")
    with matplotlib.rc_context(SVG_SETTINGS):
        figure.savefig(io.BytesIO(), format="svg", metadata=SVG_METADATA, bbox_inches="tight")
    pyplot.close(figure)  # numbering starts again at 1: a run's first figure is figure 1, as in `python snippet.py`


def take_figures() -> list[dict]:
    """Every open pyplot figure as {'svg', 'sha256', 'width', 'height', 'plotted'}, in the order they were made; all closed."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is None:
        return []
    import matplotlib

    figures = []
    for number in pyplot.get_fignums():
        figure = pyplot.figure(number)
        buffer = io.BytesIO()
        with matplotlib.rc_context(SVG_SETTINGS):
            figure.savefig(buffer, format="svg", metadata=SVG_METADATA, bbox_inches="tight")
        svg = buffer.getvalue().decode("utf-8")
        width, height = (round(float(SVG_SIZE.search(svg)[name]) * 4 / 3) for name in ("width", "height"))  # pt -> CSS px
        figures.append({"svg": svg, "sha256": hashlib.sha256(svg.encode()).hexdigest(), "width": width, "height": height,
                        "plotted": describe(figure)})
        pyplot.close(figure)
    return figures


def describe(figure) -> list[dict]:
    """What each axes shows, for review: labels, and per line its label, point count and ranges (6 significant digits)."""
    axes_list = []
    for axes in figure.get_axes():
        lines = []
        for line in axes.get_lines():
            x, y = (list(map(float, values)) for values in line.get_data())
            lines.append({"label": line.get_label() if not line.get_label().startswith("_") else "",
                          "points": len(x), "x": _range(x), "y": _range(y)})
        bars = [patch for container in axes.containers for patch in container]
        axes_list.append({"title": axes.get_title(), "xlabel": axes.get_xlabel(), "ylabel": axes.get_ylabel(), "lines": lines,
                          **({"bars": [_significant(bar.get_height()) for bar in bars]} if bars else {})})
    return axes_list


def _range(values: list[float]) -> list[float | None]:
    finite = [value for value in values if math.isfinite(value)]
    return [_significant(min(finite)), _significant(max(finite))] if finite else [None, None]


def _significant(value: float) -> float:
    return float(f"{value:.6g}")

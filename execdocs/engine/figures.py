"""Figures a section draws with matplotlib, taken as SVG that is the same from build to build.

After each section the child takes every open pyplot figure, writes it as SVG with fixed
metadata, ids and hash salt (text as paths, so no font on the reader's machine matters),
closes it, and describes what it plots: the recorded outputs show that description and a
digest, never the SVG itself.
"""

from __future__ import annotations

import contextlib
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

    share_math_layouts()

    figure = pyplot.figure(figsize=(1, 1))
    figure.gca().set_xlabel(r"text and $x_1 = -\log p$")
    with matplotlib.rc_context(SVG_SETTINGS):
        figure.savefig(io.BytesIO(), format="svg", metadata=SVG_METADATA, bbox_inches="tight")
    pyplot.close(figure)  # numbering starts again at 1: a run's first figure is figure 1, as in `python snippet.py`


# Math layouts, shared by every parser of this process: key -> layout. The worker's own are inherited by each run.
_LAYOUTS: dict[tuple, object] = {}
# What a run laid out, to lay out again in the worker between runs: (string, dpi, font, antialiased, settings, font files).
_TO_SHARE: list[tuple] = []
LAYOUTS_KEPT = 2000  # at most, in the worker


def share_math_layouts() -> None:
    """Lay out each math string once per process, and once per worker for the runs to come. matplotlib keeps its layouts
    per parser, and each savefig makes new parsers (bbox_inches="tight" draws twice): every label was laid out twice per
    figure, at 25 ms or more each, in every run. The key holds everything a layout reads: the string, size and font, every
    `font.*` and `mathtext.*` setting, and how many fonts are known. Without the private method this wraps (another
    matplotlib), nothing changes."""
    from matplotlib import mathtext

    layout = getattr(mathtext.MathTextParser, "_parse_cached", None)
    if layout is None or getattr(layout, "execdocs_shared", False):
        return

    def shared(self, s, dpi, prop, antialiased, *rest):
        settings = _settings()
        key = _layout_key(self._output_type, s, dpi, prop, (antialiased, *rest), settings)  # noqa: SLF001
        if key in _LAYOUTS:
            return _LAYOUTS[key]
        hits = _hits(layout)
        with _noticing() as said:  # a layout that warned or logged is not shared: each run must say it again
            made = layout(self, s, dpi, prop, antialiased, *rest)
        if not said and _hits(layout) == hits:  # matplotlib's own cache answering: made earlier, and it may have said something
            _LAYOUTS[key] = made
            if self._output_type == "vector" and (prop is None or prop.get_file() is None):  # noqa: SLF001 (SVG, no font file)
                _TO_SHARE.append((s, dpi, None if prop is None else prop.copy(), antialiased, settings, _fonts(made)))
        return made

    shared.execdocs_shared = True
    mathtext.MathTextParser._parse_cached = shared  # noqa: SLF001


def _hits(cached) -> int:
    info = getattr(cached, "cache_info", None)
    return info().hits if info else 0


@contextlib.contextmanager
def _noticing():
    """A list that gets whatever warning is shown or log record is handled meanwhile; both still go where they went."""
    import logging
    import warnings

    said: list = []
    show, handle = warnings._showwarnmsg, logging.Logger.callHandlers  # noqa: SLF001

    def shown(message):
        said.append(message)
        show(message)

    def handled(logger, record):
        said.append(record)
        handle(logger, record)

    warnings._showwarnmsg, logging.Logger.callHandlers = shown, handled  # noqa: SLF001
    try:
        yield said
    finally:
        warnings._showwarnmsg, logging.Logger.callHandlers = show, handle  # noqa: SLF001


def _settings() -> dict:
    import matplotlib

    return {name: value for name, value in matplotlib.rcParams.items() if name.startswith(("font.", "mathtext."))}


def _layout_key(output_type: str, s: str, dpi, prop, rest: tuple, settings: dict) -> tuple:
    from matplotlib import font_manager

    font = None if prop is None else (tuple(prop.get_family()), prop.get_slant(), prop.get_variant(), prop.get_weight(),
                                      prop.get_stretch(), prop.get_size(), prop.get_file(), prop.get_math_fontfamily())
    return (output_type, s, dpi, font, repr(rest), tuple((name, repr(value)) for name, value in settings.items()),
            len(font_manager.fontManager.ttflist))


def _fonts(layout) -> list[str]:
    """The font files a vector layout draws its glyphs from."""
    return sorted({getattr(glyph[0], "fname", "") for glyph in getattr(layout, "glyphs", ())})


def layouts_made() -> int:
    """How many layouts this process has made to share so far (a run's own start after the fork)."""
    return len(_TO_SHARE)


def save_layouts(path, since: int) -> None:
    """In a run's process: the layouts it made, for the worker to make too (nothing if it made none)."""
    if len(_TO_SHARE) > since:
        import pickle

        try:
            path.write_bytes(pickle.dumps(_TO_SHARE[since:]))
        except Exception:  # noqa: BLE001 (whatever the run did to pickling or its settings: sharing is optional)
            pass


def load_layouts(path) -> list[tuple]:
    """In the worker: what a run laid out, from its file (none if it wrote none or the file cannot be read)."""
    import pickle

    try:
        return pickle.loads(path.read_bytes()) if path.is_file() else []
    except Exception:  # noqa: BLE001 (a run's file, whatever its state: learning is optional)
        return []


def learn_layout(made: tuple) -> None:
    """In the worker, between runs: lay out what a run laid out, under the run's settings, for the runs forked later. Kept
    only if drawn from the same font files as in the run (a font the run added is not known here)."""
    if "matplotlib.pyplot" not in sys.modules or len(_LAYOUTS) >= LAYOUTS_KEPT:
        return
    import matplotlib
    from matplotlib import mathtext

    s, dpi, prop, antialiased, settings, fonts = made
    before = len(_LAYOUTS)
    try:  # what it might say goes nowhere: the run said nothing, and the build's log is not the place
        with matplotlib.rc_context(settings), contextlib.redirect_stderr(io.StringIO()):
            mathtext.MathTextParser("path").parse(s, dpi, prop, antialiased=antialiased)
    except Exception:  # noqa: BLE001 (learning is optional: a run lays it out itself)
        return
    if len(_LAYOUTS) > before and _fonts(_LAYOUTS[newest := next(reversed(_LAYOUTS))]) != fonts:
        del _LAYOUTS[newest]
    del _TO_SHARE[:]  # the worker shares nothing itself


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

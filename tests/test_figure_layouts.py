"""Math in figures is laid out once per worker, and a shared layout is always the one the run would have made.

figures.share_math_layouts keys each layout by what it reads; runs send the worker what they laid
out, and the worker lays it out again for the runs it forks later (learn_layout). One script, in
a fresh interpreter (the sharing patches matplotlib for the whole process), draws the same figure
under several settings and prints what each drawing gave.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = r'''
import io, json, sys, tempfile
from pathlib import Path
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from execdocs.engine import figures

LABEL = r"$\zeta_{k}^{2} = -\log \hat{p}$"  # seen by no other test

def draw():
    """The SVG of a figure labelled with LABEL, and how many layouts it made."""
    before = figures.layouts_made()
    plt.figure(figsize=(2, 1.5))
    plt.xlabel(LABEL)
    (figure,) = figures.take_figures()
    return figure["svg"], figures.layouts_made() - before

def fresh(**settings):
    """What drawing gives with no shared layout at all."""
    figures._LAYOUTS.clear()
    with matplotlib.rc_context(settings):
        return draw()[0]

figures.share_math_layouts()
out = {}
with tempfile.TemporaryDirectory() as folder:
    made_file = Path(folder) / "layouts.pickle"
    since = figures.layouts_made()
    out["first"], out["first made"] = draw()                 # a run lays it out...
    figures.save_layouts(made_file, since)
    learned = figures.load_layouts(made_file)
    out["sent"] = len(learned)
    figures._LAYOUTS.clear()                                   # ...the worker, which never drew it, learns it
    for made in learned:
        figures.learn_layout(made)
    out["learned"] = len(figures._LAYOUTS)
    out["again"], out["again made"] = draw()                  # a later run finds it
    with matplotlib.rc_context({"mathtext.default": "rm"}):  # read while laying out, not held by the font
        out["rm"], out["rm made"] = draw()                    # other settings: laid out anew
    out["fresh rm"] = fresh(**{"mathtext.default": "rm"})
    out["fresh"] = fresh()
    figures._LAYOUTS.clear()
    for s, dpi, prop, antialiased, settings, fonts in learned:  # a font the worker does not draw with
        figures.learn_layout((s, dpi, prop, antialiased, settings, ["/nowhere/other-font.ttf"]))
    out["learned, other fonts"] = len(figures._LAYOUTS)
print(json.dumps(out))
'''


# Two figures whose label has a character no math font has: matplotlib logs it at each layout.
SAYING_SCRIPT = r'''
import sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from execdocs.engine import figures

if sys.argv[1] == "shared":
    figures.share_math_layouts()
for _ in range(2):
    plt.figure(figsize=(2, 1.5))
    plt.xlabel("$\u4e2d x$")
    figures.take_figures()
print(figures.layouts_made())
'''


def run_script(script: str, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg", "HOME": "/tmp"})
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def drawn() -> dict:
    return json.loads(run_script(SCRIPT).stdout.strip().splitlines()[-1])


def test_a_layout_a_run_made_is_learned_and_reused(drawn):
    """Assert the run sends its layouts, the worker learns them, and a later drawing makes none and is byte-identical."""
    assert drawn["first made"] >= 1 and drawn["sent"] == drawn["first made"]
    assert drawn["learned"] == drawn["sent"]
    assert drawn["again made"] == 0
    assert drawn["again"] == drawn["first"] == drawn["fresh"]


def test_other_math_settings_never_reuse_a_layout(drawn):
    """Assert the same label under another default math font (upright letters) is laid out anew, as a fresh process
    draws it."""
    assert drawn["rm made"] >= 1
    assert drawn["rm"] == drawn["fresh rm"] != drawn["fresh"]


def test_a_layout_drawn_from_other_font_files_is_not_learned(drawn):
    """Assert the worker keeps a learned layout only if it draws from the font files the run drew from."""
    assert drawn["learned, other fonts"] == 0


def test_a_layout_that_says_something_is_never_shared():
    """Assert a run whose math layout logs a warning prints it as often with shared layouts as without, and shares none."""
    alone, shared = run_script(SAYING_SCRIPT, "alone"), run_script(SAYING_SCRIPT, "shared")
    assert "does not have a glyph" in alone.stderr
    assert shared.stderr == alone.stderr
    assert shared.stdout.strip() == "0"

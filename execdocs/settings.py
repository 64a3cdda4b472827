"""Every path, marker, pattern and limit the engine uses, defined once."""

from __future__ import annotations

import os
import re
from pathlib import Path

# ---------------------------------------------------------------------------
# Where things live
# ---------------------------------------------------------------------------

ROOT = Path(os.environ.get("EXECDOCS_ROOT", Path(__file__).resolve().parent.parent))
SNIPPETS_DIR = ROOT / "snippets"
DOCS_DIR = ROOT / "docs"
EXPECTED_DIR = ROOT / "tests" / "expected"
CACHE_DIR = Path(os.environ.get("EXECDOCS_CACHE", ROOT / ".cache" / "execdocs"))
MATHJAX_DIR = ROOT / "node_modules" / "mathjax" / "es5"

LANGUAGES = ("en", "zh")

# ---------------------------------------------------------------------------
# Snippet files: named sections, the same markers as pymdownx.snippets
# ---------------------------------------------------------------------------

SECTION_MARKER = re.compile(r"^\s*#\s*--8<--\s*\[(start|end):([A-Za-z0-9_\-]+)\]\s*$")

# Per-snippet limits, on a comment line of the snippet: `# execdocs: timeout=60 memory_mb=4096`.
# The line is not shown on pages; EXECDOCS_TIMEOUT / EXECDOCS_MEMORY_MB set the defaults.
SNIPPET_OPTIONS = re.compile(r"^\s*#\s*execdocs:(?P<options>.*)$")
SNIPPET_OPTION_NAMES = ("timeout", "memory_mb")

# Files and folders under snippets/ whose name starts with this are helpers, not snippets:
# no page has to include them.
HELPER_PREFIX = "_"

# ---------------------------------------------------------------------------
# Page directives: `{{ run("chapter/topic.py:section") }}` and
# `{{ value("chapter/topic.py:name", ".4f") }}`. Anything else written as
# `{{ name(` is an unknown directive and an error, never silently left in a page.
# ---------------------------------------------------------------------------

DIRECTIVE = re.compile(r"\{\{\s*(?P<name>[A-Za-z_]\w*)\((?P<args>[^{}]*?)\)\s*\}\}")
DIRECTIVE_NAMES = ("run", "value")

# ---------------------------------------------------------------------------
# Execution
# ---------------------------------------------------------------------------

# Modules the warm worker imports once, so that each forked snippet starts with them.
PRELOAD = ("numpy", "torch", "torch.nn", "torch.nn.functional")
TIMEOUT_SECONDS = float(os.environ.get("EXECDOCS_TIMEOUT", "10"))
MEMORY_LIMIT_MB = int(os.environ.get("EXECDOCS_MEMORY_MB", "2048"))
# What one section may show; the rest is cut with a visible note (runtime.clean_output).
MAX_OUTPUT_CHARS = 20_000
MAX_OUTPUT_LINES = 500
MAX_LINE_CHARS = 500
PARALLEL_RUNS = max(1, min(4, os.cpu_count() or 1))
# Normal runs use hash seed 0 and seed Python's, NumPy's and torch's global generators
# with it; the nondeterminism check runs everything again with another seed.
HASH_SEED = 0
SECOND_RUN_SEED = 1

# Bump when a change to the engine changes what a run produces, to invalidate caches.
ENGINE_VERSION = "2"

# Labels of the output block under each included snippet, per page language.
OUTPUT_TITLE = {"en": "Output", "zh": "输出"}

# The parts of MathJax the site serves (relative to node_modules/mathjax/es5).
MATHJAX_FILES = (
    "startup.js", "core.js", "input/tex.js", "output/chtml.js", "output/chtml/fonts/tex.js",
    "a11y/assistive-mml.js",  # the formula as MathML, for screen readers
    "output/chtml/fonts/woff-v2/*.woff",
    "input/tex/extensions/*.js",  # loaded on demand when a page uses a macro from one of them
)

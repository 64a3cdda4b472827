"""Math typeset at build time: each formula of a page becomes SVG in the HTML, so readers run no MathJax.

pymdownx.arithmatex leaves `<span class="arithmatex">\\(...\\)</span>` and `<div
class="arithmatex">\\[...\\]</div>` in a page. Each formula is typeset once by MathJax in Node
(typeset_math.js, from the pinned node_modules/mathjax) and cached by its TeX, display mode and
the MathJax and script versions, like a snippet run. A page then holds its formulas' SVG, each
glyph's outline once (in a hidden <svg> just before the first formula) and MathJax's small stylesheet;
the hidden MathML copy MathJax makes for screen readers stays in each formula.

The outlines come before any formula because a browser paints a long page while still parsing it:
at the end of the body, they arrived 1.6 s after the first paragraph on the heaviest page at 4x
CPU throttling, and until then every formula on screen was blank.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import subprocess
import threading
from pathlib import Path

from execdocs.engine.config import Config
from execdocs.engine.errors import SnippetError

SCRIPT = Path(__file__).with_name("typeset_math.js")
FORMULA = re.compile(r'<(?P<tag>span|div) class="arithmatex">(?P<open>\\[(\[])(?P<tex>.*?)\\[)\]]</(?P=tag)>', re.S)
GLYPHS_ID = "execdocs-math-glyphs"
GLYPHS_HERE = "\0glyphs\0"  # where the glyphs go, until all are known (NUL is never in a page)


class MathRenderer:
    """One Node process typesetting formulas for one build, behind a cache on disk."""

    def __init__(self, config: Config):
        self.config = config
        self.cache_dir = config.cache_dir / "math"
        self._process: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._memory: dict[str, dict] = {}
        self._version = self._versions()

    def _versions(self) -> str:
        """What the typeset output depends on besides the TeX: MathJax's version and this code."""
        package = self.config.mathjax_dir.parent / "package.json"
        if not package.is_file():
            raise SnippetError(self.config.display_path(self.config.mathjax_dir.parent), None,
                               f"MathJax is missing: run `npm ci` in {self.config.root} to install it")
        mathjax = json.loads(package.read_text(encoding="utf-8"))["version"]
        script = hashlib.sha256(SCRIPT.read_bytes() + Path(__file__).read_bytes()).hexdigest()[:16]
        return f"mathjax {mathjax}, script {script}"

    def _ask(self, request: dict) -> dict:
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                try:
                    self._process = subprocess.Popen(["node", str(SCRIPT), str(self.config.mathjax_dir)], stdin=subprocess.PIPE,
                                                     stdout=subprocess.PIPE, text=True, encoding="utf-8")
                except FileNotFoundError:
                    raise SnippetError("node", None, "Node.js is needed to typeset the math at build time; install it (README: set up)") from None
            self._process.stdin.write(json.dumps(request) + "\n")
            self._process.stdin.flush()
            line = self._process.stdout.readline()
        if not line:
            raise SnippetError(SCRIPT.name, None, "MathJax stopped while typesetting (see its message above)")
        return json.loads(line)

    def formula(self, tex: str, display: bool) -> dict:
        """{'html': the formula as SVG in an mjx-container, 'glyphs': {id: path}}; TeX errors raise ValueError."""
        key = hashlib.sha256(json.dumps([self._version, tex, display]).encode()).hexdigest()
        if key in self._memory:
            return self._memory[key]
        stored = self.cache_dir / key[:2] / f"{key}.json"
        if stored.is_file():
            typeset = json.loads(stored.read_text(encoding="utf-8"))
        else:
            typeset = self._ask({"tex": tex, "display": display})
            if "error" in typeset:
                raise ValueError(typeset["error"])
            stored.parent.mkdir(parents=True, exist_ok=True)
            partial = stored.with_suffix(f".{os.getpid()}.tmp")
            partial.write_text(json.dumps(typeset, sort_keys=True), encoding="utf-8")
            partial.replace(stored)
        self._memory[key] = typeset
        return typeset

    def text(self, tex: str, display: bool = False) -> str:
        """The formula as plain text, as its MathML copy reads (`p - y` gives `p−y`): for meta descriptions."""
        mathml = re.search(r"<math\b.*?</math>", self.formula(tex, display)["html"], re.S)
        return html.unescape(re.sub(r"<[^>]+>", "", mathml[0])) if mathml else tex

    def stylesheet(self) -> str:
        """MathJax's CSS for SVG output (the same for every page)."""
        key = "stylesheet"
        if key not in self._memory:
            stored = self.cache_dir / f"stylesheet-{hashlib.sha256(self._version.encode()).hexdigest()[:16]}.css"
            if not stored.is_file():
                stored.parent.mkdir(parents=True, exist_ok=True)
                stored.write_text(self._ask({"stylesheet": True})["css"], encoding="utf-8")
            self._memory[key] = {"css": stored.read_text(encoding="utf-8")}
        return self._memory[key]["css"]

    def page(self, output: str, where: str) -> str:
        """A page's HTML with every formula typeset; a formula MathJax cannot read raises, naming the page."""
        glyphs: dict[str, str] = {}

        def typeset(match: re.Match) -> str:
            first = match.start() == first_formula
            tex = html.unescape(match["tex"])
            try:
                done = self.formula(tex, display=match["open"] == "\\[")
            except ValueError as error:
                raise SnippetError(where, None, f"MathJax cannot typeset ${' '.join(tex.split())[:80]}$: {error}") from None
            glyphs.update(done["glyphs"])
            return (GLYPHS_HERE if first else "") + f'<{match["tag"]} class="arithmatex">{done["html"]}</{match["tag"]}>'

        found = FORMULA.search(output)
        if not found:
            return output
        first_formula = found.start()
        typeset_output = FORMULA.sub(typeset, output)
        defs = "".join(glyphs[name] for name in sorted(glyphs))
        hidden = (f'<svg id="{GLYPHS_ID}" style="display: none" aria-hidden="true" xmlns="http://www.w3.org/2000/svg">'
                  f"<defs>{defs}</defs></svg>")
        style = f'<style id="execdocs-math-style">{self.stylesheet()}</style>'
        typeset_output = typeset_output.replace("</head>", style + "</head>", 1)
        return typeset_output.replace(GLYPHS_HERE, hidden, 1)

    def close(self) -> None:
        if self._process is not None:
            self._process.stdin.close()
            self._process.wait(timeout=10)
            self._process.stdout.close()
            self._process = None


_renderers: dict[tuple, MathRenderer] = {}


def shared_renderer(config: Config) -> MathRenderer:
    """One renderer per site and cache for the life of the process (a `mkdocs serve` keeps its Node process)."""
    key = (config.root, config.cache_dir)
    if key not in _renderers:
        _renderers[key] = MathRenderer(config)
    return _renderers[key]

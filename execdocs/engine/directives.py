"""Page directives, one class each: `{{ run("chapter/topic.py:section") }}`, `{{ value("chapter/topic.py:name", ".4f") }}`.

A directive class parses its arguments, checks what it names, renders itself from a snippet's
Run, and says what must be equal between the two languages of a page (`pair_key`). Adding a
kind of output is one new class registered with `@directive`. Directives are recognized in
prose only: inside fenced code, code spans and HTML comments they are text, shown as written.
"""

from __future__ import annotations

import ast
import dataclasses
import html
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

from execdocs.engine.client import Run
from execdocs.engine.comments import translated_source
from execdocs.engine.config import Config
from execdocs.engine.errors import SnippetError
from execdocs.engine.markdown import line_of, without_code
from execdocs.engine.sections import section_names, split_chunks
from execdocs.engine.source import read_source

# `{{ name(args) }}`. Anything written so in prose with an unknown name is an error, never left in a page.
DIRECTIVE = re.compile(r"\{\{\s*(?P<name>[A-Za-z_]\w*)\((?P<args>[^{}]*?)\)\s*\}\}")
# Labels of the output block under each included snippet, per page language.
OUTPUT_TITLE = {"en": "Output", "zh": "输出"}
# A formatted value that reads as a number is inserted as it is (it may stand inside math).
NUMERIC = re.compile(r"[-+]?(?:\d[\d,_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\s?%?|[-+]?(?:inf|nan|True|False)")

REGISTRY: dict[str, type[Directive]] = {}


def directive(cls: type[Directive]) -> type[Directive]:
    """Register a directive class under its `kind`."""
    REGISTRY[cls.kind] = cls
    return cls


@dataclass(frozen=True)
class Directive:
    """One directive in a page: which snippet it names, where it stands."""

    kind: ClassVar[str]
    usage: ClassVar[str]
    arity: ClassVar[tuple[int, int]] = (1, 1)
    pairing: ClassVar[str] = "sequence"  # "sequence": both languages in the same order; "set": the same ones anywhere

    page: Path
    line: int
    start: int  # character offsets of the directive in the page text
    end: int
    snippet: str  # path below snippets/
    name: str | None  # section (run) or value name (value)
    args: tuple[str, ...]
    path: Path  # the snippet file

    @classmethod
    def parse(cls, config: Config, args: tuple[str, ...], page: Path, line: int, start: int, end: int) -> Directive:
        if not cls.arity[0] <= len(args) <= cls.arity[1]:
            raise config.error(page, line, f"wrong number of arguments; write {cls.usage}")
        snippet, _, name = args[0].partition(":")
        return cls(page, line, start, end, snippet, name or None, args, Path(os.path.normpath(config.snippets_dir / snippet)))

    @property
    def target(self) -> str:
        return f"{self.snippet}:{self.name}" if self.name else self.snippet

    def pair_key(self) -> str:
        """What the other language's page must have too."""
        return f"{self.kind}({', '.join(map(repr, self.args))})".replace("'", '"')

    def check(self, config: Config, text: str) -> None:
        """Raise if the snippet it names is missing or outside snippets/."""
        path = self.path
        if not path.is_file() or not path.is_relative_to(config.snippets_dir):
            raise config.error(self.page, self.line, f"snippet 'snippets/{self.snippet}' not found; "
                                                     "the path in run(...) and value(...) is relative to snippets/")

    def check_run(self, config: Config, run: Run) -> None:
        """Raise if the run cannot give what the directive asks for."""

    def render(self, run: Run, language: str, text: str) -> str:
        raise NotImplementedError


@directive
@dataclass(frozen=True)
class RunDirective(Directive):
    """A snippet's code (a section, or the whole file) followed by what it printed."""

    kind: ClassVar[str] = "run"
    usage: ClassVar[str] = 'run("chapter/topic.py") or run("chapter/topic.py:section")'

    def check(self, config: Config, text: str) -> None:
        super().check(config, text)
        line_start = text.rfind("\n", 0, self.start) + 1
        line_end = text.find("\n", self.end)
        if text[line_start : None if line_end < 0 else line_end].strip() != text[self.start : self.end]:
            raise config.error(self.page, self.line, f"{self.kind}(...) must stand alone on its line (it becomes a block)")
        if self.name:
            source = read_source(config, self.path)  # not UTF-8: an error at its line, not a crash
            names = _section_names(config.display_path(self.path), source.text)
            if self.name not in names:
                known = ", ".join(names) or "none"
                raise config.error(self.page, self.line, f"snippet 'snippets/{self.snippet}' has no section '{self.name}' (sections: {known})")

    def check_run(self, config: Config, run: Run) -> None:
        if self.name and not run.ran(self.name):
            raise config.error(self.page, self.line, f"section '{self.name}' of snippets/{self.snippet} never runs: the snippet "
                                                     f"ends at line {run.exit_line} (sys.exit); move the section before it")

    def render(self, run: Run, language: str, text: str) -> str:
        indent = text[text.rfind("\n", 0, self.start) + 1 : self.start]
        code = _fence(shown_code(run, self.name, language), f' {{ .python title="snippets/{self.snippet}" }}', indent)
        output = run.output(self.name).rstrip("\n")
        if not output:
            return code
        title = OUTPUT_TITLE.get(language, OUTPUT_TITLE["en"])
        return code + "\n\n" + indent + _fence(output, f' {{ .text .execdocs-output title="{title}" }}', indent)


@directive
@dataclass(frozen=True)
class ValueDirective(Directive):
    """A module-level scalar the snippet leaves behind, formatted, inserted as plain text."""

    kind: ClassVar[str] = "value"
    usage: ClassVar[str] = 'value("chapter/topic.py:name") or value("chapter/topic.py:name", ".4f")'
    arity: ClassVar[tuple[int, int]] = (1, 2)
    pairing: ClassVar[str] = "set"

    @classmethod
    def parse(cls, config, args, page, line, start, end):
        made = super().parse(config, args, page, line, start, end)
        if not made.name:
            raise config.error(page, line, f"value() needs a name after the colon; write {cls.usage}")
        return made

    @property
    def fmt(self) -> str:
        return self.args[1] if len(self.args) > 1 else ""

    def check_run(self, config: Config, run: Run) -> None:
        self._formatted(config, run)

    def render(self, run: Run, language: str, text: str) -> str:
        return as_plain_text(self._formatted(None, run))

    def _formatted(self, config: Config | None, run: Run) -> str:
        fail = (lambda message: config.error(self.page, self.line, message)) if config else (lambda m: SnippetError(self.page, self.line, m))
        if self.name not in run.values:
            known = ", ".join(sorted(run.values)) or "none"
            raise fail(f"snippet 'snippets/{self.snippet}' leaves no module-level value '{self.name}' (values: {known})")
        value = run.values[self.name]
        try:
            return format(value, self.fmt)
        except (ValueError, TypeError) as error:
            raise fail(f"cannot format {self.name}={value!r} with '{self.fmt}': {error}") from None


@directive
@dataclass(frozen=True)
class FigureDirective(RunDirective):
    """The one figure a section draws, as an SVG file of the site, with alt text and a caption in the page's language."""

    kind: ClassVar[str] = "figure"
    usage: ClassVar[str] = 'figure("chapter/topic.py:section", "alt text", "caption")'
    arity: ClassVar[tuple[int, int]] = (3, 3)

    @classmethod
    def parse(cls, config, args, page, line, start, end):
        made = super().parse(config, args, page, line, start, end)
        if not made.name or not all(arg.strip() for arg in args[1:]):
            raise config.error(page, line, f"figure() needs a section, an alt text and a caption; write {cls.usage}")
        return made

    def pair_key(self) -> str:
        return f'figure("{self.target}")'  # the texts are in each page's own language

    def check_run(self, config: Config, run: Run) -> None:
        super().check_run(config, run)
        drawn = run.figures(self.name)
        if len(drawn) != 1:
            raise config.error(self.page, self.line, f"section '{self.name}' of snippets/{self.snippet} draws {len(drawn)} figures; "
                                                     "a figure() shows the one figure a section draws (draw it with matplotlib)")
        size = len(drawn[0]["svg"].encode())
        if size > config.limits.max_figure_bytes:
            raise config.error(run.path, None, f"the figure of section '{self.name}' weighs {size:,} bytes, over the "
                                               f"{config.limits.max_figure_bytes:,} allowed; plot fewer points or simpler marks")

    def render(self, run: Run, language: str, text: str, docs_root: Path | None = None) -> str:
        figure = run.figures(self.name)[0]
        target = (docs_root or self.page.parent) / figure_uri(figure)
        source = os.path.relpath(target, self.page.parent).replace(os.sep, "/")
        alt = re.sub(r"([\\\[\]])", r"\\\1", " ".join(self.args[1].split()))
        return (f'<figure class="execdocs-figure" markdown="span">\n'
                f'![{alt}]({source}){{ width="{figure["width"]}" height="{figure["height"]}" loading="lazy" }}\n'
                f"<figcaption>{html.escape(self.args[2])}</figcaption>\n</figure>")


def shown_code(run: Run, section: str | None, language: str) -> str:
    """A section's code (or the whole file's) as a page in `language` shows it: comments in that language."""
    return code_in_language(run, run.code(section), language)


def code_in_language(run: Run, code: str, language: str) -> str:
    """Code of a snippet (the whole file, a section or any chunk of it) with its comments in `language`.

    The one place pages and notebooks take code from: the whole source is translated
    (comments.py), then cut into the same chunks, so line breaks and sections stay as in the file.
    """
    translated = translated_source(run.path, run.display, run.source, language)
    if translated == run.source:
        return code
    other = dataclasses.replace(run, source=translated)
    if code == run.code(None):
        return other.code(None)
    for mine, theirs in zip(run.chunks(), other.chunks()):
        if mine.code == code:
            return theirs.code
    raise SnippetError(run.display, None, "code to translate that is not a chunk of this snippet")


def figure_uri(figure: dict) -> str:
    """Where a figure's SVG is served, by its digest: the same figure in both languages is one file."""
    return f"assets/figures/{figure['sha256'][:20]}.svg"


def as_plain_text(text: str) -> str:
    """`text` as it must read on the page: a number as it is; anything else with every Markdown or HTML sign escaped."""
    if NUMERIC.fullmatch(text):
        return text
    text = " ".join(text.splitlines())
    return "".join(c if c.isalnum() or c == " " else f"&#{ord(c)};" for c in text)


def find_directives(config: Config, text: str, page: Path, check: bool = True) -> list[Directive]:
    """Every directive in the prose of `text`, checked for form and (unless this text was checked already) for the
    snippet and section it names."""
    found = []
    for match in DIRECTIVE.finditer(without_code(text)):
        line = line_of(text, match.start())
        kind = match["name"]
        if kind not in REGISTRY:
            raise config.error(page, line, f"unknown directive '{kind}(...)'; use one of: {', '.join(REGISTRY)}")
        made = REGISTRY[kind].parse(config, _arguments(config, match["args"], page, line), page, line, match.start(), match.end())
        if check:
            made.check(config, text)
        found.append(made)
    return found


def check_runs(config: Config, directives: list[Directive], runs: dict[Path, Run]) -> None:
    """Raise at the first directive its snippet's run cannot satisfy (a missing value, a section that never ran)."""
    for made in directives:
        made.check_run(config, runs[made.path])


def render(text: str, directives: list[Directive], runs: dict[Path, Run], language: str, docs_root: Path | None = None) -> str:
    """Replace each directive by what it renders; `docs_root` is the folder of the language's pages (for figure paths)."""
    pieces, cursor = [], 0
    for made in directives:
        pieces.append(text[cursor:made.start])
        extra = {"docs_root": docs_root} if isinstance(made, FigureDirective) else {}
        pieces.append(made.render(runs[made.path], language, text, **extra))
        cursor = made.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def _arguments(config: Config, raw: str, page: Path, line: int) -> tuple[str, ...]:
    try:
        args = ast.literal_eval(f"({raw},)") if raw.strip() else ()
    except (ValueError, SyntaxError):
        raise config.error(page, line, f"directive arguments must be quoted strings, got ({raw})") from None
    if not all(isinstance(arg, str) for arg in args):
        raise config.error(page, line, f"directive arguments must be quoted strings, got ({raw})")
    return args


@lru_cache(maxsize=1024)
def _section_names(display: str, source: str) -> list[str]:
    """Section names of a snippet, parsed once per distinct source text."""
    return section_names(split_chunks(display, source))


def _fence(body: str, info: str, indent: str) -> str:
    ticks = "`" * max(3, _longest_backtick_run(body) + 1)
    lines = [f"{ticks}{info}", *body.splitlines(), ticks]
    return "\n".join(indent + line if line else line for line in lines).lstrip(" \t")


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in re.findall(r"`+", text)), default=0)

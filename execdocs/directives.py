"""Find the `{{ run(...) }}` and `{{ value(...) }}` directives in a page and render them."""

from __future__ import annotations

import ast
import html
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from execdocs.errors import SnippetError
from execdocs.runner import Run
from execdocs.sections import section_names, split_chunks
from execdocs.source import read_source
from execdocs.settings import DIRECTIVE, DIRECTIVE_NAMES, OUTPUT_TITLE, SNIPPETS_DIR


@dataclass(frozen=True)
class Directive:
    """One directive in a page: which snippet, which section or value, where in the page."""

    kind: str  # "run" or "value"
    snippet: str  # path below snippets/
    name: str | None  # section (run) or value name (value)
    fmt: str  # format spec for a value
    line: int  # 1-based line in the page
    start: int  # character offsets of the directive in the page text
    end: int

    @cached_property  # resolve() touches the disk; a page asks for it many times
    def path(self) -> Path:
        return (SNIPPETS_DIR / self.snippet).resolve()

    @property
    def target(self) -> str:
        return f"{self.snippet}:{self.name}" if self.name else self.snippet


def find_directives(text: str, page: Path) -> list[Directive]:
    """Every directive in `text`, checked for form and for the snippet and section it names."""
    found = []
    for match in DIRECTIVE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        kind = match["name"]
        if kind not in DIRECTIVE_NAMES:
            raise SnippetError(page, line, f"unknown directive '{kind}(...)'; use one of: {', '.join(DIRECTIVE_NAMES)}")
        args = _arguments(match["args"], page, line)
        directive = _build(kind, args, page, line, match.start(), match.end())
        _check_target(directive, page, text)
        found.append(directive)
    return found


def check_values(page: Path, directives: list[Directive], runs: dict[Path, Run]) -> None:
    """Raise at the first value(...) that names no value of its snippet or cannot be formatted."""
    for directive in directives:
        if directive.kind == "value":
            _quoted_value(directive, runs[directive.path], page)


def render(text: str, page: Path, directives: list[Directive], runs: dict[Path, Run], language: str) -> str:
    """Replace each directive by the snippet's code and output, or by the quoted value."""
    pieces, cursor = [], 0
    for directive in directives:
        pieces.append(text[cursor:directive.start])
        run = runs[directive.path]
        if directive.kind == "run":
            indent = text[text.rfind("\n", 0, directive.start) + 1 : directive.start]
            pieces.append(_code_and_output(directive, run, language, indent))
        else:
            pieces.append(_quoted_value(directive, run, page))
        cursor = directive.end
    pieces.append(text[cursor:])
    return "".join(pieces)


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------


def _arguments(raw: str, page: Path, line: int) -> tuple:
    try:
        args = ast.literal_eval(f"({raw},)") if raw.strip() else ()
    except (ValueError, SyntaxError):
        raise SnippetError(page, line, f"directive arguments must be quoted strings, got ({raw})") from None
    if not all(isinstance(arg, str) for arg in args):
        raise SnippetError(page, line, f"directive arguments must be quoted strings, got ({raw})")
    return args


def _build(kind: str, args: tuple, page: Path, line: int, start: int, end: int) -> Directive:
    usage = {"run": 'run("chapter/topic.py") or run("chapter/topic.py:section")',
             "value": 'value("chapter/topic.py:name") or value("chapter/topic.py:name", ".4f")'}[kind]
    allowed = 1 if kind == "run" else 2
    if not 1 <= len(args) <= allowed:
        raise SnippetError(page, line, f"wrong number of arguments; write {usage}")
    snippet, _, name = args[0].partition(":")
    if kind == "value" and not name:
        raise SnippetError(page, line, f"value() needs a name after the colon; write {usage}")
    fmt = args[1] if len(args) > 1 else ""
    return Directive(kind, snippet, name or None, fmt, line, start, end)


def _check_target(directive: Directive, page: Path, text: str) -> None:
    path = directive.path
    if not path.is_file() or SNIPPETS_DIR.resolve() not in path.parents:
        raise SnippetError(page, directive.line, f"snippet 'snippets/{directive.snippet}' not found; "
                                                 "the path in run(...) and value(...) is relative to snippets/")
    if directive.kind == "run":
        line_start = text.rfind("\n", 0, directive.start) + 1
        line_end = text.find("\n", directive.end)
        line_text = text[line_start : None if line_end < 0 else line_end]
        if line_text.strip() != text[directive.start : directive.end]:
            raise SnippetError(page, directive.line, "run(...) must stand alone on its line (it becomes code blocks)")
        if directive.name:
            names = _section_names(path, read_source(path))  # not UTF-8: an error at its line, not a crash
            if directive.name not in names:
                known = ", ".join(names) or "none"
                raise SnippetError(page, directive.line, f"snippet 'snippets/{directive.snippet}' has no section '{directive.name}' (sections: {known})")


@lru_cache(maxsize=1024)
def _section_names(path: Path, source: str) -> list[str]:
    """Section names of a snippet, parsed once per distinct source text."""
    return section_names(split_chunks(path, source))


# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------


def _fence(body: str, info: str, indent: str) -> str:
    ticks = "`" * max(3, _longest_backtick_run(body) + 1)
    lines = [f"{ticks}{info}", *body.splitlines(), ticks]
    return "\n".join(indent + line if line else line for line in lines).lstrip(" \t")


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in re.findall(r"`+", text)), default=0)


def _code_and_output(directive: Directive, run: Run, language: str, indent: str) -> str:
    code = _fence(run.code(directive.name), f' {{ .python title="snippets/{directive.snippet}" }}', indent)
    output = run.output(directive.name).rstrip("\n")
    if not output:
        return code
    title = OUTPUT_TITLE.get(language, OUTPUT_TITLE["en"])
    return code + "\n\n" + indent + _fence(output, f' {{ .text .execdocs-output title="{title}" }}', indent)


def _quoted_value(directive: Directive, run: Run, page: Path) -> str:
    if directive.name not in run.values:
        known = ", ".join(sorted(run.values)) or "none"
        raise SnippetError(page, directive.line, f"snippet 'snippets/{directive.snippet}' leaves no module-level value '{directive.name}' (values: {known})")
    value = run.values[directive.name]
    try:
        text = format(value, directive.fmt)
    except (ValueError, TypeError) as error:
        raise SnippetError(page, directive.line, f"cannot format {directive.name}={value!r} with '{directive.fmt}': {error}") from None
    return html.escape(text, quote=False)  # a quoted string is text, never markup

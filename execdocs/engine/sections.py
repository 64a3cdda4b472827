"""Split a snippet file into chunks: its named sections and the code between them."""

from __future__ import annotations

import ast
import re
import textwrap
import traceback
from dataclasses import dataclass

from execdocs.engine.errors import SnippetError
from execdocs.engine.source import SNIPPET_OPTIONS, reproduce

# Named sections, the same markers as pymdownx.snippets: `# --8<-- [start:x]` ... `# --8<-- [end:x]`.
SECTION_MARKER = re.compile(r"^\s*#\s*--8<--\s*\[(start|end):([A-Za-z0-9_\-]+)\]\s*$")


@dataclass(frozen=True)
class Chunk:
    """Consecutive lines of a snippet; `name` is None for code outside any named section."""

    name: str | None
    first: int  # first line of code, 1-based
    last: int  # last line of code, inclusive
    code: str  # the lines as shown on a page: dedented, markers removed


def split_chunks(path: str, source: str) -> list[Chunk]:
    """Cut `source` at its `# --8<-- [start:x]` / `[end:x]` markers; bad markers raise."""
    lines = source.splitlines()
    chunks: list[Chunk] = []
    seen: set[str] = set()
    open_name: str | None = None
    open_line = 0
    start = 1  # first line of the chunk being collected

    def close(name: str | None, end: int) -> None:
        body = lines[start - 1 : end]
        if name is not None or any(line.strip() for line in body):
            shown = [line for line in body if not SNIPPET_OPTIONS.match(line)]  # limits are not part of the lesson
            code = textwrap.dedent("\n".join(shown)).strip("\n")
            chunks.append(Chunk(name, start, end, code))

    for number, line in enumerate(lines, start=1):
        match = SECTION_MARKER.match(line)
        if not match:
            continue
        kind, name = match.groups()
        if kind == "start":
            if open_name is not None:
                raise SnippetError(path, number, f"section [start:{name}] opens inside section '{open_name}' (opened at line {open_line}); sections cannot nest")
            if name in seen:
                raise SnippetError(path, number, f"section '{name}' is defined twice")
            close(None, number - 1)
            open_name, open_line, start = name, number, number + 1
            seen.add(name)
        else:
            if open_name != name:
                expected = f"[end:{open_name}]" if open_name else "no [end] marker here"
                raise SnippetError(path, number, f"[end:{name}] does not close an open section ({expected})")
            close(name, number - 1)
            open_name, start = None, number + 1
    if open_name is not None:
        raise SnippetError(path, open_line, f"section '{open_name}' is never closed with # --8<-- [end:{open_name}]")
    close(None, len(lines))
    return chunks


def compile_chunks(path: str, source: str, chunks: list[Chunk]) -> list[tuple[Chunk, object]]:
    """Compile each chunk on its own under the snippet's repository path, keeping its real line numbers."""
    if "\0" in source:
        line = source.count("\n", 0, source.index("\0")) + 1
        raise SnippetError(path, line, "the file holds a NUL byte, which Python cannot run; remove it")
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError as error:
        detail = "".join(traceback.format_exception_only(SyntaxError, error)) + reproduce(path)
        raise SnippetError(path, error.lineno, f"SyntaxError: {error.msg}", detail) from None
    compiled = []
    statements = list(tree.body)
    for chunk in chunks:
        body = []
        while statements and statements[0].lineno <= chunk.last:
            statement = statements.pop(0)
            if statement.end_lineno > chunk.last:
                raise SnippetError(path, chunk.last + 1, f"a section marker cuts through the statement that starts at line {statement.lineno}")
            body.append(statement)
        module = ast.Module(body=body, type_ignores=[])
        compiled.append((chunk, compile(module, path, "exec")))
    return compiled


def section_names(chunks: list[Chunk]) -> list[str]:
    """The named sections, in file order."""
    return [chunk.name for chunk in chunks if chunk.name is not None]


def whole_code(source: str) -> str:
    """The file as shown when a page includes all of it: markers removed."""
    kept = [line for line in source.splitlines() if not SECTION_MARKER.match(line) and not SNIPPET_OPTIONS.match(line)]
    return "\n".join(kept).strip("\n")

"""Read a snippet file: its text, the limits it sets for itself, and how to run it alone."""

from __future__ import annotations

from pathlib import Path

from execdocs.errors import SnippetError, display_path
from execdocs.settings import SNIPPET_OPTION_NAMES, SNIPPET_OPTIONS


def read_source(path: Path) -> str:
    """A snippet's text; bytes that are not UTF-8 are an error at their line."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise SnippetError(path, line, f"not valid UTF-8 (byte 0x{data[error.start]:02x}); save the file as UTF-8") from None


def snippet_options(path: Path, source: str) -> dict[str, float]:
    """Limits set by the snippet itself on a `# execdocs: timeout=60 memory_mb=4096` line."""
    options: dict[str, float] = {}
    for number, line in enumerate(source.splitlines(), start=1):
        match = SNIPPET_OPTIONS.match(line)
        for item in match["options"].split() if match else ():
            name, _, raw = item.partition("=")
            try:
                value = float(raw)
            except ValueError:
                value = 0.0
            if name not in SNIPPET_OPTION_NAMES or not value > 0:
                usage = " ".join(f"{option}=<number>" for option in SNIPPET_OPTION_NAMES)
                raise SnippetError(path, number, f"cannot read '{item}' in the execdocs: line; write # execdocs: {usage}")
            options[name] = value
    return options


def reproduce(path: Path) -> str:
    """How to see a snippet's failure outside the build."""
    return f"To see it outside the build, run: python {display_path(path)}"

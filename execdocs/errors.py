"""The one error type the engine raises: it always names a file and, where there is one, a line."""

from __future__ import annotations

from pathlib import Path

from execdocs.settings import ROOT


def display_path(path: Path | str) -> str:
    """Path relative to the repository when it is inside it, so messages stay short."""
    path = Path(path)
    try:
        return path.resolve().relative_to(ROOT.resolve()).as_posix()
    except ValueError:
        return str(path)


class SnippetError(Exception):
    """A problem in a snippet or a page, located as `file:line: message`."""

    def __init__(self, path: Path | str, line: int | None, message: str, detail: str = ""):
        self.path = display_path(path)
        self.line = line
        self.message = message
        self.detail = detail
        super().__init__(str(self))

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}"
        return f"{text}\n{self.detail.rstrip()}" if self.detail else text

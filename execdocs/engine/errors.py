"""The one error type the engine raises: it always names a file and, where there is one, a line."""

from __future__ import annotations

from pathlib import Path


class SnippetError(Exception):
    """A problem in a snippet or a page, located as `file:line: message` (make it with Config.error)."""

    def __init__(self, path: Path | str, line: int | None, message: str, detail: str = ""):
        self.path = Path(path).as_posix() if isinstance(path, Path) else path
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

    def __reduce__(self):
        return (SnippetError, (self.path, self.line, self.message, self.detail))

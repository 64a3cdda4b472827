"""The messages between the engine's client, its warm worker and the forked child, as types.

Client -> worker: one `Request` a line (JSON). Worker -> client: one `Reply` a line, holding a
`Result` (the snippet ran) or a `Problem` (it did not, and why). Every error a user sees is
built in one place, `Problem.error`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from execdocs.engine.errors import SnippetError


@dataclass
class Request:
    """Run this source text (not whatever the file holds by the time the child starts)."""

    id: int
    path: str  # absolute path of the snippet file (its __file__)
    display: str  # its path in the repository, used in tracebacks, warnings and messages
    source: str
    seed: int
    limits: dict  # Limits.as_dict(), the snippet's own options applied
    root: str  # the repository, read-only for the run
    excluded: list[str] = field(default_factory=list)  # folders of the toolchain inside the repository (.venv, node_modules)


@dataclass
class Section:
    """What one chunk of the snippet printed; `ran` is False after the snippet ended early (sys.exit)."""

    name: str | None
    output: str
    ran: bool = True
    figures: list[dict] = field(default_factory=list)  # execdocs.engine.figures.take_figures()


@dataclass
class Result:
    """A snippet that ran to its end (or to sys.exit(0))."""

    sections: list[Section]
    values: dict
    reads: dict[str, str]  # repository path (or 'path/' for a folder listing) -> digest at the moment it was read
    untracked: str | None = None  # why this run's inputs cannot all be known (then it is never cached)
    exit_line: int | None = None  # where sys.exit ended it early
    seconds: float = 0.0

    @classmethod
    def from_dict(cls, data: dict) -> Result:
        return cls(**{**data, "sections": [Section(**s) for s in data["sections"]]})


@dataclass
class Problem:
    """A snippet that did not run: located at its own line where there is one."""

    path: str  # repository path
    line: int | None
    message: str
    detail: str = ""

    def error(self) -> SnippetError:
        return SnippetError(self.path, self.line, self.message, self.detail)


@dataclass
class Reply:
    id: int
    result: Result | None = None
    problem: Problem | None = None

    def dumps(self) -> str:
        return json.dumps(asdict(self), allow_nan=True)

    @classmethod
    def loads(cls, line: str) -> Reply:
        data = json.loads(line)
        result = Result.from_dict(data["result"]) if data.get("result") else None
        problem = Problem(**data["problem"]) if data.get("problem") else None
        return cls(data["id"], result, problem)


def dumps_request(request: Request) -> str:
    return json.dumps(asdict(request))


def loads_request(line: bytes | str) -> Request:
    return Request(**json.loads(line))

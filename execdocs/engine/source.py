"""Read a snippet file as Python would: its text, the limits it sets for itself, and how to run it alone."""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

from execdocs.engine.config import Config, ConfigError, checked_limit

# Per-snippet limits, on a comment line of the snippet: `# execdocs: timeout=60 memory_mb=4096`.
# The line is not shown on pages.
SNIPPET_OPTIONS = re.compile(r"^\s*#\s*execdocs:(?P<options>.*)$")
SNIPPET_OPTION_NAMES = ("timeout", "memory_mb")


@dataclass(frozen=True)
class Source:
    """A snippet as it will run: its bytes (what the cache keys), its text (what runs and is shown)."""

    path: Path  # absolute, inside the repository
    data: bytes
    text: str


def read_source(config: Config, path: Path) -> Source:
    """A snippet's bytes and text; a missing file, a link out of the repository or undecodable bytes are errors."""
    path = Path(path).absolute()
    if not path.is_file():
        kind = "a folder, not a file" if path.is_dir() else "not found"
        raise config.error(path, None, f"snippet file {kind}")
    real = path.resolve()
    if not real.is_relative_to(config.root):
        raise config.error(path, None, f"this snippet is a link to {real}, outside the repository; "
                                       "snippets must be files inside it (copy the file in instead of linking it)")
    data = real.read_bytes()
    return Source(path, data, decode(config, path, data))


def decode(config: Config, path: Path, data: bytes) -> str:
    """The text of a Python file: UTF-8 (a BOM allowed) or the encoding its coding line declares, as Python reads it."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        raise config.error(path, getattr(error, "lineno", None) or 1, f"cannot tell the file's encoding ({error.msg}); save it as UTF-8") from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise config.error(path, line, f"not valid {encoding.upper()} (byte 0x{data[error.start]:02x}); save the file as UTF-8") from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def snippet_options(config: Config, path: Path, text: str) -> dict[str, float]:
    """Limits set by the snippet itself on a `# execdocs: timeout=60 memory_mb=4096` line, checked."""
    options: dict[str, float] = {}
    usage = " ".join(f"{option}=<number>" for option in SNIPPET_OPTION_NAMES)
    for number, line in enumerate(text.splitlines(), start=1):
        match = SNIPPET_OPTIONS.match(line)
        items = match["options"].split() if match else ()
        if match and not items:
            raise config.error(path, number, f"the execdocs: line sets nothing; write # execdocs: {usage}")
        for item in items:
            name, _, raw = item.partition("=")
            if name not in SNIPPET_OPTION_NAMES or not raw:
                raise config.error(path, number, f"cannot read '{item}' in the execdocs: line; write # execdocs: {usage}")
            if name in options:
                raise config.error(path, number, f"{name} is set twice; set each limit once")
            try:
                options[name] = checked_limit(name, raw)
            except ConfigError as error:
                raise config.error(path, number, str(error)) from None
    return options


def reproduce(display: str) -> str:
    """How to see a snippet's failure outside the build."""
    return f"To see it outside the build, run: python {display}"

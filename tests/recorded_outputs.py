"""The recorded output of a snippet, as reviewed in version control (tests/expected/*.json)."""

from __future__ import annotations

import json
from pathlib import Path

from execdocs.engine.client import Run
from execdocs.engine.config import Config

OUTSIDE_SECTIONS = "(outside sections)"


def expected_file(config: Config, snippet: Path) -> Path:
    """tests/expected/<chapter>/<topic>.json for snippets/<chapter>/<topic>.py."""
    return config.expected_dir / snippet.absolute().relative_to(config.snippets_dir).with_suffix(".json")


def describe(run: Run) -> str:
    """A run as stable, diff-friendly JSON: output lines per section, then the values."""
    output: dict[str, list[str]] = {}
    for section in run.sections:
        name = section.name or OUTSIDE_SECTIONS
        output.setdefault(name, []).extend(section.output.splitlines())
    figures = {section.name or OUTSIDE_SECTIONS: [{key: figure[key] for key in ("sha256", "width", "height", "plotted")}
                                                   for figure in section.figures]
               for section in run.sections if section.figures}
    record = {
        "snippet": run.display,
        "output": {name: lines for name, lines in output.items() if lines or name != OUTSIDE_SECTIONS},
        "values": run.values,
        **({"figures": figures} if figures else {}),
    }
    return json.dumps(record, indent=2, ensure_ascii=False) + "\n"

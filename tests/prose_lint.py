"""Prose linters: AutoCorrect for the Chinese pages, codespell for English pages and snippets."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import autocorrect_py
import codespell_lib

from execdocs.engine.config import Config

ROOT = Config().root

LINT_DIR = ROOT / "lint"
AUTOCORRECT_CONFIG = LINT_DIR / "autocorrectrc.yml"
CODESPELL_IGNORE = LINT_DIR / "codespell-ignore.txt"
CODESPELL_IZE = LINT_DIR / "codespell-ize.txt"

_configured = False


def copywriting_problems(text: str, name: str = "page.md") -> list[str]:
    """AutoCorrect's findings for one Markdown text, as 'line:col: old -> new'."""
    global _configured
    if not _configured:  # load_config is process-wide; load the project's rules once
        autocorrect_py.load_config(AUTOCORRECT_CONFIG.read_text(encoding="utf-8"))
        _configured = True
    result = autocorrect_py.lint_for(text, name)
    return [f"{name}:{line.line}:{line.col}: {line.old.strip()!r} -> {line.new.strip()!r}"
            for line in result.lines]


def spelling_problems(*paths: Path) -> list[str]:
    """codespell's findings ('file:line: wrong ==> right') with the project's word lists."""
    out = io.StringIO()
    args = [
        "--builtin", "clear,rare",
        "--dictionary", "-",  # codespell's own dictionary ...
        "--dictionary", str(CODESPELL_IZE),  # ... plus ours: -ize spellings throughout
        "--ignore-words", str(CODESPELL_IGNORE),
        "--check-filenames",
        *map(str, paths),
    ]
    with contextlib.redirect_stdout(out):
        codespell_lib.main(*args)
    return [line for line in out.getvalue().splitlines() if "==>" in line]

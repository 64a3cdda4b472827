"""execdocs: run the snippets a page includes and show their real output.

One engine, two callers: the MkDocs hook (`execdocs/mkdocs_hook.py`) and the tests.
"""

from execdocs.directives import Directive, find_directives, render
from execdocs.errors import SnippetError
from execdocs.runner import Engine, Run, shared_engine

__all__ = ["Directive", "Engine", "Run", "SnippetError", "find_directives", "render", "shared_engine"]

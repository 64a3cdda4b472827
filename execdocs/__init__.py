"""execdocs: run the snippets a page includes and put their real output into it.

Two layers, as the folders show:

- `execdocs.engine`: generic. Read a snippet, run it isolated in a forked child of a warm
  worker, cache the run by what actually ran, and render directives from the run.
- `execdocs.website`: this site's own rules and wiring. Prose numbers, math delimiters, zh/en
  pairs, the MkDocs hook and the build command.
"""

from execdocs.engine.client import Engine, Run, shared_engine
from execdocs.engine.config import Config, Limits
from execdocs.engine.directives import REGISTRY, Directive, directive, find_directives, render
from execdocs.engine.errors import SnippetError

__all__ = ["Config", "Directive", "Engine", "Limits", "REGISTRY", "Run", "SnippetError", "directive", "find_directives",
           "render", "shared_engine"]

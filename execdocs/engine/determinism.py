"""Run snippets again under another hash seed and random seed: what they print must not change.

A snippet that relies on unseeded randomness, set order or the clock prints the same within
one build (the engine seeds every run alike) but not in the next one, on another machine or
for a reader. One extra run with other seeds, in a fresh worker without the cache, shows it.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable
from pathlib import Path

from execdocs.engine.cache import RunCache
from execdocs.engine.client import Engine, Run
from execdocs.engine.config import Config
from execdocs.engine.errors import SnippetError
from execdocs.engine.sections import split_chunks

# Normal runs use hash seed 0 (Config.hash_seed) and seed Python's, NumPy's and torch's global
# generators with it; this check runs everything again with another seed.
SECOND_RUN_SEED = 1

ADVICE = ("seed every random generator (torch.manual_seed(0), np.random.default_rng(0), random.seed(0)), "
          "sort sets before printing them, and print no times or memory addresses")


def rerun(config: Config, paths: Iterable[Path], first: dict[Path, Run | SnippetError]) -> list[SnippetError]:
    """Run `paths` once more with SECOND_RUN_SEED; every snippet whose output or values changed."""
    with tempfile.TemporaryDirectory(prefix="execdocs-rerun-") as folder:
        engine = Engine(config.with_seed(SECOND_RUN_SEED), cache=RunCache(Path(folder)))
        try:
            second = engine.run_each(paths)
        finally:
            engine.close()
    return differences(config, first, second)


def differences(config: Config, first: dict[Path, Run | SnippetError], second: dict[Path, Run | SnippetError]) -> list[SnippetError]:
    """A problem for each snippet that ran in `first` and did something else in `second`."""
    problems = []
    for path, before in first.items():
        after = second.get(path)
        if isinstance(before, SnippetError) or after is None:
            continue  # a snippet that fails is reported by the build and the output tests
        if isinstance(after, SnippetError):
            problems.append(config.error(path, after.line, f"runs, but fails when run again under another seed ({after.message}); {ADVICE}"))
            continue
        problem = _first_change(config, before, after)
        if problem:
            problems.append(problem)
    return problems


def _first_change(config: Config, before: Run, after: Run) -> SnippetError | None:
    chunks = split_chunks(before.display, before.source)
    for index, (old, new) in enumerate(zip(before.sections, after.sections)):
        if old.output != new.output:
            old_lines, new_lines = old.output.splitlines(), new.output.splitlines()
            row = next((i for i, (a, b) in enumerate(zip(old_lines, new_lines)) if a != b), min(len(old_lines), len(new_lines)))
            shown = [lines[row] if row < len(lines) else "(nothing)" for lines in (old_lines, new_lines)]
            where = f"section '{old.name}'" if old.name else "code outside sections"
            line = chunks[index].first if index < len(chunks) else None
            return config.error(before.path, line, f"prints something else when run again: {where} printed {shown[0]!r}, "
                                                   f"then {shown[1]!r}; {ADVICE}")
    for name in sorted(set(before.values) | set(after.values)):
        old, new = before.values.get(name), after.values.get(name)
        if json.dumps(old, allow_nan=True) != json.dumps(new, allow_nan=True):
            return config.error(before.path, None, f"leaves another value when run again: {name} was {old!r}, then {new!r}; {ADVICE}")
    return None

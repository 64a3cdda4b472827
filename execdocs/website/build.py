"""Build the whole site: check everything, run every snippet once, then both languages in parallel, strictly."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path

from execdocs.engine.client import Engine
from execdocs.engine.config import Config
from execdocs.engine.errors import SnippetError
from execdocs.website import handoff
from execdocs.website.checks import included_snippets, run_problems, site_problems
from execdocs.website.shared_assets import share_assets
from execdocs.website.site_root import write_root_files

CONFIG_FILES = {"en": "mkdocs.yml", "zh": "mkdocs.zh.yml"}
# What the MkDocs processes need to know of the build that started them: the site's root and cache.
CONFIG_VARIABLES = ("EXECDOCS_ROOT", "EXECDOCS_CACHE", "EXECDOCS_TIMEOUT", "EXECDOCS_MEMORY_MB", "EXECDOCS_BUILD_ID", handoff.VARIABLE)


def prepare(config: Config, log=print, checked: dict | None = None) -> list[str]:
    """Check every page and snippet, then run every included snippet once; the ERROR lines, if anything is wrong.
    Fills `checked`, if given, with {page: digest of its text} for every page checked."""
    memo: dict = {}  # each page read and parsed once for all the checks
    problems = site_problems(config, memo)  # cheap, and all of them at once: before any snippet runs
    if problems:
        return [f"ERROR: {problem}" for problem in problems] + [f"ERROR: {len(problems)} problem(s) in pages or snippets; nothing was built."]
    engine = Engine(config)
    try:
        runs = engine.run(included_snippets(config, memo))  # one warm worker for all; both builds then hit the cache
    except SnippetError as error:
        return [f"ERROR: {error}"]
    finally:
        engine.close()
    problems = run_problems(config, runs, memo)
    if problems:
        return [f"ERROR: {problem}" for problem in problems]
    for note in engine.not_cached:
        log(f"INFO: {note}")
    if checked is not None:
        checked.update({config.display_path(page): handoff.digest(text) for page, (text, _) in memo.items()})
    return []


def build(config: Config, site_dir: Path) -> int:
    """Build both languages into `site_dir`; return 0 on success, print why not otherwise."""
    started = time.perf_counter()
    config = replace(config, build_id=config.build_id or uuid.uuid4().hex)
    with tempfile.TemporaryDirectory(prefix="execdocs-build-") as scratch:
        verdict = Path(scratch) / "checked.json"
        env = {**{k: v for k, v in os.environ.items() if k not in CONFIG_VARIABLES}, "NO_MKDOCS_2_WARNING": "1",
               "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "0"), "EXECDOCS_ROOT": str(config.root),
               "EXECDOCS_CACHE": str(config.cache_dir), "EXECDOCS_TIMEOUT": repr(config.limits.timeout),
               "EXECDOCS_MEMORY_MB": repr(config.limits.memory_mb), "EXECDOCS_BUILD_ID": config.build_id,
               handoff.VARIABLE: str(verdict)}
        # Started first: they load MkDocs while the checks and snippets run here, and wait for the verdict (handoff.py).
        builds = {
            language: subprocess.Popen(
                [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config.root / name), "-d", str(site_dir / language)],
                cwd=config.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            )
            for language, name in CONFIG_FILES.items()
        }
        try:
            checked: dict[str, str] = {}
            errors = prepare(config, checked=checked)
            if errors:
                print("\n".join(errors), file=sys.stderr)
                return 1
            handoff.publish(verdict, checked)
            failed = []
            for language, process in builds.items():
                output, _ = process.communicate()
                print(f"--- mkdocs build --strict ({language}) ---\n{output.rstrip()}")
                if process.returncode != 0:
                    failed.append(language)
        finally:
            for process in builds.values():  # stopped if the checks failed (or anything else went wrong here)
                if process.poll() is None:
                    process.kill()
                    process.communicate()
    if failed:
        print(f"ERROR: mkdocs build --strict failed for {', '.join(failed)}: fix what the WARNING and ERROR lines above name "
              "(each names its page), then build again.", file=sys.stderr)
        return 1
    moved, saved = share_assets(site_dir, tuple(CONFIG_FILES))  # served once for both languages
    write_root_files(config, site_dir)  # language picker, robots.txt, sitemap index
    print(f"Built {', '.join(CONFIG_FILES)} into {site_dir} in {time.perf_counter() - started:.1f} s "
          f"({moved} assets shared by both languages, {saved / 1e6:.1f} MB not duplicated)")
    return 0

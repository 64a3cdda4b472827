"""Build the whole site: run every snippet once, then both languages in parallel, strictly."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from execdocs.directives import find_directives
from execdocs.errors import SnippetError
from execdocs.runner import Engine
from execdocs.settings import LANGUAGES, ROOT
from execdocs.site_checks import page_sources, site_problems
from execdocs.site_root import write_root_files

CONFIGS = {"en": ROOT / "mkdocs.yml", "zh": ROOT / "mkdocs.zh.yml"}


def included_snippets() -> list[Path]:
    """Every snippet that some page of either language includes."""
    paths = []
    for language in LANGUAGES:
        for page in page_sources(language):
            paths += [d.path for d in find_directives(page.read_text(encoding="utf-8"), page)]
    return list(dict.fromkeys(paths))


def build(site_dir: Path, engine: Engine | None = None) -> int:
    """Build both languages into `site_dir`; return 0 on success, print why not otherwise."""
    started = time.perf_counter()
    problems = site_problems()  # cheap, and all of them at once: before any snippet runs
    if problems:
        for problem in problems:
            print(f"ERROR: {problem}", file=sys.stderr)
        print(f"ERROR: {len(problems)} problem(s) in pages or snippets; nothing was built.", file=sys.stderr)
        return 1
    engine = engine or Engine()
    try:
        engine.run(included_snippets())  # one warm worker for all; both builds then hit the cache
    except SnippetError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 1
    finally:
        engine.close()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "0")}
    builds = {
        language: subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site_dir / language)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        for language, config in CONFIGS.items()
    }
    failed = []
    for language, process in builds.items():
        output, _ = process.communicate()
        print(f"--- mkdocs build --strict ({language}) ---\n{output.rstrip()}")
        if process.returncode != 0:
            failed.append(language)
    if failed:
        print(f"ERROR: mkdocs build --strict failed for {', '.join(failed)}: fix what the WARNING and ERROR lines above name "
              "(each names its page), then build again.", file=sys.stderr)
        return 1
    write_root_files(site_dir)  # language picker, robots.txt, sitemap index
    print(f"Built {', '.join(CONFIGS)} into {site_dir} in {time.perf_counter() - started:.1f} s")
    return 0

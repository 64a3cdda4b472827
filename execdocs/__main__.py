"""Command line: `python -m execdocs build [--site-dir DIR]`, `check-determinism` and `comments`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from execdocs.engine.config import Config, ConfigError


def check_determinism(config: Config) -> int:
    """Run every included snippet (through the cache), then again under other seeds; 1 if any output changed."""
    from execdocs.engine.client import Engine
    from execdocs.engine.determinism import rerun
    from execdocs.website.checks import included_snippets

    paths = included_snippets(config)
    engine = Engine(config)
    try:
        first = engine.run_each(paths)
    finally:
        engine.close()
    problems = rerun(config, paths, first)
    for problem in problems:
        print(f"ERROR: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"All {len(paths)} snippets print the same when run again under another seed.")
    return 0


def update_comments(config: Config) -> int:
    """Bring every snippet's comment catalogues in line with its comments; list what is left to translate."""
    from execdocs.engine.comments import update_catalogue
    from execdocs.engine.source import read_source
    from execdocs.website.checks import snippet_files

    left = 0
    for snippet in snippet_files(config):
        display = config.display_path(snippet)
        for language in config.languages[1:]:
            added, removed, untranslated = update_catalogue(snippet, display, read_source(config, snippet).text, language)
            if added or removed or untranslated:
                print(f"{display} ({language}): {added} added, {removed} removed, {untranslated} to translate")
            left += untranslated
    print(f"{left} comment{'' if left == 1 else 's'} to translate" if left else "Every comment has its translations.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m execdocs", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build_command = commands.add_parser("build", help="run all snippets, then build both languages with --strict")
    build_command.add_argument("--site-dir", type=Path, default=None, help="where to write the site (default: site/)")
    commands.add_parser("check-determinism", help="run every snippet twice, under different hash and random seeds, and compare")
    commands.add_parser("comments", help="add new comments to each snippet's catalogues (snippets/**/*.<lang>.po), drop stale ones")
    args = parser.parse_args(argv)
    try:
        config = Config.from_env()
    except ConfigError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 2
    if args.command == "check-determinism":
        return check_determinism(config)
    if args.command == "comments":
        return update_comments(config)
    from execdocs.website.build import build

    return build(config, (args.site_dir or config.root / "site").resolve())


if __name__ == "__main__":
    sys.exit(main())

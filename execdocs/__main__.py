"""Command line: `python -m execdocs build [--site-dir DIR]` and `python -m execdocs check-determinism`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from execdocs.build import build, included_snippets
from execdocs.settings import ROOT


def check_determinism() -> int:
    """Run every included snippet (through the cache), then again under other seeds; 1 if any output changed."""
    from execdocs.determinism import rerun
    from execdocs.runner import Engine

    paths = included_snippets()
    engine = Engine()
    try:
        first = engine.run_each(paths)
    finally:
        engine.close()
    problems = rerun(paths, first)
    for problem in problems:
        print(f"ERROR: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"All {len(paths)} snippets print the same when run again under another seed.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m execdocs", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build_command = commands.add_parser("build", help="run all snippets, then build both languages with --strict")
    build_command.add_argument("--site-dir", type=Path, default=ROOT / "site", help="where to write the site (default: site/)")
    commands.add_parser("check-determinism", help="run every snippet twice, under different hash and random seeds, and compare")
    args = parser.parse_args(argv)
    if args.command == "check-determinism":
        return check_determinism()
    return build(args.site_dir.resolve())


if __name__ == "__main__":
    sys.exit(main())

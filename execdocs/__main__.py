"""Command line: `python -m execdocs build [--site-dir DIR]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from execdocs.build import build
from execdocs.settings import ROOT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m execdocs", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build_command = commands.add_parser("build", help="run all snippets, then build both languages with --strict")
    build_command.add_argument("--site-dir", type=Path, default=ROOT / "site", help="where to write the site (default: site/)")
    args = parser.parse_args(argv)
    return build(args.site_dir.resolve())


if __name__ == "__main__":
    sys.exit(main())

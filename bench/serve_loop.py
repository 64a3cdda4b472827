"""Benchmark the author's loop: how long an edit takes to reach the page under `mkdocs serve`.

Starts `mkdocs serve` (English) in a temporary copy of the checkout, then, several times each,
edits a snippet (its printed output changes) and a page's prose, and polls the served page
until the change shows. Prints the median and the range per kind of edit; asserts nothing.
Run with `make bench` (after the build benchmark) or `python bench/serve_loop.py [--edits N] [--scale K]`.
Targets (issue #13): 1 s at today's size; 2 s with `--scale 4`, where the copy holds every chapter
K times (its pages and snippets copied under new folder names and added to the nav).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))

from build_speed import copy_checkout  # noqa: E402 (bench/ is this script's folder)

# Between edits, as an author looks at the page: the rebuild that follows a chapter's (its notebook page) ends meanwhile.
PAUSE = 2.0
SNIPPET, PAGE, URL = "snippets/information/entropy.py", "docs/en/information/entropy.md", "information/entropy/"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def wait_for(url: str, marker: str, limit: float = 120.0) -> float:
    """Seconds until the page at `url` contains `marker`."""
    started = time.perf_counter()
    while marker not in fetch(url):
        if time.perf_counter() - started > limit:
            sys.exit(f"{marker!r} did not appear at {url} within {limit:.0f} s")
        time.sleep(0.02)
    return time.perf_counter() - started


def scale_content(root: Path, times: int) -> None:
    """Every chapter folder of docs/en and snippets/ copied `times - 1` more times, its pages
    pointed at their own copies of the snippets, and listed in the nav: `times` times the content."""
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    chapters = sorted(path.name for path in (root / "docs" / "en").iterdir() if path.is_dir())
    entries = re.findall(r"^  - ((?:%s)/\S+\.md)$" % "|".join(chapters), text, flags=re.M)
    extra = []
    for copy in range(2, times + 1):
        for chapter in chapters:
            twin = f"{chapter}_{copy}"
            shutil.copytree(root / "snippets" / chapter, root / "snippets" / twin)
            shutil.copytree(root / "docs" / "en" / chapter, root / "docs" / "en" / twin)
            for page in (root / "docs" / "en" / twin).glob("*.md"):
                page.write_text(page.read_text(encoding="utf-8").replace(f'("{chapter}/', f'("{twin}/'), encoding="utf-8")
        extra += [f"  - {entry.replace('/', f'_{copy}/', 1)}" for entry in entries]
    config.write_text(text.rstrip("\n") + "\n" + "\n".join(extra) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=5, help="edits of each kind (the median is shown)")
    parser.add_argument("--scale", type=int, default=1, help="serve K times today's content (target at 4: 2 s)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        root = copy_checkout(scratch / "checkout")
        scale_content(root, args.scale)
        if (HERE / ".cache" / "execdocs").is_dir():  # a warm cache, as an author has one
            shutil.copytree(HERE / ".cache" / "execdocs", scratch / "cache")
        port = free_port()
        env = {**os.environ, "EXECDOCS_ROOT": str(root), "EXECDOCS_CACHE": str(scratch / "cache"), "NO_MKDOCS_2_WARNING": "1"}
        server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"], cwd=root, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        page_url = f"http://127.0.0.1:{port}/{URL}"
        try:
            first = wait_for(page_url, "</html>", limit=600)
            time.sleep(5)  # let the worker started by `serve` finish importing torch, as it would while the author reads
            timings: dict[str, list[float]] = {"snippet edit": [], "prose edit": []}
            snippet, page = root / SNIPPET, root / PAGE
            for number in range(args.edits):
                marker = f"bench-edit-{number}"
                code = snippet.read_text(encoding="utf-8")
                end = code.index("# --8<-- [end:")  # inside the first section, which the page shows
                snippet.write_text(code[:end] + f'print("{marker}")\n' + code[end:], encoding="utf-8")
                timings["snippet edit"].append(wait_for(page_url, marker))
                time.sleep(PAUSE)
                prose = f"prose-edit-{number}"
                page.write_text(page.read_text(encoding="utf-8") + f"\n\n{prose}\n", encoding="utf-8")
                timings["prose edit"].append(wait_for(page_url, prose))
                time.sleep(PAUSE)
        finally:
            server.terminate()
            server.wait(timeout=30)
    target = 1 if args.scale == 1 else 2 if args.scale <= 4 else None
    print(f"mkdocs serve, {args.scale}x today's content: first page served after  {first:6.2f} s")
    for kind, seconds in timings.items():
        print(f"{kind:14} visible after  median {statistics.median(seconds):5.2f} s   "
              f"(min {min(seconds):.2f}, max {max(seconds):.2f}, {len(seconds)} edits"
              + (f"; target <= {target} s)" if target else ")"))


if __name__ == "__main__":
    main()

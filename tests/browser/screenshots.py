"""Save a full-page screenshot of every page of both languages, to look at the site page by page.

    .venv/bin/python tests/browser/screenshots.py [--out screenshots] [--site DIR] [--dark] [--phone]

Builds the site first (execdocs.website.build.build, into a temporary folder) unless --site names a
built one (the folder holding en/, zh/ and index.html). Serves it on 127.0.0.1, opens each page
in Chromium, waits for its fonts, and writes <out>/light/<language>/<page>.png (1280 px wide);
--dark adds <out>/dark/... (the slate scheme), --phone adds <out>/phone/... (390x844).
The default folder, screenshots/ at the repository root, is ignored by git.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from browsing import MATH_TIMEOUT_MS, WAIT_FOR_MATH, close_context, launch_chromium, playwright_chromium, serve, site_pages
from chromium import ChromiumNotFound, find_chromium
from playwright.sync_api import sync_playwright

from execdocs.engine.config import Config
from execdocs.website.build import build

ROOT = Config().root

VARIANTS = {
    "light": {"viewport": {"width": 1280, "height": 800}, "color_scheme": "light"},
    "dark": {"viewport": {"width": 1280, "height": 800}, "color_scheme": "dark"},
    "phone": {"viewport": {"width": 390, "height": 844}, "color_scheme": "light", "is_mobile": True, "has_touch": True, "device_scale_factor": 2},
}


def screenshot_name(source: str) -> str:
    """information/entropy.md -> information/entropy.png; 404.html -> 404.png."""
    return source.removesuffix(".md").removesuffix(".html") + ".png"


def take(site: Path, out: Path, variants: list[str], executable: str | None = None) -> int:
    """Screenshot every page in each variant; return how many pages could not be shown."""
    failures = 0
    with serve(site) as url, sync_playwright() as playwright:
        browser = launch_chromium(playwright, executable)
        for variant in variants:
            context = browser.new_context(**VARIANTS[variant])
            page = context.new_page()
            for site_page in site_pages():
                response = page.goto(url + site_page.path)
                if response is None or response.status != 200:
                    print(f"SKIPPED {site_page.path}: answers {response.status if response else 'nothing'}", file=sys.stderr)
                    failures += 1
                    continue
                problem = page.evaluate(WAIT_FOR_MATH, MATH_TIMEOUT_MS)
                if problem:
                    print(f"WARNING {site_page.path}: {problem}", file=sys.stderr)
                target = out / variant / site_page.language / screenshot_name(site_page.source)
                target.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=target, full_page=True)
                print(target)
            close_context(context)
        browser.close()
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots", help="folder for the PNG files (default: screenshots/)")
    parser.add_argument("--site", type=Path, help="an already built site (default: build one into a temporary folder)")
    parser.add_argument("--dark", action="store_true", help="also screenshot the dark (slate) colour scheme")
    parser.add_argument("--phone", action="store_true", help="also screenshot a 390x844 phone")
    args = parser.parse_args(argv)
    variants = ["light"] + ["dark"] * args.dark + ["phone"] * args.phone
    try:  # before the build: say what to install without making the reader wait for it
        executable = find_chromium(playwright_default=playwright_chromium)
    except ChromiumNotFound as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 1
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="execdocs-screenshots-") as temporary:
        site = args.site
        if site is None:
            site = Path(temporary) / "site"
            if build(Config.from_env(), site) != 0:
                print("ERROR: the site did not build; nothing to screenshot.", file=sys.stderr)
                return 1
        elif not (site / "en" / "index.html").is_file():
            print(f"ERROR: {site} holds no built site (no en/index.html)", file=sys.stderr)
            return 1
        failures = take(site.resolve(), args.out.resolve(), variants, executable)
    print(f"Screenshots in {args.out} ({', '.join(variants)}) in {time.perf_counter() - started:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

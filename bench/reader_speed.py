"""Benchmark what a reader waits for: the site as it was (MathJax in the browser) against the site now.

Prints, side by side, per page: bytes transferred on a cold load, first contentful paint, when
the math is visible, and largest contentful paint, each the median of several cold loads in
Chromium, without and with the CPU throttled 4x (a mid-range phone). Asserts nothing.

`python bench/reader_speed.py [--before REV] [--loads N]`. REV defaults to the last commit that
typeset math in the browser (the parent of the commit that removed mathjax-config.js). Both
sites are built in temporary copies (git archive of REV; the working tree for now); nothing is
written into the checkout.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE / "tests" / "browser"))
sys.path.insert(0, str(HERE))

from browsing import close_context, launch_chromium, serve  # noqa: E402
from build_speed import copy_checkout  # noqa: E402

# The heaviest math pages (gradient is the largest page), a page without math, the home page, the 404 page, and
# two pages written into each built site to show what is left to gain:
# - a floor: one paragraph with the theme's stylesheets and nothing else (what no page of this theme can beat here);
# - the shell: the gradient page without its navigation, scripts and formulas, cut after its first paragraph
#   (what Material's page structure costs before any content of this site).
HEAVIEST = "en/pytorch/gradient/"
FLOOR = "en/floor.html"
SHELL = "en/pytorch/shell/"
PAGES = [HEAVIEST, "en/cross_entropy/kl_divergence/", "zh/cross_entropy/kl_divergence/", "en/glossary/", "zh/",
         "en/404.html", SHELL, FLOOR]
FLOOR_HTML = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Floor</title>{links}</head>
<body><p>One paragraph and the theme's stylesheets: the least a page of this theme waits for before it paints its
largest element. Every page of the site also parses its header, navigation and content, and runs its scripts.</p></body></html>
"""

# Collected after load: transfer, paint times, and when the math was visible: the startup typeset resolving, for
# MathJax in the browser; for math typeset at build time, the first paint that holds a formula with its glyph outlines
# (a page is painted while it is still parsed: a formula whose outlines come later is blank until then).
MEASURE_JS = """async () => {
  const lcp = await new Promise((resolve) => {
    let last = 0;
    new PerformanceObserver((list) => { for (const e of list.getEntries()) last = e.startTime; })
      .observe({type: "largest-contentful-paint", buffered: true});
    setTimeout(() => resolve(last), 300);
  });
  const fcp = (performance.getEntriesByName("first-contentful-paint")[0] || {}).startTime || 0;
  let math = Math.max(fcp, window.__mathPainted || 0);
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
    math = Math.max(fcp, window.__mathDone || performance.now());
  }
  const entries = [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")];
  return {transfer: entries.reduce((sum, e) => sum + (e.transferSize || e.encodedBodySize || 0), 0), fcp, lcp, math};
}"""
# An init script: marks the moment MathJax's startup typeset ends (old design), and the frame in which a formula first
# has its glyph outlines in the document (math typeset at build time).
MARK_JS = """() => { const mark = () => { window.__mathDone = performance.now(); };
  const wait = setInterval(() => { if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    clearInterval(wait); MathJax.startup.promise.then(mark); } }, 5);
  const drawn = new MutationObserver(() => {
    const use = document.querySelector("mjx-container svg use");
    const id = use && (use.getAttribute("href") || use.getAttribute("xlink:href") || "").slice(1);
    if (id && document.getElementById(id)) {
      drawn.disconnect();
      requestAnimationFrame(() => { window.__mathPainted = performance.now(); });
    }
  });
  drawn.observe(document, {childList: true, subtree: true}); }"""


def build(root: Path, site: Path, cache: Path) -> None:
    """`python -m execdocs build` of one copy into `site`."""
    env = {**os.environ, "EXECDOCS_ROOT": str(root), "EXECDOCS_CACHE": str(cache), "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run([sys.executable, "-m", "execdocs", "build", "--site-dir", str(site)], cwd=root, env=env,
                            capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"the build of {root} failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")


def write_floor(site: Path) -> None:
    """The floor page, linking the same stylesheets as the site's pages."""
    sheets = sorted(site.glob("assets/stylesheets/*.min.css")) or sorted(site.glob("en/assets/stylesheets/*.min.css"))
    links = "".join(f'<link rel="stylesheet" href="/{sheet.relative_to(site).as_posix()}">' for sheet in sheets)
    (site / FLOOR).write_text(FLOOR_HTML.format(links=links), encoding="utf-8")


def write_shell(site: Path) -> None:
    """The shell page, next to the heaviest page (its relative links still resolve): Material's header, sidebars and
    footer around the title and first paragraph, without the primary navigation, any script or any formula."""
    html = (site / HEAVIEST / "index.html").read_text(encoding="utf-8")
    cuts = [
        (r'<div class="md-sidebar md-sidebar--primary".*?(?=<div class="md-sidebar md-sidebar--secondary")', ""),
        (r"<script\b.*?</script>", ""),
        (r'<(span|div) class="arithmatex">.*?</\1>', "x"),  # typeset at build time or left to MathJax
        (r"(<article\b.*?</p>).*?(?=</article>)", r"\1"),
    ]
    for pattern, replacement in cuts:
        html, found = re.subn(pattern, replacement, html, flags=re.S)
        if not found:  # the theme's markup changed: say so rather than measure a page that is not the shell
            sys.exit(f"{HEAVIEST}: nothing matches {pattern!r}; update write_shell")
    (site / SHELL).mkdir(parents=True, exist_ok=True)
    (site / SHELL / "index.html").write_text(html, encoding="utf-8")


def export(rev: str, target: Path) -> Path:
    """The tree of `rev`, unpacked; node_modules linked (the same pinned MathJax)."""
    target.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", rev], cwd=HERE, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    (target / "node_modules").symlink_to(HERE / "node_modules", target_is_directory=True)
    return target


def measure(browser, base: str, page: str, throttle: int, loads: int) -> dict:
    """Median of `loads` cold loads (a fresh context each) of one page."""
    samples = []
    for _ in range(loads):
        context = browser.new_context()
        tab = context.new_page()
        session = context.new_cdp_session(tab)
        session.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
        tab.add_init_script(f"({MARK_JS})()")
        tab.goto(f"{base}/{page}", wait_until="load")
        samples.append(tab.evaluate(MEASURE_JS))
        close_context(context)
    return {key: statistics.median(sample[key] for sample in samples) for key in samples[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    removed = subprocess.run(["git", "log", "-1", "--format=%H", "--diff-filter=D", "--",
                              "overrides/assets/javascripts/mathjax-config.js"], cwd=HERE, capture_output=True, text=True).stdout.strip()
    parser.add_argument("--before", default=f"{removed}^" if removed else "HEAD", help="the revision to compare with")
    parser.add_argument("--loads", type=int, default=5, help="cold loads per page and setting (the median is shown)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        cache = scratch / "cache"
        if (HERE / ".cache" / "execdocs").is_dir():  # start warm: the snippets' runs are not what is measured
            shutil.copytree(HERE / ".cache" / "execdocs", cache)
        roots = {"before": export(args.before, scratch / "before"), "now": copy_checkout(scratch / "now")}
        for name, root in roots.items():
            build(root, scratch / f"site-{name}", cache)
            write_floor(scratch / f"site-{name}")
            write_shell(scratch / f"site-{name}")
        results: dict[tuple, dict] = {}
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            for name in roots:
                with serve(scratch / f"site-{name}") as base:
                    for page in PAGES:
                        for throttle in (1, 4):
                            results[name, page, throttle] = measure(browser, base, page, throttle, args.loads)
            browser.close()

    design = " (MathJax in the browser)" if removed and args.before == f"{removed}^" else ""
    print(f"before = {args.before[:12]}{design}, now = this checkout; median of {args.loads} cold loads, ms")
    header = f"{'page':38} {'CPU':>4} | {'transfer kB':>17} | {'first paint':>13} | {'math visible':>13} | {'largest paint':>13}"
    print(header)
    print("-" * len(header))
    for page in PAGES:
        for throttle in (1, 4):
            before, now = results["before", page, throttle], results["now", page, throttle]
            cells = [f"{before['transfer'] / 1000:7.0f} -> {now['transfer'] / 1000:6.0f}"]
            cells += [f"{before[key]:5.0f} -> {now[key]:5.0f}" for key in ("fcp", "math", "lcp")]
            print(f"{page:38} {str(throttle) + 'x':>4} | {cells[0]:>17} | {cells[1]:>13} | {cells[2]:>13} | {cells[3]:>13}")


if __name__ == "__main__":
    main()

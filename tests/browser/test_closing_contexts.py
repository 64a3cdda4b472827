"""Browser contexts are closed once their pages have loaded: closing one mid-navigation can hang the suite for ever."""

from __future__ import annotations

import ast
from pathlib import Path

from browsing import close_context

ROOT = Path(__file__).resolve().parents[2]
# Objects whose .close() is not a browser context's: the browser itself, an HTTP error, the visits (they close theirs
# through close_context). A context, or a page (page.close() closes its own context too), must go through close_context.
CLOSABLE = {"browser", "chromium", "error", "visit", "visitor"}


def test_every_context_is_closed_through_close_context():
    """Assert no test or benchmark calls .close() on a context or a page itself (only browsing.close_context may)."""
    direct = []
    for source in sorted([*(ROOT / "tests" / "browser").glob("*.py"), *(ROOT / "bench").glob("*.py")]):
        if source.name == "browsing.py":
            continue
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "close":
                receiver = ast.unparse(node.func.value)
                if receiver not in CLOSABLE:
                    direct.append(f"{source.relative_to(ROOT)}:{node.lineno}: {receiver}.close(): use close_context({receiver}"
                                  f"{'' if receiver.endswith('context') else '.context'}), which lets its pages finish loading")
    assert not direct, "\n".join(direct)


def test_close_context_lets_a_navigation_finish(browser, site_url):
    """Assert a context closed right after a navigation committed is closed only once the new page has loaded."""
    context = browser.new_context()
    page = context.new_page()
    loads = []
    page.on("load", lambda loaded: loads.append(loaded.url))
    page.goto(f"{site_url}/en/", wait_until="load")
    with page.expect_navigation(wait_until="commit", timeout=10_000):
        page.evaluate("() => { location.href = '/en/glossary/'; }")
    close_context(context)
    assert loads == [f"{site_url}/en/", f"{site_url}/en/glossary/"], f"closed before the page it was opening had loaded: {loads}"

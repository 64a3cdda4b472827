"""Browser fixtures: the built site served on 127.0.0.1, one Chromium for the session, page visits.

The site is the one the `built_site` fixture builds (tests/conftest.py). To test a site that is
already built (say, a deliberately broken copy), set EXECDOCS_SITE_DIR to its folder, the one
holding en/, zh/ and index.html:

    EXECDOCS_SITE_DIR=/tmp/broken-site .venv/bin/python -m pytest tests/browser -q

Pages load one after another in a fresh browser context each (a first-time visitor: empty
cache), and the next EXECDOCS_BROWSER_AHEAD pages (default: 1 with 2 CPUs, 2 with 4 or more)
start loading while the tests look at the current one. The terminal summary (printed with or
without -s) lists each page's weight against the budget, and the time the browser tests took.
"""

from __future__ import annotations

import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pytest
from browsing import (
    MATH_TIMEOUT_MS, WAIT_FOR_MATH, WEIGHT_BUDGET, WEIGHT_KINDS, SitePage, close_context, launch_chromium, playwright_chromium, serve,
    weight_kind,
)
from accessibility import audit_on_load_script
from chromium import ChromiumNotFound, find_chromium
from playwright.sync_api import sync_playwright

# ---------------------------------------------------------------------------
# The site, its server and the browser
# ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def site_dir(request) -> Path:
    """The built site: $EXECDOCS_SITE_DIR if set, else the session's `built_site`."""
    report = request.config.stash[REPORT]
    if os.environ.get("EXECDOCS_SITE_DIR"):
        site = Path(os.environ["EXECDOCS_SITE_DIR"]).resolve()
        assert (site / "en" / "index.html").is_file(), f"EXECDOCS_SITE_DIR={site} holds no built site (no en/index.html)"
        return site
    started = time.perf_counter()
    site, _ = request.getfixturevalue("built_site")
    report.build_seconds = time.perf_counter() - started
    return site


@pytest.fixture(scope="session")
def site_url(site_dir) -> str:
    """Base URL of the built site, served by http.server on 127.0.0.1 for the whole session."""
    with serve(site_dir) as url:
        yield url


@pytest.fixture(scope="session")
def browser(request):
    """One headless Chromium for the whole session: the one found when the session started."""
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright, request.config.stash.get(CHROMIUM, None))
        yield chromium
        chromium.close()


ID_OR_NAME = re.compile(r"""\b(?:id|name)=["']([^"']+)["']""")  # what a #fragment may name


@dataclass
class Fetched:
    status: int
    text: str

    @cached_property
    def ids(self) -> frozenset[str]:
        """The id and name attributes of the page: the anchors a link may point at (found once per page, not per link)."""
        return frozenset(ID_OR_NAME.findall(self.text))


@pytest.fixture(scope="session")
def fetch(site_url):
    """GET a site URL from Python (no browser), cached: status and text. For links and served HTML."""
    cache: dict[str, Fetched] = {}

    def get(url: str) -> Fetched:
        url = urllib.parse.urldefrag(url).url
        if url not in cache:
            try:
                with urllib.request.urlopen(url, timeout=30) as response:
                    cache[url] = Fetched(response.status, response.read().decode("utf-8", "replace"))
            except urllib.error.HTTPError as error:
                error.close()
                cache[url] = Fetched(error.code, "")
        return cache[url]

    return get


# ---------------------------------------------------------------------------
# Visits: one cold page load per page, watched from the first request
# ---------------------------------------------------------------------------


@dataclass
class Visit:
    """One page loaded by a first-time visitor, and everything the browser reported meanwhile."""

    site_page: SitePage
    url: str
    context: object
    page: object
    requests: list[str] = field(default_factory=list)  # every URL requested, by the page or its workers
    responses: list[tuple[str, int, str, int]] = field(default_factory=list)  # url, status, kind, bytes
    failed: list[str] = field(default_factory=list)  # requests that got no response at all
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    status: int | None = None
    load_problem: str = ""  # why the page did not load, if it did not
    math_problem: str = ""  # why the page was not ready (it loads MathJax, or its fonts never loaded)
    started: float = 0.0
    seconds: float = 0.0
    audited: bool = False  # the page runs axe on itself once loaded (Visitor.visit(..., audit=True))
    axe: list[dict] | None = None  # that audit's violations
    axe_problem: str = ""  # why there are none to look at
    _finished: bool = False

    def weights(self) -> dict[str, int]:
        """Bytes downloaded per kind, and their total."""
        sizes = dict.fromkeys(WEIGHT_KINDS, 0)
        for _, _, kind, size in self.responses:
            sizes[kind] += size
        sizes["total"] = sum(sizes.values())
        return sizes

    def require_page(self) -> None:
        """Fail the test unless the page was served (200) and loaded."""
        assert self.status == 200, f"{self.site_page.name}: GET {self.site_page.path} returned {self.status}: the built site has no such page"
        assert not self.load_problem, f"{self.site_page.name}: {self.load_problem}"

    def close(self) -> None:
        close_context(self.context)


class Visitor:
    """Loads pages in fresh contexts, starting the next few early so that they load in parallel."""

    def __init__(self, browser, site_url: str, ahead: int):
        self.browser = browser
        self.site_url = site_url
        self.ahead = ahead
        self.started: dict[SitePage, Visit] = {}

    def visit(self, site_page: SitePage, upcoming: list[SitePage], audit: bool = False) -> Visit:
        """The finished visit of `site_page`; starts loading the next `ahead` pages of `upcoming`. With `audit`, each of
        these pages runs axe on itself once loaded (accessibility.audit_on_load_script), and the visit holds its result."""
        visit = self.started.pop(site_page, None) or self._start(site_page, audit)
        for following in upcoming[: self.ahead]:
            if following not in self.started:
                self.started[following] = self._start(following, audit)
        self._finish(visit)
        return visit

    def close(self) -> None:
        for visit in self.started.values():
            visit.close()
        self.started.clear()

    def _start(self, site_page: SitePage, audit: bool) -> Visit:
        context = self.browser.new_context(permissions=["clipboard-read", "clipboard-write"])
        if audit:
            context.add_init_script(script=audit_on_load_script())
        page = context.new_page()
        visit = Visit(site_page, self.site_url + site_page.path, context, page, audited=audit)

        def on_response(response):
            request = response.request
            size = int(response.headers.get("content-length") or 0)
            visit.responses.append((response.url, response.status, weight_kind(response.url, request.resource_type), size))

        context.on("request", lambda request: visit.requests.append(request.url))
        context.on("response", on_response)
        context.on("requestfailed", lambda request: visit.failed.append(f"{request.url} ({request.failure})"))
        page.on("console", lambda message: visit.console_errors.append(_console_text(message)) if message.type == "error" else None)
        page.on("pageerror", lambda error: visit.page_errors.append(str(error)))
        visit.started = time.perf_counter()
        try:
            response = page.goto(visit.url, wait_until="commit")
            visit.status = response.status if response else None
        except Exception as error:  # noqa: BLE001 (reported by the tests, page by page)
            visit.load_problem = f"could not open {visit.url}: {error}"
        return visit

    def _finish(self, visit: Visit) -> None:
        if visit._finished:
            return
        visit._finished = True
        if not visit.load_problem:
            try:
                visit.page.wait_for_load_state("load")
            except Exception as error:  # noqa: BLE001
                visit.load_problem = f"{visit.url} did not finish loading: {error}"
            else:
                try:
                    visit.math_problem = visit.page.evaluate(WAIT_FOR_MATH, MATH_TIMEOUT_MS)
                except Exception as error:  # noqa: BLE001
                    visit.math_problem = f"could not wait for the page's fonts: {error}"
        visit.seconds = time.perf_counter() - visit.started
        if visit.audited and not visit.load_problem:  # before any test touches the page: the audit sees it as loaded
            try:
                result = visit.page.evaluate("() => window.__execdocsAudit")
            except Exception as error:  # noqa: BLE001
                result = {"error": str(error)}
            if isinstance(result, list):
                visit.axe = result
            else:
                visit.axe_problem = f"axe could not audit the page: {(result or {}).get('error', 'no audit was started')}"


def _console_text(message) -> str:
    location = message.location or {}
    where = f" ({location.get('url')}:{location.get('lineNumber')})" if location.get("url") else ""
    return f"{message.text}{where}"


def _default_ahead() -> int:
    """Pages to start early: 1 from 2 CPUs on, 2 from 4 (page loads are CPU-bound: Material's scripts, layout)."""
    cpus = os.cpu_count() or 1
    return 0 if cpus < 2 else 1 if cpus < 4 else 2


@pytest.fixture(scope="session")
def visitor(browser, site_url):
    visitor = Visitor(browser, site_url, int(os.environ.get("EXECDOCS_BROWSER_AHEAD", _default_ahead())))
    yield visitor
    visitor.close()


# ---------------------------------------------------------------------------
# Report: page weights and time, printed in the terminal summary (with or without -s)
# ---------------------------------------------------------------------------


@dataclass
class BrowserReport:
    weights: dict[str, dict[str, int]] = field(default_factory=dict)  # page id -> kind -> bytes
    load_seconds: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0  # setup + call + teardown of every browser test
    build_seconds: float = 0.0
    tests: set[str] = field(default_factory=set)  # node ids of the browser tests that ran
    first_start: float | None = None
    last_stop: float | None = None
    visit_order: list = field(default_factory=list)  # the pages the selected tests visit, in run order


REPORT = pytest.StashKey[BrowserReport]()
CHROMIUM = pytest.StashKey[str]()  # the executable found when the session started


@pytest.fixture(scope="session")
def browser_report(request) -> BrowserReport:
    return request.config.stash[REPORT]


def _is_browser_test(nodeid: str) -> bool:
    return nodeid.replace("\\", "/").startswith("tests/browser/")


_CONFIG: list = []  # the pytest config, for the hooks that are not given it


def pytest_configure(config):
    config.stash[REPORT] = BrowserReport()
    _CONFIG[:] = [config]


@pytest.hookimpl(trylast=True)  # after pytest has grouped the tests by page
def pytest_collection_modifyitems(session, config, items):
    if any("browser" in getattr(item, "fixturenames", ()) for item in items):
        try:  # fail the session now, once, with what to install (not a skip, not one error per test)
            config.stash[CHROMIUM] = find_chromium(playwright_default=playwright_chromium)
        except ChromiumNotFound as error:
            pytest.exit(f"The browser tests need Chromium.\n{error}", returncode=1)
    order = [item.callspec.params["visit"] for item in items if hasattr(item, "callspec") and "visit" in item.callspec.params]
    config.stash[REPORT].visit_order = list(dict.fromkeys(order))


def pytest_runtest_logstart(nodeid, location):
    if _is_browser_test(nodeid) and _CONFIG:
        report = _CONFIG[0].stash[REPORT]
        if report.first_start is None:
            report.first_start = time.perf_counter()


def pytest_runtest_logreport(report):
    if not (_is_browser_test(report.nodeid) and _CONFIG):
        return
    browser_report = _CONFIG[0].stash[REPORT]
    browser_report.seconds += report.duration
    browser_report.tests.add(report.nodeid)
    browser_report.last_stop = time.perf_counter()


def pytest_terminal_summary(terminalreporter, config):
    report = config.stash.get(REPORT, None)
    if report is None or not report.tests:
        return
    write = terminalreporter.write_line
    terminalreporter.section("browser tests")
    if report.weights:
        header = f"{'page':44} " + " ".join(f"{kind:>8}" for kind in (*WEIGHT_KINDS, "total")) + f" {'load s':>7}"
        write("Page weight: kB a first-time visitor downloads (1 kB = 1000 bytes); load s: from the first request")
        write("until its fonts are ready (pages start loading early, while the previous page is tested: times overlap).")
        write(header)
        for page_id in sorted(report.weights):
            sizes = report.weights[page_id]
            write(f"{page_id:44} " + " ".join(f"{sizes[kind] / 1000:8.1f}" for kind in (*WEIGHT_KINDS, "total"))
                  + f" {report.load_seconds.get(page_id, 0):7.2f}")
        write(f"{'budget':44} " + " ".join(f"{WEIGHT_BUDGET[kind] / 1000:8.0f}" for kind in (*WEIGHT_KINDS, "total")))
    wall = (report.last_stop - report.first_start) if report.first_start is not None else 0.0
    build = f", of which {report.build_seconds:.1f} s building the site" if report.build_seconds else ""
    write(f"{len(report.tests)} browser tests in {wall:.1f} s wall clock{build} (test time {report.seconds:.1f} s)")


"""On an emulated phone (390x844, touch, mobile viewport), the navigation drawer leads to other pages, and axe finds nothing serious.

Every page is also checked at 390x844 in test_browser_pages.py (test_phone_viewport: no sideways
scrolling, a menu button); the drawer is the same JavaScript on every page, so a real phone
emulation opens it on each language's home page and 404 page, and follows a link in it.

axe-core runs on every page at desktop size in both schemes (test_browser_pages.py); on the phone it
runs on a few pages that look most different there (PHONE_AXE), not on all: that would add a page load
and an axe run per page for what the narrow layout changes (the drawer, formulas and tables that
scroll sideways, touch targets).
"""

from __future__ import annotations

import urllib.parse

import pytest
from accessibility import describe, run_axe, serious
from browsing import NOT_FOUND, WAIT_FOR_MATH, SitePage, close_context

from execdocs.engine.config import Config

LANGUAGES = Config().languages

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    close_context(context)


# Index (among the drawer's links) and URL of the first link on screen to another page than `home`.
OTHER_LINK_JS = """(home) => {
  const links = [...document.querySelectorAll(".md-sidebar--primary a.md-nav__link[href]")];
  const index = links.findIndex((a) => {
    const box = a.getBoundingClientRect();
    return a.checkVisibility() && box.width > 0 && box.left >= 0 && box.right <= window.innerWidth + 1
      && !["", "index.html"].includes(new URL(a.href).pathname.slice(home.length));
  });
  return index < 0 ? null : [index, links[index].href];
}"""


STARTS = [SitePage(language, source) for source in ("index.md", NOT_FOUND) for language in LANGUAGES]


@pytest.mark.parametrize("start", STARTS, ids=[start.id for start in STARTS])
def test_drawer_leads_to_another_page_on_a_phone(phone, site_url, start):
    """Assert on a phone the menu button opens the drawer, and tapping a page in it opens that page."""
    home = SitePage(start.language, "index.md")
    response = phone.goto(site_url + start.path)
    assert response is not None and response.status == 200, f"{start.path} answers {response.status if response else 'nothing'}"
    phone.evaluate(WAIT_FOR_MATH, 20_000)
    # A phone widens its layout viewport to fit content that is too wide, so compare with the screen.
    width = phone.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"{start.path} on a phone is {width} px wide, wider than the {PHONE['width']} px screen"
    menu = phone.locator("label.md-header__button[for=__drawer]")
    assert menu.is_visible(), f"{start.path} on a phone: no visible menu button (label[for=__drawer]) in the header"
    menu.tap()
    try:  # the drawer slides in: wait until a link to another page is on screen
        index, href = phone.wait_for_function(OTHER_LINK_JS, arg=home.path, timeout=5000).json_value()
    except Exception:  # noqa: BLE001
        pytest.fail(f"{start.path} on a phone: after tapping the menu button, no link to another page is on screen")
    target = urllib.parse.urlsplit(href).path
    with phone.expect_navigation() as navigation:
        phone.locator(".md-sidebar--primary a.md-nav__link[href]").nth(index).tap()
    response = navigation.value
    assert urllib.parse.urlsplit(phone.url).path == target, f"tapping {target} in the drawer of {start.path} opened {phone.url}"
    assert response is not None and response.status == 200, f"tapping {target} in the drawer of {start.path}: it answers {response.status if response else 'nothing'}"


# The pages whose phone layout differs most: the most code blocks, content tabs and the playground;
# the wide tables of the summary; display formulas wider than the screen, which scroll.
PHONE_AXE = [SitePage("en", "pytorch/cross_entropy_loss.md"), SitePage("zh", "summary.md"), SitePage("zh", "practice/no_softmax.md")]


@pytest.mark.parametrize("site_page", PHONE_AXE, ids=[page.id for page in PHONE_AXE])
def test_axe_finds_nothing_serious_on_a_phone(phone, site_url, site_page):
    """Assert axe-core finds no serious or critical WCAG 2.2 A/AA violation on the page on a phone."""
    assert site_page.doc.is_file(), f"{site_page.name} does not exist: choose another page for PHONE_AXE"
    response = phone.goto(site_url + site_page.path)
    assert response is not None and response.status == 200, f"{site_page.path} answers {response.status if response else 'nothing'}"
    phone.evaluate(WAIT_FOR_MATH, 20_000)
    found = serious(run_axe(phone))
    assert not found, f"{site_page.name} ({site_page.path}), axe-core:\n  " + "\n  ".join(describe(found, f"on a phone ({PHONE['width']}x{PHONE['height']})"))

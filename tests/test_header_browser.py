"""The header in a real browser: one row on a desktop when signed in, the menu button on a phone, no page wider
than the screen (system Chromium)."""

import os

import pytest
from playwright.sync_api import Browser

from tests.browser import sign_in
from tests.members.factories import AffiliationFactory, OrganizationFactory, StaffFactory

SHOTS = os.environ.get("HEADER_SHOTS", "")  # a folder to keep the screenshots in, to look at them


def _header_rows(page) -> int:
    """How many rows the header's items (brand, search, each top-level link or menu) take."""
    tops = page.evaluate(
        """() => {
          const items = [document.querySelector('.brand'), document.querySelector('.header-search'),
                         ...document.querySelectorAll('#main-nav .nav > li')];
          return items.filter(e => e && e.offsetParent !== null).map(e => {
            const box = e.getBoundingClientRect(); return Math.round(box.top + box.height / 2);
          });
        }"""
    )
    rows: list[int] = []
    for top in sorted(tops):
        if not rows or top - rows[-1] > 12:
            rows.append(top)
    return len(rows)


def _overlaps(page) -> list[str]:
    """Pairs of visible header items whose boxes overlap (a squeezed search box under the links, say)."""
    return page.evaluate(
        """() => {
          const items = [document.querySelector('.brand'), document.querySelector('#header-search'),
                         ...document.querySelectorAll('#main-nav .nav > li')].filter(e => e && e.offsetParent !== null);
          const boxes = items.map(e => [e.textContent.trim().slice(0, 20) || e.id, e.getBoundingClientRect()]);
          const found = [];
          boxes.forEach(([a, p], i) => boxes.slice(i + 1).forEach(([b, q]) => {
            if (p.left < q.right - 1 && q.left < p.right - 1 && p.top < q.bottom - 1 && q.top < p.bottom - 1) {
              found.push(a + " / " + b);
            }
          }));
          return found;
        }"""
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("width", "rows"), [(1280, 1), (390, 2)])
def test_the_signed_in_header_fits(live_server, browser: Browser, width, rows):
    # given staff with a long name, in an organization (every header item is there)
    staff = StaffFactory(name="Maximiliane Oberholzer-Vandenberghe")
    AffiliationFactory(person=staff, organization=OrganizationFactory())
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()

    # when they are signed in on the home page
    sign_in(page, live_server.url, staff.email, "/")
    page.wait_for_url(f"{live_server.url}/")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"header-{width}.png"))

    # then the header takes one row on a desktop (two on a phone: brand and Menu, then the search), and the page
    # is no wider than the screen
    assert _header_rows(page) == rows
    assert _overlaps(page) == [], "header items drawn over each other"
    assert page.locator("#header-search").bounding_box()["width"] >= 110  # room to type a few words
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()

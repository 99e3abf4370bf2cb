"""The header's search box in a real browser (system Chromium), at desktop and phone widths."""

import pytest
from playwright.sync_api import Page, expect

from projects.models import Project
from tests.events.factories import EventFactory
from tests.projects.factories import ProjectFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 390])
def test_a_visitor_searches_from_the_header_and_narrows_to_one_kind(live_server, page: Page, width):
    ProjectFactory(title="Photosynthesis Benchmark", summary="A benchmark of leaf models.")
    ProjectFactory(title="Photosynthesis draft project", state=Project.State.DRAFT)
    EventFactory(title="Photosynthesis workshop")
    page.set_viewport_size({"width": width, "height": 900})

    # Given a visitor on the home page, when they search from the header
    page.goto(live_server.url + "/")
    page.get_by_role("searchbox", name="Find in the portal").fill("photosyntesis")
    page.get_by_role("searchbox", name="Find in the portal").press("Enter")

    # Then the results page lists what they may see, best first, despite the typo, and nothing scrolls sideways
    expect(page.get_by_role("heading", name="2 results for “photosyntesis”")).to_be_visible()
    expect(page.get_by_role("link", name="Photosynthesis Benchmark")).to_be_visible()
    expect(page.get_by_role("link", name="Photosynthesis workshop")).to_be_visible()
    expect(page.get_by_role("link", name="Photosynthesis draft project")).to_have_count(0)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width

    # When they keep only events
    page.get_by_label("Only").select_option("event")
    page.get_by_role("button", name="Search", exact=True).last.click()

    # Then only the workshop remains
    expect(page.get_by_role("heading", name="1 result for “photosyntesis”")).to_be_visible()
    expect(page.get_by_role("link", name="Photosynthesis Benchmark")).to_have_count(0)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width

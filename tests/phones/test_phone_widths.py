"""Phones: at 390 px no main page scrolls sideways, the header's menu folds behind one button, and list filters fold
behind one button; at 1280 px both stay open. A real browser (system Chromium) against a live server."""

import pytest
from playwright.sync_api import Page, expect

from alliance.models import Notification
from members.models import Affiliation
from tests.browser import page_width, sign_in
from tests.events.factories import EventFactory
from tests.members.factories import OrganizationFactory, StaffFactory, UserFactory
from tests.projects.factories import CatalogEntryFactory, ProjectFactory

PHONE = 390


@pytest.fixture
def world(db):
    organization = OrganizationFactory(
        name="Aurora Labs with a rather long organization name", website="https://aurora-labs.example/research"
    )
    admin = UserFactory(name="Ada Admin", email="ada.admin.with.a.long.address@aurora-labs.example")
    Affiliation.objects.create(person=admin, organization=organization, role=Affiliation.Role.ADMIN)
    for number in range(3):
        person = UserFactory(name=f"Colleague number {number}", email=f"colleague.{number}.long@aurora-labs.example")
        Affiliation.objects.create(person=person, organization=organization)
        Notification.objects.create(
            recipient=admin,
            email=admin.email,
            kind="membership",
            subject=f"A rather long notification subject about the organization's membership, number {number}",
            body="Body",
            url=f"/organizations/{organization.slug}/manage/",
            status=Notification.Status.SENT,
        )
    project = ProjectFactory(title="Open evaluation harness for multilingual language models")
    CatalogEntryFactory(project=project, status="validated")
    event = EventFactory(title="Workshop on evaluating multilingual models in the open")
    staff = StaffFactory(email="staff@alliance.example")
    event.organizers.add(staff)
    return {"organization": organization, "admin": admin, "project": project, "event": event, "staff": staff}


def _pages(world) -> dict[str, list[str]]:
    organization, project, event = world["organization"], world["project"], world["event"]
    return {
        "visitor": [
            "/",
            "/members/",
            f"/members/{organization.slug}/",
            "/projects/",
            f"/projects/{project.slug}/",
            "/catalog/",
            "/events/",
            f"/events/{event.slug}/",
            "/benchmarks/",
            "/committees/",
            "/search/?q=open",
            "/accounts/login/",
            "/organizations/register/",
        ],
        "admin": [
            "/inbox/",
            f"/organizations/{organization.slug}/manage/",
            "/organizations/",
            "/my-projects/",
            "/account/notifications/",
            "/welcome/",
        ],
        "staff": ["/staff/audit/", "/staff/applications/", f"/events/{event.slug}/manage/", "/events/new/"],
    }


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_main_page_scrolls_sideways_on_a_phone(live_server, page: Page, world):
    page.set_viewport_size({"width": PHONE, "height": 800})
    too_wide = {}
    for role, paths in _pages(world).items():
        if role != "visitor":
            page.context.clear_cookies()
            sign_in(page, live_server.url, world[role].email, paths[0])
            page.wait_for_load_state()
        for path in paths:
            response = page.goto(live_server.url + path)
            assert response is not None and response.status == 200, path
            if page_width(page) > PHONE:
                too_wide[path] = page_width(page)
    assert too_wide == {}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_header_menu_folds_behind_one_button_on_a_phone(live_server, page: Page, world):
    page.set_viewport_size({"width": PHONE, "height": 800})
    page.goto(live_server.url + "/")
    menu = page.get_by_role("button", name="Menu")
    projects = page.get_by_role("navigation", name="Main").get_by_role("link", name="Projects")

    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(projects).to_be_hidden()

    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(projects).to_be_visible()
    projects.click()
    expect(page.get_by_role("heading", name="Projects", exact=True)).to_be_visible()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_desktop_the_menu_and_the_filters_stay_open(live_server, page: Page, world):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + "/events/")

    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Projects")).to_be_visible()
    expect(page.get_by_label("Kind")).to_be_visible()
    expect(page.get_by_role("button", name="Filters")).to_be_hidden()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/events/", "/projects/", "/members/", "/catalog/"])
def test_list_filters_fold_behind_one_button_on_a_phone(live_server, page: Page, world, path):
    page.set_viewport_size({"width": PHONE, "height": 800})
    page.goto(live_server.url + path)
    filters = page.get_by_role("button", name="Filters")

    expect(page.get_by_role("searchbox", name="Search", exact=True)).to_be_visible()
    expect(filters).to_have_attribute("aria-expanded", "false")
    expect(page.locator("form.filters select").first).to_be_hidden()

    filters.click()
    expect(filters).to_have_attribute("aria-expanded", "true")
    expect(page.locator("form.filters select").first).to_be_visible()
